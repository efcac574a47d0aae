import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { ParsedConfiguration } from '../src/config/parse-configuration.js';
import { productionCheck, type ProductionCheck } from './support/deploy-kit/ci.js';
import {
  type ComposeService,
  composeDuration,
  composeEnvironment,
  composeSecretProblems,
  configurationOf,
  containerEnvironment,
  dockerfileProblems,
  graceProblems,
  imageEnvironment,
  imageUser,
  ingressProblems,
  MEASURED,
  ofKind,
  probeProblems,
  renderedSecretProblems,
  resourceProblems,
  type Route,
  securityProblems,
  theContainer,
  theDeployment,
  topologyProblems,
} from './support/deploy-kit/checks.js';
import { dockerfileStages, dockerIgnores, type Stage } from './support/deploy-kit/dockerfile.js';
import { REQUIRED_SAMPLES, SAMPLE_SECRETS } from './support/deploy-kit/environment.js';
import { kustomize, type Manifest, schemaProblems } from './support/deploy-kit/kubernetes.js';
import { startAppForRoutes } from './support/deploy-kit/routes.js';
import { secretLiterals } from './support/deploy-kit/secrets.js';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';

/**
 * The deployment kit (issue #35) against the service itself: the manifests as kubectl
 * kustomize renders them, the Dockerfile as dockerfile-ast parses it and compose.yaml, each
 * held to the service's configuration parser, its routes, its health endpoints and CI's
 * production install. No network: nothing is pulled, built or applied.
 */
const KIT = 'deploy/kubernetes';
/** Each overlay and the Redis topology it must configure. */
const OVERLAYS = {
  'redis-single': 'single',
  'redis-sentinel': 'sentinel',
  'redis-cluster': 'cluster',
} as const;
const COMPONENTS = readdirSync(join(KIT, 'components'));

interface Variant {
  name: string;
  manifests: Manifest[];
  mode: string;
}

const read = (path: string) => readFileSync(path, 'utf8');

/** An overlay with components, rendered through a kustomization of its own in a temp folder. */
function kustomizeWith(overlay: string, components: string[]): Manifest[] {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-kit-'));
  try {
    const from = (path: string) => relative(dir, resolve(path));
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        `resources: [${from(join(KIT, 'overlays', overlay))}]`,
        `components: [${components.map((c) => from(join(KIT, 'components', c))).join(', ')}]`,
      ].join('\n'),
    );
    return kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function filesUnder(path: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path).flatMap((name) => filesUnder(join(path, name)))
    : [path];
}

let base: Manifest[];
let variants: Variant[];
let app: NestExpressApplication | undefined;
let routes: Route[];
let stages: Stage[];
let ci: ProductionCheck;
let demoCommand: string[];
let imageEnv: Record<string, string>;
let compose: { services: Record<string, ComposeService> };

beforeAll(async () => {
  base = kustomize(join(KIT, 'base'));
  variants = Object.entries(OVERLAYS).map(([name, mode]) => ({
    name,
    mode,
    manifests: kustomize(join(KIT, 'overlays', name)),
  }));
  // Each component on the first overlay (components are independent of the Redis topology).
  const [first, mode] = Object.entries(OVERLAYS)[0];
  for (const component of COMPONENTS) {
    variants.push({
      name: `${first} + ${component}`,
      mode,
      manifests: kustomizeWith(first, [component]),
    });
  }
  ({ app, routes } = await startAppForRoutes());
  stages = dockerfileStages(read('Dockerfile'));
  ci = productionCheck(read('.ci/run'));
  const demoScript = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
    .scripts.demo;
  demoCommand = demoScript.split('&&').at(-1)!.trim().split(/\s+/);
  imageEnv = imageEnvironment(stages, 'runtime');
  compose = parseYaml(read('compose.yaml')) as typeof compose;
});

afterAll(async () => {
  await app?.close();
});

/** The configuration the Deployment of a rendered variant starts the service with. */
function configurationOfVariant(manifests: Manifest[]): ParsedConfiguration {
  const { env } = containerEnvironment(manifests, imageEnv);
  const { config, problems } = configurationOf(env);
  if (!config) throw new Error(problems.join('\n'));
  return config;
}

