import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import supertest from 'supertest';
import { aroundAll, aroundEach } from 'vitest';
import type { EmulatorOptions, GoogleEmulator } from '../../emulator/index.js';
import { ApiContractCheck } from './api-contract.js';
import { FakeClock } from './fake-clock.js';
import { captureLog } from './log-lines.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';
import { freePort, startTestRedis, type TestRedis } from './redis-server.js';
import {
  startTestCluster,
  startTestSentinel,
  type TestCluster,
  type TestSentinel,
} from './redis-topology.js';
import {
  type Agent,
  CLIENT_ID,
  CLIENT_SECRET,
  startApp,
  startEmulator,
  type TestApp,
} from './test-app.js';

/** The session store each instance of the service uses, and what the fixture starts for it. */
interface RedisTopologies {
  /** The embedded store (no Redis): each instance keeps its own sessions. */
  none: undefined;
  /** REDIS_URL when it is set, else a private redis-server; a key prefix of the fixture's own. */
  single: TestRedis;
  /** Always a private redis-server, which the test may stop, start, pause and resume. */
  own: TestRedis;
  /** A Redis Cluster of 3 masters and 3 replicas (REDIS_CLUSTER_URLS). */
  cluster: TestCluster;
  /** A master, its replica and 3 Sentinels (REDIS_SENTINEL_URLS). */
  sentinel: TestSentinel;
}
export type RedisTopology = keyof RedisTopologies;

/** One instance of the service: what it adds to the fixture's options. */
export interface InstanceOptions {
  /** On top of the fixture's `env`. */
  env?: Record<string, string>;
  /** A FakeClock at the current time when not given. */
  clock?: FakeClock;
  /** Feature modules mounted beside AppModule, on top of the fixture's `modules`. */
  modules?: Type[];
}

export interface FixtureOptions<R extends RedisTopology> {
  /**
   * The service's environment, for every instance (the emulator's and the test secrets come
   * first); a function of the emulator for variables that name its address.
   */
  env?: Record<string, string> | ((emulator: GoogleEmulator) => Record<string, string>);
  /** Feature modules mounted beside AppModule in every instance, as one line in the root module would. */
  modules?: Type[];
  /** The session store of every instance; `none` (the embedded store) by default. */
  redis?: R;
  /** Options of the emulator (its one client, the service, is the fixture's). */
  emulator?: Partial<EmulatorOptions>;
  /** Runs when the emulator is up, before any instance starts (to register an API, say). */
  beforeApp?: (emulator: GoogleEmulator) => void | Promise<void>;
  /**
   * The instances of the service, on one emulator and one session store, as behind a load
   * balancer: a count, or each one's options. One by default; none for the emulator alone.
   */
  instances?: number | InstanceOptions[];
  /**
   * Each instance listens on a loopback port of its own, registered at the emulator as a
   * redirect URI (GOOGLE_REDIRECT_URI and PORT set to match), for a real browser to visit.
   */
  listen?: boolean;
  /** Keep every log line of every instance in `logs` (LOG_LEVEL still decides what is written). */
  logs?: boolean;
  /** An OTLP/HTTP receiver, started first, that every instance exports its traces to. */
  otlp?: boolean;
  /**
   * What is started afresh for each test instead of once for the enclosing describe block:
   * the instances (`app`), or the emulator and the instances (`all`). The session store is
   * started once either way.
   */
  fresh?: 'app' | 'all';
  /**
   * Whether each instance's /api answers are checked against its OpenAPI document at the end
   * of the describe block (true by default); false only where a test breaks the contract on
   * purpose, to see the check find it (api-contract.e2e-spec.ts).
   */
  checkApiContract?: boolean;
}

