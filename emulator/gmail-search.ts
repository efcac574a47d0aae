import type { StoredMessage } from './mailbox.js';

export type MessageFilter = (message: StoredMessage) => boolean;

/**
 * messages.list's `q`, for the search operators the emulator knows: `is:unread`, and `before:`
 * and `after:` with epoch seconds; terms are separated by spaces and ANDed, as in Gmail.
 * `before:` excludes its instant and `after:` includes it, like Gmail's whole-day dates
 * (`after:2026/11/24` finds mail of the 24th). Any other term answers an error message, so a
 * service never relies on a filter the emulator would silently ignore.
 * @see https://support.google.com/mail/answer/7190
 */
export function searchFilter(q: string): MessageFilter | string {
  const filters: MessageFilter[] = [];
  for (const term of q.trim().split(/\s+/).filter(Boolean)) {
    const operator = /^(is|before|after):(.+)$/i.exec(term);
    const [name, value] = [operator?.[1].toLowerCase(), operator?.[2] ?? ''];
    if (name === 'is' && value.toLowerCase() === 'unread') {
      filters.push((message) => message.labelIds.has('UNREAD'));
    } else if ((name === 'before' || name === 'after') && /^\d{1,12}$/.test(value)) {
      const instant = Number(value) * 1000;
      filters.push(
        name === 'before'
          ? (message) => message.internalDate < instant
          : (message) => message.internalDate >= instant,
      );
    } else {
      return `The emulator does not support the search term "${term}" (is:unread, before:<epoch seconds>, after:<epoch seconds> only).`;
    }
  }
  return (message) => filters.every((filter) => filter(message));
}