describe('the Kubernetes manifests, as kubectl kustomize renders them', () => {
  it('should render the base, every overlay and every component', () => {
    expect(base.length).toBeGreaterThan(0);
    expect(variants.map((v) => v.name)).toEqual([
      ...Object.keys(OVERLAYS),
      ...COMPONENTS.map((c) => `redis-single + ${c}`),
    ]);
    for (const { manifests } of variants) {
      expect(manifests.map((m) => m.kind).sort()).toEqual([
        'Deployment',
        'HorizontalPodAutoscaler',
        'Ingress',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ]);
    }
  });

  it("should validate every object against its kind's schema, with no unknown field", () => {
    for (const { name, manifests } of [{ name: 'base', manifests: base }, ...variants]) {
      expect(manifests.flatMap(schemaProblems), name).toEqual([]);
    }
  });

  it('should set only variables the configuration parser reads, and parse to a production configuration', () => {
    for (const { name, manifests } of variants) {
      const given = containerEnvironment(manifests, imageEnv);
      const { config, problems } = configurationOf(given.env);
      expect([...given.problems, ...problems], name).toEqual([]);
      expect(config?.server.production, name).toBe(true);
      expect(config?.session.secureCookie, name).toBe(true);
    }
  });

  it('should point each overlay at its Redis topology, and leave the base without one', () => {
    for (const { name, manifests, mode } of variants) {
      expect(configurationOfVariant(manifests).session.redis?.mode, name).toBe(mode);
    }
    // The base alone runs the embedded store: not a deployment of several replicas.
    expect(configurationOfVariant(base).session.redis).toBeUndefined();
  });

  it("should probe the service's own health routes on the port it listens on", async () => {
    for (const { name, manifests } of variants) {
      const config = configurationOfVariant(manifests);
      expect(probeProblems(theDeployment(manifests), config, routes), name).toEqual([]);
    }
    // The liveness path answers 200 in the real app (readiness would ask Google: no network).
    await supertest(app!.getHttpServer()).get('/health/live').expect(200);
  });

  it('should give the pod a grace period longer than preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS', () => {
    for (const { name, manifests } of variants) {
      const config = configurationOfVariant(manifests);
      expect(graceProblems(theDeployment(manifests), config), name).toEqual([]);
      // Not the defaults: behind Kubernetes the listener keeps serving while endpoints update.
      expect(config.server.shutdownDelayMs, name).toBeGreaterThanOrEqual(5000);
    }
  });

  it('should run as non-root, read-only, without privilege escalation, as the image user', () => {
    const user = imageUser(stages.find((stage) => stage.name === 'runtime'));
    for (const { name, manifests } of variants) {
      expect(securityProblems(theDeployment(manifests), user), name).toEqual([]);
    }
  });

  it('should size requests and limits from the measured RSS, heap and CPU', () => {
    // The per-stream figures are bench/README.md's; re-measured, they are changed in both places.
    const bench = read('bench/README.md');
    expect(bench).toContain(`${MEASURED.streamRssBytes / 1000} kB`);
    expect(bench).toContain(`${(MEASURED.streamHeapBytes / 1000).toFixed(1)} kB per stream`);
    for (const { name, manifests } of variants) {
      const [hpa] = ofKind<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler');
      expect(resourceProblems(theDeployment(manifests), hpa), name).toEqual([]);
    }
  });

  it('should fit the replicas, autoscaler, disruption budget, Service and NetworkPolicy to the pods', () => {
    for (const { name, manifests } of variants) {
      expect(topologyProblems(manifests), name).toEqual([]);
    }
  });

  it('should route every route of the app over TLS, /metrics and /health never', () => {
    // The app's routes, from its own router: the pages, /api, /risc, /gmail/push, /static.
    const paths = routes.map((route) => route.path);
    for (const path of ['/', '/home/events', '/risc', '/gmail/push', '/metrics', '/health/ready']) {
      expect(paths).toContain(path);
    }
    for (const { name, manifests } of variants) {
      const config = configurationOfVariant(manifests);
      expect(ingressProblems(manifests, config, routes), name).toEqual([]);
    }
  });

  it('should take every secret from a Secret and render none', () => {
    for (const { name, manifests } of variants) {
      expect(containerEnvironment(manifests, imageEnv).problems, name).toEqual([]);
      expect(renderedSecretProblems(manifests), name).toEqual([]);
      expect(secretLiterals(JSON.stringify(manifests)), name).toEqual([]);
    }
  });

  it('should export traces only with the OTLP component', () => {
    for (const { name, manifests } of variants) {
      const endpoint = configurationOfVariant(manifests).tracing.endpoint;
      if (name.includes('otlp-tracing'))
        expect(endpoint, name).toMatch(/^https?:\/\/.+\/v1\/traces$/);
      else expect(endpoint, name).toBeUndefined();
    }
  });
});

