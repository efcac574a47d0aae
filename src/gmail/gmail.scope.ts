/** The Gmail permission this feature needs (read-only; a "restricted" scope at Google). */
export const GMAIL_READONLY_SCOPE = 'https://www.googleapis.com/auth/gmail.readonly';

/** How users know the API; named on its error pages. */
export const GMAIL_API_NAME = 'Gmail';
