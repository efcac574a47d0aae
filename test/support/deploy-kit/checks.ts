import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import type { ParsedConfiguration } from '../../../src/config/parse-configuration.js';
import type { ProductionCheck } from './ci.js';
import type { Stage } from './dockerfile.js';
import { featureSetting, parseNoting, SAMPLE_SECRETS, SECRET_VARIABLES } from './environment.js';
import { concretePath, ingressPaths, matchesIngressPath } from './ingress.js';
import type { Manifest } from './kubernetes.js';
import { quantity } from './kubernetes.js';
import { redisWithoutPassword } from './secrets.js';

/** A route the app serves: its method and Express path pattern. */
export interface Route {
  method: string;
  path: string;
}

/** Routes only the cluster may reach (Prometheus, the kubelet): never through the Ingress. */
export const INTERNAL_PREFIXES = ['/metrics', '/health'];

/** The secrets the service needs in production, each from a Secret key that must exist. */
const REQUIRED_SECRETS = [
  'GOOGLE_CLIENT_SECRET',
  'SESSION_SECRET',
  'TOKEN_ENCRYPTION_KEY',
  'METRICS_TOKEN',
];

/**
 * What the pods are sized from. Measured on this project's machine (2 cores, Node 24.22.3,
 * 2026-12-06): the built service with Redis, 50 signed-in accounts, warm /home at about one
 * core, V8's old space capped at 192 MiB: 300 MB RSS at most; its JS heap about 80 MB after
 * 200 sign-ins. Per open live stream, bench/README.md ("Live inbox streams"): 41.4 kB of RSS
 * at most (33.0-41.4 kB over its runs), 25.0 kB of JS heap.
 */
export const MEASURED = {
  baseRssBytes: 300e6,
  streamRssBytes: 41.4e3,
  baseHeapBytes: 80e6,
  streamHeapBytes: 25.0e3,
};

export function ofKind<T>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter((manifest) => manifest.kind === kind) as unknown as T[];
}

function only<T>(manifests: Manifest[], kind: string): T {
  const found = ofKind<T>(manifests, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0];
}

export function theDeployment(manifests: Manifest[]): IDeployment {
  return only<IDeployment>(manifests, 'Deployment');
}

export function theContainer(deployment: IDeployment): IContainer {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  if (containers.length !== 1)
    throw new Error(`expected one container, found ${containers.length}`);
  return containers[0];
}

/**
 * The environment the service's process gets: the image's ENV, then the container's `env`
 * (Secret keys hold SAMPLE_SECRETS, a ConfigMap key its rendered value), and what is wrong
 * with how each variable is given.
 */
export function containerEnvironment(
  manifests: Manifest[],
  imageEnv: Record<string, string>,
): { env: Record<string, string>; problems: string[] } {
  const container = theContainer(theDeployment(manifests));
  const configMaps = ofKind<IConfigMap>(manifests, 'ConfigMap');
  const env: Record<string, string> = { ...imageEnv };
  const problems: string[] = [];
  if (container.envFrom?.length) {
    problems.push('envFrom: its variable names are not in the manifest (name each one in env)');
  }
  for (const entry of container.env ?? []) {
    const secret = entry.valueFrom?.secretKeyRef;
    const configMapKey = entry.valueFrom?.configMapKeyRef;
    if (SECRET_VARIABLES.includes(entry.name) && !secret) {
      problems.push(`${entry.name}: a secret, but not from a Secret (secretKeyRef)`);
    }
    if (entry.value !== undefined) {
      env[entry.name] = entry.value;
    } else if (secret) {
      const sample = SAMPLE_SECRETS[entry.name];
      if (sample === undefined) problems.push(`${entry.name}: from a Secret, but no sample value`);
      else env[entry.name] = sample;
    } else if (configMapKey) {
      const configMap = configMaps.find((map) => map.metadata?.name === configMapKey.name);
      const value = configMap?.data?.[configMapKey.key];
      if (value === undefined) problems.push(`${entry.name}: no ConfigMap key ${configMapKey.key}`);
      else env[entry.name] = value;
    } else {
      problems.push(`${entry.name}: neither a value nor a Secret or ConfigMap key`);
    }
  }
  for (const name of REQUIRED_SECRETS) {
    const entry = (container.env ?? []).find((item) => item.name === name);
    const ref = entry?.valueFrom?.secretKeyRef;
    if (!ref || ref.optional) problems.push(`${name}: required, from a Secret key that must exist`);
  }
  if (!(container.env ?? []).some((entry) => entry.name === 'GOOGLE_REDIRECT_URI')) {
    problems.push('GOOGLE_REDIRECT_URI: not set (its default names the pod, not the public URL)');
  }
  return { env, problems };
}