describe('the Dockerfile, as dockerfile-ast parses it', () => {
  it("should build on Node 24 slim, and run as CI's production install runs", () => {
    expect(ci.install).toMatch(/^npm ci --omit=dev/);
    expect(ci.start).toEqual(['node', 'dist/main.js']);
    expect(dockerfileProblems(stages, ci, routes, demoCommand)).toEqual([]);
  });

  it('should set only variables the configuration parser reads, in every stage', () => {
    const set: [string, string][] = stages
      .flatMap((stage) => stage.instructions)
      .flatMap((instruction) => instruction.properties)
      .map(([name, value]) => [name, value ?? '']);
    expect(set.length).toBeGreaterThan(0);
    // With HOST=0.0.0.0 the default redirect URI is not loopback: the image alone refuses to
    // start until GOOGLE_REDIRECT_URI names the public URL, as every deployment of it does.
    const env = { ...REQUIRED_SAMPLES, GOOGLE_REDIRECT_URI: 'https://mail.example.com/callback' };
    expect(configurationOf({ ...env, ...Object.fromEntries(set) }).problems).toEqual([]);
  });

  it('should keep node_modules, tests and local files out of the context and let in what it copies', () => {
    const dockerignore = read('.dockerignore');
    for (const path of [
      'node_modules/express/package.json',
      'dist/main.js',
      'dist-demo/emulator/demo.js',
      'test/deploy-kit.e2e-spec.ts',
      'src/config/parse-configuration.spec.ts',
      'coverage/index.html',
      'test-output/redis-outage.json',
      '.env',
      '.env.example',
      '.git/HEAD',
      'bench/README.md',
      'deploy/kubernetes/base/deployment.yaml',
      'debug.log',
    ]) {
      expect(dockerIgnores(dockerignore, path), path).toBe(true);
    }
    const sources = stages
      .flatMap((stage) => stage.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.flags.from)
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const file of sources.flatMap(filesUnder)) {
      if (/\.spec\.ts$|spec-support\.ts$/.test(file)) continue;
      expect(dockerIgnores(dockerignore, file), file).toBe(false);
    }
  });
});

describe('compose.yaml', () => {
  it('should run the runtime target with its Redis, on the port the service listens on', () => {
    const service = compose.services.app;
    expect(service.build?.target).toBe(stages.at(-1)?.name);
    const { config, problems } = configurationOf({ ...imageEnv, ...composeEnvironment(service) });
    expect(problems).toEqual([]);
    expect(config?.session.redis?.mode).toBe('single');
    const redisHost = new URL(composeEnvironment(service).REDIS_URL).hostname;
    expect(Object.keys(compose.services)).toContain(redisHost);
    expect(Object.keys(service.depends_on ?? {})).toContain(redisHost);
    expect(service.ports?.some((port) => port.endsWith(`:${config?.server.port}`))).toBe(true);
    const drain =
      ((config?.server.shutdownDelayMs ?? 0) + (config?.server.shutdownGraceMs ?? 0)) / 1000;
    expect(composeDuration(service.stop_grace_period)).toBeGreaterThan(drain);
    expect(service.read_only).toBe(true);
  });

  it('should run the demo target in the demo profile, with variables the parser reads', () => {
    const demo = compose.services.demo;
    expect(demo.build?.target).toBe('demo');
    expect(demo.profiles).toEqual(['demo']);
    // The demo binds 127.0.0.1 only (emulator/demo.runner.ts): the host's network reaches it.
    expect(demo.network_mode).toBe('host');
    const env = {
      ...REQUIRED_SAMPLES,
      ...imageEnvironment(stages, 'demo'),
      ...composeEnvironment(demo),
    };
    expect(configurationOf(env).problems).toEqual([]);
  });

  it('should take secrets from the operator environment, by their own names', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(composeSecretProblems(service), name).toEqual([]);
    }
  });
});

describe('the files of the kit', () => {
  it('should write no secret value anywhere', () => {
    const files = ['Dockerfile', '.dockerignore', 'compose.yaml', ...filesUnder(KIT)];
    for (const file of files) expect(secretLiterals(read(file)), file).toEqual([]);
  });
});

