import { UpstreamFields } from '../common/upstream-fields.js';
import type { Upstream } from '../common/upstream.errors.js';
import { HISTORY_ID_PATTERN, MESSAGE_ID_PATTERN } from './gmail.client.js';
import type { MessageSummary } from './gmail.types.js';
import { decodeHtmlEntities } from './mime/html-entities.js';
import { UpstreamResponseError } from '../common/upstream.errors.js';

/** A messages.get?format=metadata answer, checked field by field. */
export function parseMessageSummary(upstream: Upstream, body: unknown): MessageSummary {
  const fields = new UpstreamFields(upstream, body);
  const id = fields.string('id');
  if (!MESSAGE_ID_PATTERN.test(id))
    throw new UpstreamResponseError(upstream, `$.id "${id}" is not hex`);
  const headers = fields.has('payload')
    ? fields.object('payload').array('headers', { optional: true })
    : [];
  const header = (name: string) => {
    const found = headers.find(
      (entry) => entry.string('name').toLowerCase() === name.toLowerCase(),
    );
    return found ? found.anyString('value') : '';
  };
  return {
    id,
    threadId: fields.string('threadId'),
    from: header('From'),
    subject: header('Subject'),
    date: header('Date'),
    internalDate: fields.int64String('internalDate'),
    // The message's last change (absent in summaries cached before it was asked for).
    historyId: historyIdOrUndefined(fields.optionalString('historyId')),
    // Gmail sends snippets HTML-entity-encoded; decode once, the template escapes.
    snippet: decodeHtmlEntities(fields.optionalString('snippet') ?? ''),
  };
}

function historyIdOrUndefined(value: string | undefined): string | undefined {
  return value !== undefined && HISTORY_ID_PATTERN.test(value) ? value : undefined;
}