/**
 * The configuration the service would start with, by its own parser, and every variable set
 * that the parser does not read (a typo, or a setting that does not exist).
 */
export function configurationOf(env: Record<string, string>): {
  config: ParsedConfiguration | undefined;
  problems: string[];
} {
  try {
    const { config, read } = parseNoting(env);
    const unread = Object.keys(env).filter((name) => !read.has(name));
    return {
      config,
      problems: unread.map(
        (name) => `${name}: set, but the configuration parser reads no such variable`,
      ),
    };
  } catch (error) {
    return { config: undefined, problems: [`the service would not start: ${String(error)}`] };
  }
}

/** A container port by name or number. */
function containerPort(container: IContainer, port: string | number | undefined) {
  if (typeof port === 'number') return port;
  return container.ports?.find((item) => item.name === port)?.containerPort;
}

/** Probes on the service's health routes and on the port it listens on. */
export function probeProblems(
  deployment: IDeployment,
  config: ParsedConfiguration,
  routes: Route[],
): string[] {
  const container = theContainer(deployment);
  const problems: string[] = [];
  const gets = new Set(routes.filter((r) => r.method === 'get').map((r) => r.path));
  const expected = {
    readinessProbe: '/health/ready',
    livenessProbe: '/health/live',
    startupProbe: '/health/live',
  } as const;
  for (const [probe, path] of Object.entries(expected) as [keyof typeof expected, string][]) {
    const httpGet = container[probe]?.httpGet;
    if (!httpGet) {
      problems.push(`${probe}: missing or not an HTTP GET`);
      continue;
    }
    if (httpGet.path !== path) problems.push(`${probe}: ${httpGet.path}, expected ${path}`);
    if (!gets.has(httpGet.path ?? ''))
      problems.push(`${probe}: the app serves no GET ${httpGet.path}`);
    const port = containerPort(container, httpGet.port);
    if (port !== config.server.port) {
      problems.push(
        `${probe}: port ${String(httpGet.port)}, the service listens on ${config.server.port}`,
      );
    }
  }
  if (['127.0.0.1', 'localhost', '::1'].includes(config.server.host)) {
    problems.push(
      `HOST ${config.server.host}: probes and the Service cannot reach a loopback listener`,
    );
  }
  if (!container.ports?.some((port) => port.containerPort === config.server.port)) {
    problems.push(`containerPort: none is the service's port ${config.server.port}`);
  }
  return problems;
}

/** The pod's grace period outlasts the preStop wait and the service's own drain. */
export function graceProblems(deployment: IDeployment, config: ParsedConfiguration): string[] {
  const pod = deployment.spec?.template.spec;
  const preStop = theContainer(deployment).lifecycle?.preStop;
  let preStopSeconds = 0;
  if (preStop?.sleep) preStopSeconds = preStop.sleep.seconds;
  else if (preStop?.exec?.command?.[0] === 'sleep')
    preStopSeconds = Number(preStop.exec.command[1]);
  else if (preStop) return ['preStop: only a sleep can be counted'];
  const drain =
    preStopSeconds + (config.server.shutdownDelayMs + config.server.shutdownGraceMs) / 1000;
  // Kubernetes' default when unset.
  const grace = pod?.terminationGracePeriodSeconds ?? 30;
  return grace > drain
    ? []
    : [
        `terminationGracePeriodSeconds ${grace} <= preStop ${preStopSeconds} s + SHUTDOWN_DELAY_MS ` +
          `${config.server.shutdownDelayMs} + SHUTDOWN_GRACE_MS ${config.server.shutdownGraceMs} ms`,
      ];
}

