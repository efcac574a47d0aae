import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../emulator/index.js';

/** An address of the emulator's demo accounts; any other is a mistake in the test. */
function demoAccount(email: string): string {
  if (!DEMO_ACCOUNTS.some((account) => account.email === email))
    throw new Error(`${email} is not a demo account of the emulator`);
  return email;
}

/** A consumer Gmail account with 63 unread messages (two pages of the inbox). */
export const TARO = demoAccount('taro.yamada@gmail.com');
/** A Google Workspace account of example.co.jp (the ID token's hd claim), with 3 unread. */
export const HANAKO = demoAccount('hanako@example.co.jp');
/** A consumer Gmail account without unread mail. */
export const EMPTY = demoAccount('empty@gmail.com');
/** Every demo account's password at the emulator's sign-in page. */
export const PASSWORD = DEMO_PASSWORD;

/** A demo account's `sub` (Google's subject identifier). */
export function subOf(email: string): string {
  return DEMO_ACCOUNTS.find((account) => account.email === demoAccount(email))!.sub;
}
