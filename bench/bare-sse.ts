import { createServer } from 'node:http';

/**
 * The floor the live page's streams are compared with: a bare node:http server that answers
 * every request with a server-sent events stream (the headers, a `retry:` line) and writes a
 * heartbeat comment to each every LIVE_HEARTBEAT_SECONDS, as the service does. Prints
 * "Listening on <url>" like the service.
 */
const heartbeatMs = Number(process.env.LIVE_HEARTBEAT_SECONDS ?? 25) * 1_000;
const open = new Set<import('node:http').ServerResponse>();

const server = createServer((request, response) => {
  request.socket.setNoDelay(true);
  request.socket.setTimeout(0);
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  response.write('retry: 5000\n: live\n\n');
  open.add(response);
  response.on('close', () => open.delete(response));
});
server.requestTimeout = 0;
setInterval(() => {
  for (const response of open) response.write(': hb\n\n');
}, heartbeatMs).unref();
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as import('node:net').AddressInfo;
  process.stdout.write(`Listening on http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => {
  for (const response of open) response.destroy();
  server.close(() => process.exit(0));
});