/** Non-root, no privilege escalation, read-only root filesystem, the image's user. */
export function securityProblems(deployment: IDeployment, imageUser: string | undefined): string[] {
  const pod = deployment.spec?.template.spec;
  const container = theContainer(deployment);
  const problems: string[] = [];
  const nonRoot = container.securityContext?.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot;
  if (nonRoot !== true) problems.push('runAsNonRoot: not true');
  const user = container.securityContext?.runAsUser ?? pod?.securityContext?.runAsUser;
  if (user === 0) problems.push('runAsUser: 0 (root)');
  if (imageUser && user !== undefined && String(user) !== imageUser.split(':')[0]) {
    problems.push(`runAsUser ${user} is not the image's user ${imageUser}`);
  }
  if (container.securityContext?.allowPrivilegeEscalation !== false) {
    problems.push('allowPrivilegeEscalation: not false');
  }
  if (container.securityContext?.readOnlyRootFilesystem !== true) {
    problems.push('readOnlyRootFilesystem: not true');
  }
  if (!container.securityContext?.capabilities?.drop?.includes('ALL')) {
    problems.push('capabilities: ALL not dropped');
  }
  return problems;
}

/** Requests and limits that hold the measured figures for the streams the pod is sized for. */
export function resourceProblems(
  deployment: IDeployment,
  hpa?: IHorizontalPodAutoscaler,
): string[] {
  const streams = Number(
    deployment.metadata?.annotations?.['gmail-oauth-nest/sized-for-live-streams'],
  );
  const resources = theContainer(deployment).resources;
  const request = quantity(resources?.requests?.memory);
  const limit = quantity(resources?.limits?.memory);
  const cpuRequest = quantity(resources?.requests?.cpu);
  const cpuLimit = quantity(resources?.limits?.cpu);
  const problems: string[] = [];
  if (!(streams > 0)) problems.push('annotation gmail-oauth-nest/sized-for-live-streams: missing');
  const peak = MEASURED.baseRssBytes + streams * MEASURED.streamRssBytes;
  if (!(request >= peak)) {
    problems.push(
      `memory request ${resources?.requests?.memory} < measured peak ${Math.round(peak / 1e6)} MB`,
    );
  }
  const heap = MEASURED.baseHeapBytes + streams * MEASURED.streamHeapBytes;
  if (!(limit / 4 >= heap)) {
    problems.push(
      `memory limit ${resources?.limits?.memory}: a quarter of it (V8's heap) < ${Math.round(heap / 1e6)} MB`,
    );
  }
  if (!(limit >= request)) problems.push('memory limit below the request');
  if (!(cpuRequest > 0 && cpuLimit >= cpuRequest))
    problems.push('cpu: request and limit needed, limit >= request');
  if (!(cpuLimit >= 1)) problems.push('cpu limit under one core: the event loop alone uses one');
  const memoryTarget = hpa?.spec?.metrics?.find((m) => m.resource?.name === 'memory')?.resource
    ?.target;
  if (memoryTarget?.averageUtilization !== undefined) {
    const scaleAt = (request * memoryTarget.averageUtilization) / 100;
    if (scaleAt <= MEASURED.baseRssBytes) {
      problems.push(
        `HPA memory target ${memoryTarget.averageUtilization} %: reached with no stream open`,
      );
    }
  }
  return problems;
}

