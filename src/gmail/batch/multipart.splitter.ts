import { MalformedBatchResponseError } from './batch.errors.js';
import { splitLines, quote } from './text-lines.js';

/**
 * Splits a multipart body into its body parts, each returned verbatim (RFC 2046 §5.1.1).
 *
 * Only a whole line that is the delimiter counts: `--boundary`, then optional transport
 * padding (spaces, tabs). The boundary text inside a JSON value, or a line that merely starts
 * with it, is content. The line break before a delimiter belongs to the delimiter, not to the
 * part. The preamble before the first delimiter and the epilogue after the closing one
 * (`--boundary--`) are ignored, as the RFC requires.
 */
export function splitMultipart(body: string, boundary: string): string[] {
  const dashBoundary = `--${boundary}`;
  const parts: string[] = [];
  let partStart: number | undefined;
  let previousEnd = 0;
  for (const line of splitLines(body)) {
    const kind = delimiterKind(line.text, dashBoundary);
    if (kind !== undefined) {
      if (partStart !== undefined)
        parts.push(body.slice(partStart, Math.max(partStart, previousEnd)));
      if (kind === 'close') {
        if (parts.length === 0) {
          throw new MalformedBatchResponseError(
            `closing delimiter ${quote(`${dashBoundary}--`)} comes before any part`,
          );
        }
        return parts;
      }
      partStart = line.next;
    }
    previousEnd = line.end;
  }
  throw new MalformedBatchResponseError(
    partStart === undefined
      ? `no delimiter line ${quote(dashBoundary)} in the body`
      : `no closing delimiter ${quote(`${dashBoundary}--`)} after part ${parts.length + 1}`,
  );
}

function delimiterKind(line: string, dashBoundary: string): 'open' | 'close' | undefined {
  if (!line.startsWith(dashBoundary)) return undefined;
  const rest = withoutTransportPadding(line.slice(dashBoundary.length));
  if (rest === '') return 'open';
  if (rest === '--') return 'close';
  return undefined;
}

/** RFC 2046 §5.1.1 `transport-padding := *LWSP-char`; a loop, not /[ \t]+$/, to stay linear. */
function withoutTransportPadding(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end -= 1;
  return text.slice(0, end);
}