/** Each check fails on the mistake it is there for: a broken copy of the real kit. */
describe("the kit's checks, on broken copies", () => {
  const broken = () => structuredClone(variants[0].manifests);
  const container = (manifests: Manifest[]) => theContainer(theDeployment(manifests));

  it('should find a misspelt field the schema alone lets through', () => {
    const manifests = broken();
    const probe = container(manifests).readinessProbe;
    const mistyped = container(manifests) as unknown as Record<string, unknown>;
    delete mistyped.readinessProbe;
    mistyped.readinesProbe = probe;
    expect(schemaProblems(theDeployment(manifests) as unknown as Manifest)).toEqual([
      'Deployment gmail-oauth-nest: /spec/template/spec/containers/0/readinesProbe: unknown field "readinesProbe"',
    ]);
    // And a wrong type, which the schema itself refuses.
    const [service] = ofKind<Manifest & { spec: { ports: { port: unknown }[] } }>(
      manifests,
      'Service',
    );
    service.spec.ports[0].port = 'eighty';
    expect(schemaProblems(service).join()).toMatch(/\/spec\/ports\/0\/port: type/);
  });

  it('should refuse a variable the parser does not read, and one that stops start-up', () => {
    const manifests = broken();
    container(manifests).env!.push({ name: 'REDIS_URLS', value: 'redis://redis:6379' });
    const { env } = containerEnvironment(manifests, imageEnv);
    expect(configurationOf(env).problems).toEqual([
      'REDIS_URLS: set, but the configuration parser reads no such variable',
    ]);
    container(manifests).env!.push({ name: 'REDIS_SENTINEL_MASTER', value: 'mymaster' });
    expect(configurationOf(containerEnvironment(manifests, imageEnv).env).problems.join()).toMatch(
      /would not start: .*REDIS_SENTINEL_MASTER/,
    );
  });

  it('should refuse a secret written in, in a manifest, compose.yaml or any file', () => {
    const manifests = broken();
    const entry = container(manifests).env!.find((e) => e.name === 'SESSION_SECRET')!;
    delete entry.valueFrom;
    entry.value = 'a-session-secret-written-in-the-manifest!';
    expect(containerEnvironment(manifests, imageEnv).problems).toEqual([
      'SESSION_SECRET: a secret, but not from a Secret (secretKeyRef)',
      'SESSION_SECRET: required, from a Secret key that must exist',
    ]);
    expect(
      composeSecretProblems({ environment: { REDIS_URL: 'redis://default:hunter2@redis:6379' } }),
    ).toEqual(['REDIS_URL: a value written in compose.yaml']);
    expect(secretLiterals('REDIS_URL=rediss://default:hunter2@redis.example:6379')).not.toEqual([]);
    expect(
      secretLiterals(`TOKEN_ENCRYPTION_KEY: ${SAMPLE_SECRETS.TOKEN_ENCRYPTION_KEY}`),
    ).not.toEqual([]);
    expect(secretLiterals('value: GOCSPX-abcdefghijklmnop')).not.toEqual([]);
    expect(secretLiterals('REDIS_URL=rediss://default:${REDIS_PASSWORD}@redis:6379')).toEqual([]);
  });

  it('should find /metrics routed by a "/" prefix, and a route left out', () => {
    const manifests = broken();
    const config = configurationOfVariant(manifests);
    const [ingress] = ofKind<IIngress>(manifests, 'Ingress');
    const paths = ingress.spec!.rules![0].http!.paths;
    const api = paths.findIndex((path) => path.path === '/api');
    const [removed] = paths.splice(api, 1);
    paths.push({ ...removed, path: '/', pathType: 'Prefix' });
    const problems = ingressProblems(manifests, config, routes);
    expect(problems).toContain('/metrics is routed (by Prefix /)');
    expect(problems).toContain('/health/x is routed (by Prefix /)');
    paths.pop();
    expect(ingressProblems(manifests, config, routes)).toContain(
      'GET /api/messages: not routed on mail.example.com',
    );
    paths.push({ ...removed, path: '/metrics', pathType: 'Exact' });
    expect(ingressProblems(manifests, config, routes)).toContain(
      '/metrics is routed (by Exact /metrics)',
    );
  });

  it('should find a grace period that the drain outlasts', () => {
    const manifests = broken();
    theDeployment(manifests).spec!.template.spec!.terminationGracePeriodSeconds = 25;
    expect(graceProblems(theDeployment(manifests), configurationOfVariant(manifests))).toEqual([
      'terminationGracePeriodSeconds 25 <= preStop 5 s + SHUTDOWN_DELAY_MS 5000 + SHUTDOWN_GRACE_MS 15000 ms',
    ]);
  });

  it('should find probes off the health routes, and requests under the measured figures', () => {
    const manifests = broken();
    container(manifests).readinessProbe!.httpGet!.path = '/healthz';
    container(manifests).resources!.requests!.memory = '256Mi';
    const deployment = theDeployment(manifests);
    expect(probeProblems(deployment, configurationOfVariant(manifests), routes)).toEqual([
      'readinessProbe: /healthz, expected /health/ready',
      'readinessProbe: the app serves no GET /healthz',
    ]);
    expect(resourceProblems(deployment).join()).toMatch(
      /memory request 256Mi < measured peak 466 MB/,
    );
  });

  it('should find an image that starts through npm or installs more than CI does', () => {
    const text = read('Dockerfile')
      .replace('CMD ["node", "dist/main.js"]', 'CMD ["npm", "start"]')
      .replace('--ignore-scripts && npm cache', '&& npm cache');
    const problems = dockerfileProblems(dockerfileStages(text), ci, routes, demoCommand);
    expect(problems).toContain(`runtime stage: does not run CI's \`${ci.install}\``);
    expect(problems).toContain(
      'runtime stage: CMD ["npm","start"], expected ["node","dist/main.js"]',
    );
    // A .dockerignore that lets node_modules back in is seen to.
    expect(dockerIgnores(`${read('.dockerignore')}\n!node_modules/`, 'node_modules/x.js')).toBe(
      false,
    );
  });
});