/** Replicas, autoscaler, disruption budget, Service and NetworkPolicy fit the Deployment. */
export function topologyProblems(manifests: Manifest[]): string[] {
  const deployment = theDeployment(manifests);
  const container = theContainer(deployment);
  const podLabels = deployment.spec?.template.metadata?.labels ?? {};
  const selects = (selector: Record<string, string> | undefined) =>
    !!selector &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => podLabels[key] === value);
  const problems: string[] = [];
  if (!((deployment.spec?.replicas ?? 1) >= 2)) problems.push('Deployment: fewer than 2 replicas');
  const hpas = ofKind<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler');
  if (hpas.length !== 1) problems.push('HorizontalPodAutoscaler: expected one');
  for (const hpa of hpas) {
    const target = hpa.spec?.scaleTargetRef;
    if (target?.kind !== 'Deployment' || target.name !== deployment.metadata?.name) {
      problems.push('HorizontalPodAutoscaler: does not scale the Deployment');
    }
    if (!((hpa.spec?.minReplicas ?? 1) >= 2))
      problems.push('HorizontalPodAutoscaler: minReplicas < 2');
  }
  const pdbs = ofKind<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget');
  if (pdbs.length !== 1) problems.push('PodDisruptionBudget: expected one');
  for (const pdb of pdbs) {
    if (!selects(pdb.spec?.selector?.matchLabels))
      problems.push('PodDisruptionBudget: selects other pods');
  }
  const services = ofKind<IService>(manifests, 'Service');
  if (services.length !== 1) problems.push('Service: expected one');
  for (const service of services) {
    if (!selects(service.spec?.selector)) problems.push('Service: selects other pods');
    for (const port of service.spec?.ports ?? []) {
      if (containerPort(container, port.targetPort) === undefined) {
        problems.push(
          `Service port ${port.name}: targetPort ${String(port.targetPort)} is no container port`,
        );
      }
    }
  }
  const policies = ofKind<INetworkPolicy>(manifests, 'NetworkPolicy');
  if (policies.length !== 1) problems.push('NetworkPolicy: expected one');
  for (const policy of policies) {
    if (!selects(policy.spec?.podSelector?.matchLabels))
      problems.push('NetworkPolicy: selects other pods');
    for (const rule of policy.spec?.ingress ?? []) {
      for (const port of rule.ports ?? []) {
        if (containerPort(container, port.port) === undefined) {
          problems.push(`NetworkPolicy: ingress port ${String(port.port)} is no container port`);
        }
      }
    }
  }
  return problems;
}

/**
 * The Ingress routes every route of the app on every host, over TLS, to the Service; it
 * routes none of INTERNAL_PREFIXES; its read timeouts outlast the live stream's heartbeat; the
 * redirect URI's host is its host.
 */
export function ingressProblems(
  manifests: Manifest[],
  config: ParsedConfiguration,
  routes: Route[],
): string[] {
  const ingress = only<IIngress>(manifests, 'Ingress');
  const service = only<IService>(manifests, 'Service');
  const paths = ingressPaths(ingress);
  const hosts = [...new Set(paths.map((path) => path.host))];
  const problems: string[] = [];
  for (const path of paths) {
    if (path.pathType !== 'Exact' && path.pathType !== 'Prefix') {
      problems.push(
        `${path.path}: pathType ${path.pathType} (only Exact and Prefix can be checked)`,
      );
    }
    if (path.service !== service.metadata?.name)
      problems.push(`${path.path}: backend is not the Service`);
    if (!service.spec?.ports?.some((port) => port.name === path.port || port.port === path.port)) {
      problems.push(`${path.path}: backend port ${String(path.port)} is not the Service's`);
    }
  }
  for (const host of hosts) {
    if (host === undefined) problems.push('a rule without host: it would answer any host');
    const onHost = paths.filter((path) => path.host === host);
    for (const prefix of INTERNAL_PREFIXES) {
      for (const request of [prefix, `${prefix}/`, `${prefix}/x`]) {
        const routed = onHost.find((path) => matchesIngressPath(request, path));
        if (routed) problems.push(`${request} is routed (by ${routed.pathType} ${routed.path})`);
      }
    }
    const internal = (path: string) =>
      INTERNAL_PREFIXES.some((prefix) =>
        matchesIngressPath(path, { path: prefix, pathType: 'Prefix' }),
      );
    for (const route of routes) {
      const request = concretePath(route.path);
      if (internal(request)) continue;
      if (!onHost.some((path) => matchesIngressPath(request, path))) {
        problems.push(`${route.method.toUpperCase()} ${route.path}: not routed on ${host}`);
      }
    }
    if (!ingress.spec?.tls?.some((tls) => tls.hosts?.includes(host ?? ''))) {
      problems.push(`${host}: no TLS (Google calls /risc and /gmail/push over https only)`);
    }
  }
  const redirect = new URL(config.google.redirectUri);
  if (redirect.protocol !== 'https:')
    problems.push(`GOOGLE_REDIRECT_URI ${redirect.href}: not https`);
  if (!hosts.includes(redirect.hostname)) {
    problems.push(`GOOGLE_REDIRECT_URI's host ${redirect.hostname} is not the Ingress host`);
  }
  const heartbeat = Number(featureSetting(config, 'LIVE_HEARTBEAT_SECONDS'));
  const annotations = ingress.metadata?.annotations ?? {};
  for (const name of ['proxy-read-timeout', 'proxy-send-timeout']) {
    const seconds = Number(annotations[`nginx.ingress.kubernetes.io/${name}`]);
    if (!(seconds > heartbeat)) {
      problems.push(
        `${name} ${seconds} s: not longer than LIVE_HEARTBEAT_SECONDS (${heartbeat} s)`,
      );
    }
  }
  return problems;
}

