import { type EmulatedResponse, gmailError, jsonResponse } from './faults.js';
import type { HistoryRecord } from './mailbox-history.js';

/** A watch lasts 7 days (Gmail's push guide: renew at least every 7 days). */
export const WATCH_LIFETIME_MS = 7 * 24 * 3_600_000;
const TOPIC = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/[A-Za-z][\w.~+%-]{2,254}$/;

/** One account's users.watch: which labels' changes go to which topic, until when. */
export interface Watch {
  readonly topicName: string;
  readonly labelIds: readonly string[];
  readonly behavior: 'include' | 'exclude';
  /** Epoch ms. */
  readonly expiration: number;
}

/**
 * users.watch and users.stop: one watch per account (a new one replaces it), to a topic that
 * exists. The changes a watch covers are told to PubSubPush by GoogleEmulator.
 * @see https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/watch
 */
export class WatchBook {
  private readonly watches = new Map<string, Watch>();
  /** Topics that exist and let gmail-api-push@system.gserviceaccount.com publish. */
  readonly topics = new Set<string>();

  constructor(private readonly now: () => number) {}

  watch(sub: string, body: string, historyId: string): EmulatedResponse {
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body || '{}') as Record<string, unknown>;
    } catch {
      return gmailError(400, 'parseError', 'Invalid JSON payload received.');
    }
    const topicName = request.topicName;
    if (typeof topicName !== 'string' || !TOPIC.test(topicName)) {
      return gmailError(
        400,
        'invalidArgument',
        'Invalid topicName does not match projects/SOME-PROJECT/topics/SOME-TOPIC',
      );
    }
    if (!this.topics.has(topicName)) {
      return gmailError(
        403,
        'forbidden',
        `Error sending test message to Cloud PubSub ${topicName} : User not authorized to perform this action.`,
      );
    }
    const labelIds = request.labelIds ?? [];
    const behavior = request.labelFilterBehavior ?? request.labelFilterAction ?? 'include';
    if (
      !Array.isArray(labelIds) ||
      !labelIds.every((label) => typeof label === 'string') ||
      (behavior !== 'include' && behavior !== 'exclude')
    ) {
      return gmailError(400, 'invalidArgument', 'Invalid labelIds or labelFilterBehavior');
    }
    const expiration = this.now() + WATCH_LIFETIME_MS;
    this.watches.set(sub, { topicName, labelIds, behavior, expiration });
    return jsonResponse(200, { historyId, expiration: String(expiration) });
  }

  stop(sub: string): EmulatedResponse {
    this.watches.delete(sub);
    return { status: 204, headers: {}, body: '' };
  }

  /** The account's watch while it has not expired. */
  active(sub: string): Watch | undefined {
    const watch = this.watches.get(sub);
    return watch && watch.expiration > this.now() ? watch : undefined;
  }

  /** Ends the account's watch as its expiry would (tests). */
  expire(sub: string): void {
    this.watches.delete(sub);
  }

  /** Whether `record` touches the labels the watch covers (messages' labels before or after). */
  covers(watch: Watch, record: HistoryRecord): boolean {
    if (watch.labelIds.length === 0) return true;
    const labels = new Set<string>();
    const changes: { message: { labelIds: string[] }; labelIds?: string[] }[] = [
      ...(record.messagesAdded ?? []),
      ...(record.messagesDeleted ?? []),
      ...(record.labelsAdded ?? []),
      ...(record.labelsRemoved ?? []),
    ];
    for (const change of changes) {
      for (const label of [...change.message.labelIds, ...(change.labelIds ?? [])]) {
        labels.add(label);
      }
    }
    const touched = watch.labelIds.some((label) => labels.has(label));
    return watch.behavior === 'include' ? touched : !touched;
  }
}
