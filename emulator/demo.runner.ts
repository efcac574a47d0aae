import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GoogleEmulator } from './index.js';

/**
 * `npm run demo`: Google's side emulated on loopback, and the real service (dist/main.js, as in
 * production) configured against it on http://127.0.0.1:5000. No Google account needed.
 */
const PORT = process.env.PORT ?? '5000';
const HOST = '127.0.0.1';
const CLIENT_ID = 'demo-client.apps.googleusercontent.com';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const REDIRECT_URI = `http://${HOST}:${PORT}/callback`;
/** Short-lived access tokens, so the demo shows a refresh within a couple of minutes. */
const ACCESS_TOKEN_TTL_SECONDS = 120;
/** Gmail push: the emulator's Pub/Sub topic and push subscription, to this service. */
const PUSH_TOPIC = 'projects/gmail-oauth-demo/topics/gmail-push';
const PUSH_ENDPOINT = `http://${HOST}:${PORT}/gmail/push`;
const PUSH_SERVICE_ACCOUNT = 'gmail-push@gmail-oauth-demo.iam.gserviceaccount.com';

async function main(): Promise<void> {
  const emulator = await GoogleEmulator.start({
    port: Number(process.env.EMULATOR_PORT ?? 0),
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] }],
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
  });
  emulator.setRiscReceiver(`http://${HOST}:${PORT}/risc`, CLIENT_ID);
  emulator.addPushSubscription({
    topic: PUSH_TOPIC,
    endpoint: PUSH_ENDPOINT,
    serviceAccount: PUSH_SERVICE_ACCOUNT,
  });
  // Built to dist-demo/emulator/; the service is the production build in dist/.
  const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
  const app = spawn(process.execPath, [main], {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST,
      PORT,
      GOOGLE_CLIENT_ID: CLIENT_ID,
      GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
      GOOGLE_REDIRECT_URI: REDIRECT_URI,
      GOOGLE_ISSUER: emulator.issuer,
      GMAIL_API_URL: emulator.gmailApiUrl,
      SESSION_SECRET: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      // Gmail push through the emulator's Pub/Sub: an open inbox shows new mail at once.
      GMAIL_PUBSUB_TOPIC: PUSH_TOPIC,
      GMAIL_PUSH_AUDIENCE: PUSH_ENDPOINT,
      GMAIL_PUSH_SERVICE_ACCOUNT: PUSH_SERVICE_ACCOUNT,
    },
  });

  const accounts = emulator.accounts
    .map(
      (a) =>
        `    ${a.email.padEnd(26)} password: ${a.password}   (${a.unread} unread${a.hd ? `, Workspace ${a.hd}` : ''})`,
    )
    .join('\n');
  process.stdout.write(
    [
      '',
      '  Demo: Google is emulated on this machine; nothing leaves it.',
      `  Open http://${HOST}:${PORT} and click "Connect to Gmail".`,
      `  Google emulator (issuer): ${emulator.issuer}`,
      '  Demo accounts:',
      accounts,
      `  Security events (Cross-Account Protection): ${emulator.issuer}/risc/console ends an account's sessions.`,
      `  New mail: ${emulator.issuer}/gmail/console delivers a message (or reads one); an open inbox shows it at once (Gmail push through the emulated Pub/Sub).`,
      `  Access tokens last ${ACCESS_TOKEN_TTL_SECONDS} s, so you will see them refreshed.`,
      '  Logs: warnings only (LOG_LEVEL=info npm run demo shows one line per request).',
      '  Stop with Ctrl+C.',
      '',
    ].join('\n') + '\n',
  );

  const stop = (code: number) => {
    app.kill('SIGTERM');
    void emulator.stop().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  app.on('exit', (code) => stop(code ?? 0));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