/** No Secret is rendered and no ConfigMap holds a secret variable: secrets live outside. */
export function renderedSecretProblems(manifests: Manifest[]): string[] {
  const problems = manifests
    .filter((manifest) => manifest.kind === 'Secret')
    .map((manifest) => `Secret ${manifest.metadata.name}: written in the kit`);
  for (const map of ofKind<IConfigMap>(manifests, 'ConfigMap')) {
    for (const key of Object.keys(map.data ?? {})) {
      if (SECRET_VARIABLES.includes(key))
        problems.push(`ConfigMap ${map.metadata?.name}: holds ${key}`);
    }
  }
  return problems;
}

/** The Dockerfile's properties (issue #35, 1), against CI's production install. */
export function dockerfileProblems(
  stages: Stage[],
  ci: ProductionCheck,
  routes: Route[],
  demoCommand: string[],
): string[] {
  const problems: string[] = [];
  const names = new Set(stages.map((stage) => stage.name));
  const external = stages.filter((stage) => !names.has(stage.from));
  if (external.length !== 1 || !/^node:24(\.\d+){0,2}-(\w+-)?slim$/.test(external[0].from)) {
    problems.push(
      `base images ${external.map((s) => s.from).join(', ')}: expected one, node:24…-slim with a tag`,
    );
  }
  const runs = (stage: Stage | undefined) =>
    (stage?.instructions ?? [])
      .filter((i) => i.keyword === 'RUN')
      .flatMap((i) => i.args.split(/\s*&&\s*/).map((part) => part.trim()));
  const runtime = stages.at(-1);
  const build = stages.find((stage) => stage.name === 'build');
  const demo = stages.find((stage) => stage.name === 'demo');
  if (
    !build ||
    !runs(build).includes('npm ci --no-audit --no-fund') ||
    !runs(build).includes('npm run build')
  ) {
    problems.push('build stage: must run `npm ci` and `npm run build`');
  }
  if (!runtime || runtime.name !== 'runtime') {
    problems.push('the last stage (the default target) must be `runtime`');
    return problems;
  }
  if (!runs(runtime).includes(ci.install)) {
    problems.push(`runtime stage: does not run CI's \`${ci.install}\``);
  }
  for (const command of runs(runtime)) {
    if (
      /\bnpm (run|start|i|install)\b/.test(command) ||
      (/\bnpm ci\b/.test(command) && command !== ci.install)
    ) {
      problems.push(`runtime stage: runs \`${command}\` beyond the production install`);
    }
  }
  const copied: string[] = [];
  for (const instruction of runtime.instructions) {
    if (instruction.keyword === 'ADD') problems.push('runtime stage: ADD');
    if (instruction.keyword !== 'COPY') continue;
    const parts = instruction.args.split(/\s+/);
    const sources = parts.slice(0, -1);
    const from = instruction.flags.from;
    if (from && from !== 'build') problems.push(`runtime stage: copies from ${from}`);
    if (from === 'build' && sources.some((source) => source !== '/app/dist')) {
      problems.push(`runtime stage: copies ${sources.join(' ')} from the build (only dist/)`);
    }
    copied.push(...sources.map((source) => source.replace(/^\/app\//, '')));
  }
  if ([...copied].sort().join() !== [...ci.files].sort().join()) {
    problems.push(
      `runtime stage: holds ${copied.join(' ')}; CI's production install: ${ci.files.join(' ')}`,
    );
  }
  const env = imageEnvironment(stages, 'runtime');
  if (env.NODE_ENV !== 'production') problems.push('runtime stage: NODE_ENV is not production');
  if (env.HOST !== '0.0.0.0') problems.push('runtime stage: HOST is not 0.0.0.0');
  for (const stage of [runtime, demo]) {
    const user = imageUser(stage);
    if (!user || !/^[1-9]\d*(:\d+)?$/.test(user)) {
      problems.push(`${stage?.name ?? 'demo'} stage: USER ${user}: not a numeric non-root user`);
    }
    const cmd = stage?.instructions.filter((i) => i.keyword === 'CMD').at(-1)?.exec;
    const wanted = stage === runtime ? ci.start : demoCommand;
    if (cmd?.join(' ') !== wanted.join(' ')) {
      problems.push(
        `${stage?.name ?? 'demo'} stage: CMD ${JSON.stringify(cmd)}, expected ${JSON.stringify(wanted)}`,
      );
    }
    if (stage?.instructions.some((i) => i.keyword === 'ENTRYPOINT')) {
      problems.push(`${stage.name} stage: an ENTRYPOINT (the CMD must be what runs)`);
    }
    const health = stage?.instructions.filter((i) => i.keyword === 'HEALTHCHECK').at(-1)?.exec;
    const script = health?.[0] === 'node' ? (health.at(-1) ?? '') : '';
    const path = /'(\/[^']*)'\)\.then/.exec(script)?.[1];
    const lives = routes.some((route) => route.method === 'get' && route.path === path);
    if (!script.includes('fetch(') || path !== '/health/live' || !lives) {
      problems.push(
        `${stage?.name ?? 'demo'} stage: HEALTHCHECK must be node's fetch of /health/live`,
      );
    }
  }
  if (!demo || !runs(demo).includes('npm run build:demo')) {
    problems.push('demo stage: missing, or does not run `npm run build:demo`');
  }
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      for (const [name] of instruction.properties) {
        if (SECRET_VARIABLES.includes(name))
          problems.push(`${instruction.keyword} ${name}: a secret baked in`);
      }
      if (instruction.keyword === 'COPY' && /(^|\s|\/)\.env\b/.test(instruction.args)) {
        problems.push(`COPY ${instruction.args}: .env holds secrets`);
      }
    }
  }
  return problems;
}

