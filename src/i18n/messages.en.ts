/** English page text. Keys are shared with messages.ja.ts; `{name}` marks a parameter. */
export const en = {
  'app.name': 'Gmail Unread',
  'app.tagline': 'Your unread Gmail, after signing in with Google.',
  'nav.signOut': 'Sign out',
  'nav.disconnect': 'Disconnect Gmail',
  'nav.disconnectHint':
    'Sign out and revoke this app’s access to your Google account on every device',
  'nav.signOutHint': 'Sign out of this browser only; your other devices stay signed in',
  'nav.signOutEverywhere': 'Sign out everywhere',
  'nav.signOutEverywhereHint':
    'Sign out on every device and browser; this app keeps its access to Gmail for your next sign-in',
  'nav.account': 'Account',
  'account.title': 'Your account',
  'account.lead': 'Signed in with Google as {email}.',
  'account.sessions': 'Where you are signed in',
  'account.device': 'Browser and platform',
  'account.network': 'Network',
  'account.created': 'Signed in',
  'account.lastSeen': 'Last seen',
  'account.thisDevice': 'this device',
  'account.unknownDevice': 'Unknown browser',
  'account.scopes': 'What this app may do',
  'account.controls': 'Sign out',
  'account.signOutExplained':
    'Sign out ends this browser’s session only. Next time you sign in, Google does not ask for your consent again.',
  'account.signOutEverywhereExplained':
    'Sign out everywhere ends every session listed above, on every device. The app keeps its access to Gmail, so signing in again needs no new consent.',
  'account.disconnectExplained':
    'Disconnect revokes this app’s access at Google, deletes everything this app holds for your account and signs you out everywhere. The next sign-in asks for your consent again.',
  'scope.openid': 'Know who you are on Google',
  'scope.email': 'See your email address',
  'scope.profile': 'See your name and profile picture',
  'nav.language': 'Language',
  'nav.signedInAs': 'Signed in as {email}',
  'nav.skipToContent': 'Skip to main content',
  'nav.newTab': '(opens in a new tab)',
  'index.title': 'Read your unread Gmail',
  'index.lead':
    'Connect your Google account to see your unread messages. Signing in asks for read-only access. Marking mail read or unread, or archiving it, asks Google once more, the first time you do it; the app never sends or deletes mail, and reading a message does not mark it read.',
  'index.connect': 'Connect to Gmail',
  'index.continue': 'Go to your inbox',
  'index.setupLink': 'Setting up your own Google OAuth client?',
  'index.steps': 'How it works',
  'index.step1': 'You sign in at Google and approve read-only access.',
  'index.step2': 'Google sends you back here with a one-time code.',
  'index.step3': 'This server exchanges it for a token, kept encrypted on the server only.',
  'setup.title': 'Using your own Google OAuth client',
  'setup.lead':
    'Register this exact redirect URI in the Google Cloud console, or Google stops the sign-in with “Error 400: redirect_uri_mismatch” on its own page.',
  'setup.redirectUri': 'Authorized redirect URI',
  'setup.step1':
    'In the Google Cloud console, open “APIs & Services” → “Credentials” and create an OAuth client ID of type “Web application”.',
  'setup.step2':
    'Add the redirect URI above under “Authorized redirect URIs”, character for character.',
  'setup.step3':
    'Enable the Gmail API for the same project (“APIs & Services” → “Library” → “Gmail API”).',
  'setup.step4':
    'On the OAuth consent screen, add your account as a test user while the app is in “Testing” status.',
  'setup.step5':
    'Put GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET in .env, then run: npm run build && npm run start:prod',
  'setup.restricted':
    'gmail.readonly is a restricted scope: offering this app to the public requires Google’s verification. In “Testing” status, refresh tokens expire after 7 days.',
  'error.title': 'Something went wrong',
  'error.home': 'Back to the start page',
  'error.reconnectButton': 'Connect to Gmail again',
  'error.askAgainButton': 'Allow {api} access',
  'error.retryAfter': 'Please try again in {seconds} seconds.',
  'error.state_invalid': 'This sign-in link has expired or was already used. Please start again.',
  'error.callback_invalid': 'The answer from Google could not be verified. Please start again.',
  'error.access_denied':
    'You declined access to Gmail, so there is nothing to show. You can connect again whenever you like.',
  'error.authorization_error': 'Google could not complete the sign-in. Please try again.',
  'error.token_rejected': 'Could not complete sign-in. Please try again.',
  'error.id_token_invalid':
    'Google’s identity answer could not be verified, so you were not signed in. Please try again.',
  'error.offline_access_missing':
    'Google did not give this app lasting access to your mailbox, even after asking on its consent screen. Please try again; if it keeps happening, remove this app under “Third-party apps” in your Google Account and connect again.',
  'error.domain_refused':
    'This account’s domain is not allowed to use this service. Sign in with your organization’s account.',
  'error.account_disabled':
    'Google reported this Google account as disabled, so it cannot sign in here. Once Google restores the account, you can sign in again.',
  'error.risc_rejected': 'Security event rejected: {reason}',
  'error.risc_unavailable': 'Security events cannot be verified right now; send again later.',
  'error.scope_missing':
    'This page needs a {api} permission that you did not allow on Google’s consent screen. Connect again and tick the {api} permission.',
  'error.reconnect': 'Your Google session has ended. Please connect to Gmail again.',
  'error.access_revoked': 'Your access was revoked or has expired. Please connect to Gmail again.',
  'error.not_signed_in': 'Please connect to Gmail first.',
  'error.csrf_invalid': 'This form has expired. Please reload the page and try again.',
  'error.api_permission':
    'This app does not have the {api} permission it needs. Connect again and allow {api} access.',
  'error.api_disabled':
    'The {api} API is not enabled for this OAuth client’s Google Cloud project. An administrator must enable it: Google Cloud console → “APIs & Services” → “Library” → “{api} API” → “Enable”.',
  'error.api_busy': '{api} is busy right now (quota exceeded).',
  'error.api_not_found': '{api} has no such item.',
  'error.render_busy':
    'Too many long messages are being displayed right now. Please try again in a moment.',
  'error.render_failed':
    'This message could not be displayed here. You can still open it in Gmail.',
  'error.upstream_unavailable': 'Google did not answer properly. Please try again in a moment.',
  'error.upstream_timeout': 'Google took too long to answer. Please try again in a moment.',
  'error.shutting_down': 'This server is restarting. Try again in a few seconds.',
  'error.store_unavailable':
    'The service is temporarily unavailable. Please try again in a few seconds.',
  'error.bad_input': 'That request was not understood.',
  'error.rate_limited': 'Too many requests. Please wait a minute and try again.',
  'error.not_found': 'There is no page here.',
  'error.internal': 'An unexpected error occurred. It has been logged.',
};

export type CoreMessageKey = keyof typeof en;