export interface ServiceFixture<R extends RedisTopology> {
  readonly emulator: GoogleEmulator;
  /** The first instance's Nest application, HTTP server and clock. */
  readonly app: NestExpressApplication;
  readonly server: Server;
  readonly clock: FakeClock;
  readonly redis: RedisTopologies[R];
  /** The log lines of every instance, oldest first (with `logs: true`); the test may empty it. */
  readonly logs: string[];
  readonly otlp: OtlpReceiver;
  /**
   * The instance at `index` (0 is `app`), read afresh at each use: it may be taken at describe
   * time and follows restart() and fresh instances.
   */
  instance(index: number): TestApp;
  /** The base URL of a listening instance (`listen: true`), the first by default. */
  url(instance?: number): string;
  /** A browser of its own (a cookie jar), on the first instance by default. */
  agent(instance?: TestApp): Agent;
  /**
   * One more instance, configured as the fixture's with `options` on top, on the same emulator
   * and session store. Stopped after the test that started it, or with the fixture when started
   * in a beforeAll.
   */
  startApp(options?: InstanceOptions): Promise<TestApp>;
  /**
   * Stops the first instance and starts it again with its options, as a restarted process:
   * nothing cached, and an empty embedded store.
   */
  restart(): Promise<void>;
}

/**
 * The emulator and the service under test for the enclosing describe block (or file): started
 * before its first test, and stopped after its last (servers by close(), Redis processes by
 * their process group) whether the tests, the spec's own hooks or the set-up itself failed.
 * Read the fields inside tests and hooks only; a spec's own beforeAll and beforeEach run once
 * the fixture has started, its afterEach and afterAll before the fixture stops.
 *
 * @example
 * const sut = useServiceFixture({ redis: 'single', instances: 2, env: { LOG_LEVEL: 'error' } });
 * const [a, b] = [sut.instance(0), sut.instance(1)];
 * it('should share the session between the instances', async () => {
 *   const jar = new CookieJar();
 *   await jar.get(a.server, '/oauth');
 *   // ...
 * });
 */
