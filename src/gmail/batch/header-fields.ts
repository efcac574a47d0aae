import { MalformedBatchResponseError } from './batch.errors.js';
import { quote, type TextLine } from './text-lines.js';

/** RFC 9110 §5.1 field-name = token (RFC 9110 §5.6.2). */
const FIELD_NAME = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

/**
 * Reads a block of header fields (RFC 9112 §5 for HTTP, RFC 5322 §2.2 for MIME part headers):
 * names lower-cased, since field names are case-insensitive; values without surrounding
 * white space. A line starting with space or tab continues the previous field (obs-fold),
 * which RFC 9112 §5.2 lets a recipient replace with a space. A repeated field is joined with
 * ", ", the combination RFC 9110 §5.3 defines (Google sends `Vary` twice).
 * `where` names the block in error messages, e.g. `part 2 response`.
 */
export function readHeaderFields(
  lines: readonly TextLine[],
  where: string,
): Record<string, string> {
  // A Map, not an object literal: a field named `__proto__` or `constructor` must stay data.
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const { text } of lines) {
    if (text.startsWith(' ') || text.startsWith('\t')) {
      if (last === undefined) {
        throw new MalformedBatchResponseError(
          `${where} headers begin with a continuation line ${quote(text)}`,
        );
      }
      fields.set(last, joinFolded(fields.get(last) ?? '', text));
      continue;
    }
    const colon = text.indexOf(':');
    const name = colon < 0 ? '' : text.slice(0, colon);
    if (!FIELD_NAME.test(name)) {
      throw new MalformedBatchResponseError(`${where} has a malformed header line ${quote(text)}`);
    }
    last = name.toLowerCase();
    const value = trimOws(text.slice(colon + 1));
    const previous = fields.get(last);
    fields.set(last, previous === undefined ? value : `${previous}, ${value}`);
  }
  return Object.fromEntries(fields);
}

function joinFolded(value: string, continuation: string): string {
  const more = trimOws(continuation);
  if (more === '') return value;
  return value === '' ? more : `${value} ${more}`;
}

/** RFC 9110 §5.6.3 OWS is spaces and tabs only; String#trim would also eat other characters. */
function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start += 1;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end -= 1;
  return text.slice(start, end);
}
