import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Browser, runBench, startEmulator, startService, table } from './support.js';

/**
 * Where a page's time goes: the built service runs under `node --cpu-prof` (its own process, as
 * in bench/ceiling.ts), autocannon loads one page, and the profile's self time is printed by
 * function and by package. `npm run profile -- /home` (signed in, warm) or `-- /` (default).
 * Env: PROFILE_SECONDS (10), PROFILE_LOG_LEVEL (silent, as the ceiling runs; "info" to include
 * request logging), PROFILE_TOP (15), PROFILE_KEEP=1 keeps the .cpuprofile and prints its path.
 */
const PATH = process.argv[2] ?? '/';
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10);
const TOP = Number(process.env.PROFILE_TOP ?? 15);
const LOG_LEVEL = process.env.PROFILE_LOG_LEVEL ?? 'silent';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules package, "src", "node:internal", or the V8 pseudo-frames ("(garbage collector)"). */
function packageOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + 14).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (url.startsWith('node:')) return 'node: (core)';
  const project = /\/dist-bench\/([^/]+)\//.exec(url);
  return project ? project[1] : url;
}

function summarise(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') return;
    total += delta;
    const file = frame.url.replace(/^.*\/(node_modules|dist-bench)\//, '');
    const fn = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`;
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + delta);
    const pkg = packageOf(frame.url, frame.functionName);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + delta);
  });
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([key, us]) => [key, `${((100 * us) / total).toFixed(1)}%`, (us / 1000).toFixed(0)]);
  return { total, functions: rows(selfByFunction), packages: rows(selfByPackage) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cpu-profile-'));
  const emulator = await startEmulator({ latencyMs: 0 });
  const service = await startService(emulator, { LOG_LEVEL, SHUTDOWN_DELAY_MS: '0' }, [
    '--cpu-prof',
    '--cpu-prof-dir',
    dir,
  ]);
  const browser = new Browser(service.url);
  let result;
  try {
    if (PATH !== '/') await browser.signIn('taro.yamada@gmail.com');
    const page = await browser.get(PATH); // warm: metadata cache, connections
    if (page.status !== 200) throw new Error(`${PATH} answered ${page.status}`);
    result = await autocannon({
      url: service.url + PATH,
      connections: 10,
      duration: SECONDS,
      headers: PATH === '/' ? {} : { cookie: browser.cookieHeader },
    });
  } finally {
    await browser.close();
    await service.stop();
    await emulator.stop();
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const summary = summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  if (process.env.PROFILE_KEEP === '1') process.stdout.write(`profile: ${join(dir, file)}\n`);
  else rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `\nCPU profile of GET ${PATH}: ${result.requests.average.toFixed(0)} req/s under profiling, ` +
      `LOG_LEVEL=${LOG_LEVEL}, ${(summary.total / 1e6).toFixed(1)} s of CPU sampled (idle excluded)\n\n` +
      `${table(['self time by package', 'share', 'ms'], summary.packages)}\n\n` +
      `${table(['self time by function', 'share', 'ms'], summary.functions)}\n`,
  );
}

runBench(main);