/** ENV of a stage and the stages it is built on. */
export function imageEnvironment(stages: Stage[], name: string): Record<string, string> {
  const chain: Stage[] = [];
  for (let stage = stages.find((s) => s.name === name); stage;) {
    chain.unshift(stage);
    const parent = stage.from;
    stage = stages.find((s) => s.name === parent);
  }
  const env: Record<string, string> = {};
  for (const stage of chain) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'ENV') continue;
      for (const [key, value] of instruction.properties) env[key] = value ?? '';
    }
  }
  return env;
}

export function imageUser(stage: Stage | undefined): string | undefined {
  return stage?.instructions
    .filter((i) => i.keyword === 'USER')
    .at(-1)
    ?.args.trim();
}

/** The part of a compose file the kit uses. */
export interface ComposeService {
  build?: { context?: string; target?: string };
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, unknown>;
  stop_grace_period?: string;
  network_mode?: string;
  read_only?: boolean;
}

/**
 * `${NAME:?message}`, `${NAME:-default}` and `${NAME}` as compose reads them, with the
 * operator's environment made of SAMPLE_SECRETS.
 */
export function interpolate(value: string): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?::?([?-])([^}]*))?\}/g,
    (_, name: string, kind?: string, rest?: string) => {
      const given = SAMPLE_SECRETS[name];
      if (given !== undefined) return given;
      if (kind === '-') return rest ?? '';
      if (kind === '?') throw new Error(`compose needs ${name} (${rest})`);
      return '';
    },
  );
}

/** A compose service's environment: literal values as strings, interpolated. */
export function composeEnvironment(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([name, value]) => [
      name,
      interpolate(String(value ?? '')),
    ]),
  );
}

/** Secrets in compose come from the operator's environment, by their own name. */
export function composeSecretProblems(service: ComposeService): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(service.environment ?? {})) {
    if (!SECRET_VARIABLES.includes(name)) continue;
    const text = String(value ?? '');
    const own = new RegExp(`^\\$\\{${name}(:?[?-][^}]*)?\\}$`).test(text);
    if (!own && !redisWithoutPassword(name, text))
      problems.push(`${name}: a value written in compose.yaml`);
  }
  return problems;
}

/** Compose's duration (`15s`, `1m30s`) in seconds. */
export function composeDuration(value: string | undefined): number {
  if (!value) return 10; // Docker's default
  let seconds = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    seconds += Number(amount) * { ms: 0.001, s: 1, m: 60, h: 3600 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return seconds;
}
