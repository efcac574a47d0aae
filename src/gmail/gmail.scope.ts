/** The Gmail permission this feature needs (read-only; a "restricted" scope at Google). */
export const GMAIL_READONLY_SCOPE = 'https://www.googleapis.com/auth/gmail.readonly';

/**
 * Changing labels (read, unread, archive; never deleting): asked for the first time an action is
 * used (incremental authorization), never at sign-in. Also "restricted"; no higher tier.
 */
export const GMAIL_MODIFY_SCOPE = 'https://www.googleapis.com/auth/gmail.modify';

/** How users know the API; named on its error pages. */
export const GMAIL_API_NAME = 'Gmail';