export function useServiceFixture<R extends RedisTopology = 'none'>(
  options: FixtureOptions<R> = {},
): ServiceFixture<R> {
  const topology: RedisTopology = options.redis ?? 'none';
  const instanceOptions =
    typeof options.instances === 'number'
      ? Array.from({ length: options.instances }, (): InstanceOptions => ({}))
      : (options.instances ?? [{}]);
  const log = options.logs ? captureLog() : undefined;
  let emulator: GoogleEmulator | undefined;
  let store: StartedStore | undefined;
  let otlp: OtlpReceiver | undefined;
  let ports: number[] = [];
  /** The running instances, in the order of `instances`. */
  let instances: TestApp[] = [];
  /** The stops of the describe block, and of the test that runs now (while one runs). */
  let fileStops: Stops | undefined;
  let testStops: Stops | undefined;
  /** Which stops each running instance is stopped with. */
  const owners = new Map<TestApp, Stops>();
  const contract = options.checkApiContract === false ? undefined : new ApiContractCheck();

  const launch = async (stops: Stops, instance: InstanceOptions, index?: number) => {
    const port = index === undefined ? undefined : ports[index];
    const app = await startApp(started(emulator, 'the emulator'), {
      env: {
        ...store?.env,
        ...(otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url } : {}),
        ...(port === undefined
          ? {}
          : { GOOGLE_REDIRECT_URI: `http://127.0.0.1:${port}/callback`, PORT: String(port) }),
        ...(typeof options.env === 'function'
          ? options.env(started(emulator, 'the emulator'))
          : options.env),
        ...instance.env,
      },
      clock: instance.clock,
      logDestination: log?.sink,
      modules: [...(options.modules ?? []), ...(instance.modules ?? [])],
    });
    owners.set(app, stops);
    stops.add(() => stop(app));
    if (port !== undefined) await app.app.listen(port, '127.0.0.1');
    return app;
  };
  const stop = async (app: TestApp) => {
    if (!owners.delete(app)) return;
    try {
      await contract?.collect(app.app);
    } finally {
      await app.close();
    }
  };

  const startGoogle = async (stops: Stops) => {
    const redirectUris = ports.map((port) => `http://127.0.0.1:${port}/callback`);
    const google = await startEmulator({
      ...(options.listen
        ? { clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris }] }
        : {}),
      ...options.emulator,
    });
    stops.add(() => google.stop());
    emulator = google;
    await options.beforeApp?.(google);
  };
  const startInstances = async (stops: Stops) => {
    instances = [];
    for (const [index, instance] of instanceOptions.entries()) {
      instances.push(await launch(stops, instance, options.listen ? index : undefined));
    }
  };

  aroundAll(
    async (runSuite) => {
      const stops = new Stops();
      fileStops = stops;
      // Added first, so run last: once every instance has stopped (and been checked).
      stops.add(async () => contract?.verify());
      try {
        if (options.otlp) {
          const receiver = await startOtlpReceiver();
          stops.add(() => receiver.close());
          otlp = receiver;
        }
        if (topology !== 'none') {
          const sessions = await STORES[topology]();
          stops.add(() => sessions.redis.close());
          store = sessions;
        }
        if (options.listen) ports = await distinctFreePorts(instanceOptions.length);
        if (options.fresh !== 'all') await startGoogle(stops);
        if (!options.fresh) await startInstances(stops);
        await runSuite();
      } finally {
        fileStops = undefined;
        await stops.run();
      }
    },
    // A cluster takes up to 40 s to agree it is whole on a loaded machine.
    topology === 'cluster' || topology === 'sentinel' ? 60_000 : undefined,
  );

  aroundEach(async (runTest) => {
    const stops = new Stops();
    testStops = stops;
    try {
      if (options.fresh === 'all') await startGoogle(stops);
      if (options.fresh) await startInstances(stops);
      await runTest();
    } finally {
      testStops = undefined;
      await stops.run();
    }
  });

  const running = (index: number) => {
    const app = instances[index];
    if (!app || !owners.has(app))
      throw new Error(`instance ${index} is not running (read the fixture inside tests and hooks)`);
    return app;
  };
  const first = () => running(0);
  return {
    get emulator() {
      return started(emulator, 'the emulator');
    },
    get app() {
      return first().app;
    },
    get server() {
      return first().server;
    },
    get clock() {
      return first().clock;
    },
    get redis() {
      return started(store, 'Redis').redis as RedisTopologies[R];
    },
    get logs() {
      return started(log, 'the log (logs: true)').lines;
    },
    get otlp() {
      return started(otlp, 'the OTLP receiver (otlp: true)');
    },
    instance(index) {
      return {
        get app() {
          return running(index).app;
        },
        get server() {
          return running(index).server;
        },
        get clock() {
          return running(index).clock;
        },
        close: () => stop(running(index)),
      };
    },
    url(instance = 0) {
      const port = ports[instance];
      if (port === undefined) throw new Error(`instance ${instance} does not listen`);
      return `http://127.0.0.1:${port}`;
    },
    agent(instance = first()) {
      return supertest.agent(instance.server);
    },
    startApp(instance = {}) {
      return launch(started(testStops ?? fileStops, 'the fixture'), instance);
    },
    async restart() {
      const old = first();
      const stops = owners.get(old)!;
      await stop(old);
      instances[0] = await launch(stops, instanceOptions[0], options.listen ? 0 : undefined);
    },
  };
}

type StartedStore = {
  [K in Exclude<RedisTopology, 'none'>]: { redis: RedisTopologies[K]; env: Record<string, string> };
}[Exclude<RedisTopology, 'none'>];

/** How each session store is started, and the environment that points the service at it. */
const STORES: { [K in Exclude<RedisTopology, 'none'>]: () => Promise<StartedStore> } = {
  single: async () => single(await startTestRedis()),
  own: async () => single(await startTestRedis({ own: true })),
  async cluster() {
    const redis = await startTestCluster();
    return { redis, env: { REDIS_CLUSTER_URLS: redis.urls, SESSION_PREFIX: redis.prefix } };
  },
  async sentinel() {
    const redis = await startTestSentinel();
    return {
      redis,
      env: {
        REDIS_SENTINEL_URLS: redis.urls,
        REDIS_SENTINEL_MASTER: redis.masterName,
        REDIS_DATA_PASSWORD: redis.dataPassword,
        SESSION_PREFIX: redis.prefix,
      },
    };
  },
};

function single(redis: TestRedis): StartedStore {
  return { redis, env: { REDIS_URL: redis.url, SESSION_PREFIX: redis.prefix } };
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new Error(`${what} has not started (read the fixture inside tests and hooks)`);
  return value;
}

/** Stops, run last first, every one whatever the others did; then the first failure is thrown. */
class Stops {
  private readonly steps: (() => Promise<void>)[] = [];

  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const failures: unknown[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'several stops failed');
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
