import { type ClientRequest, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * The live benchmark's load client, in a process of its own (bench/live.bench.ts forks it):
 * opens server-sent events streams, one socket each, and notes when each `inbox` event
 * arrives (epoch ms, sub-millisecond: comparable with the parent's clock). Driven over IPC.
 */
type Command =
  | {
      open: {
        base: string;
        /** One per account, with the `since` of its page (streams of the bare server: none). */
        accounts: { cookie: string; since: number }[];
        perAccount: number;
        concurrency: number;
      };
    }
  | { mark: true }
  | { report: true }
  | { close: true };

interface Stream {
  readonly account: number;
  readonly request: ClientRequest;
}

const streams: Stream[] = [];
/**
 * `inbox` events since the last mark, by account index: when each arrived and, when the event
 * says it, when the service stored the change (epoch ms both).
 */
let arrivals = new Map<number, [number, number | undefined][]>();

const now = () => performance.timeOrigin + performance.now();

function openOne(base: string, cookie: string, since: number, account: number) {
  return new Promise<boolean>((resolve) => {
    const req = request(`${base}/home/events?since=${since}`, {
      agent: false,
      headers: { Accept: 'text/event-stream', ...(cookie ? { Cookie: cookie } : {}) },
    });
    let buffer = '';
    let type = '';
    let data = '';
    let opened = false;
    req.on('response', (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(false);
        return;
      }
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('event: ')) type = line.slice(7);
          else if (line.startsWith('data: ')) data = line.slice(6);
          else if (line === '') {
            if (!opened) {
              opened = true;
              resolve(true);
            }
            if (type === 'inbox') {
              const list = arrivals.get(account) ?? [];
              const changedAt = /"changedAt":(\d+)/.exec(data)?.[1];
              list.push([now(), changedAt === undefined ? undefined : Number(changedAt)]);
              arrivals.set(account, list);
            }
            type = '';
            data = '';
          }
        }
      });
    });
    req.on('error', () => resolve(false));
    req.end();
    streams.push({ account, request: req });
  });
}

async function open(command: Extract<Command, { open: unknown }>['open']) {
  const jobs: [string, number, number][] = [];
  const accounts = command.accounts.length > 0 ? command.accounts : [{ cookie: '', since: 0 }];
  for (let round = 0; round < command.perAccount; round++) {
    accounts.forEach(({ cookie, since }, account) => jobs.push([cookie, since, account]));
  }
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const [cookie, since, account] = jobs[next++];
      if (!(await openOne(command.base, cookie, since, account))) failed++;
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, worker));
  return { opened: jobs.length - failed, failed };
}

process.on('message', (message: Command) => {
  void (async () => {
    if ('open' in message) process.send!({ opened: await open(message.open) });
    else if ('mark' in message) {
      arrivals = new Map();
      process.send!({ marked: true });
    } else if ('report' in message) {
      process.send!({ arrivals: [...arrivals] });
    } else if ('close' in message) {
      for (const stream of streams.splice(0)) stream.request.destroy();
      arrivals = new Map();
      process.send!({ closed: true });
    }
  })();
});
process.send!({ ready: true });
