import { execFileSync } from 'node:child_process';
import { validate as horizontalPodAutoscaler } from 'kubernetes-models/_schemas/IoK8sApiAutoscalingV2HorizontalPodAutoscaler';
import { validate as deployment } from 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment';
import { validate as configMap } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap';
import { validate as service } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Service';
import { validate as serviceAccount } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount';
import { validate as ingress } from 'kubernetes-models/_schemas/IoK8sApiNetworkingV1Ingress';
import { validate as networkPolicy } from 'kubernetes-models/_schemas/IoK8sApiNetworkingV1NetworkPolicy';
import { validate as podDisruptionBudget } from 'kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget';
import { parseAllDocuments } from 'yaml';

/** Any object the kit renders: what every Kubernetes object has. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

type Validate = ((data: unknown) => boolean) & { errors?: ValidationError[] | null };
interface ValidationError {
  instancePath: string;
  keyword: string;
  params: unknown;
}

/**
 * The Kubernetes OpenAPI schemas (compiled by kubernetes-models) of the kinds the kit may
 * render; another kind fails the test until it is added here.
 */
const SCHEMAS: Record<string, Validate> = {
  'apps/v1 Deployment': deployment,
  'autoscaling/v2 HorizontalPodAutoscaler': horizontalPodAutoscaler,
  'networking.k8s.io/v1 Ingress': ingress,
  'networking.k8s.io/v1 NetworkPolicy': networkPolicy,
  'policy/v1 PodDisruptionBudget': podDisruptionBudget,
  'v1 ConfigMap': configMap,
  'v1 Service': service,
  'v1 ServiceAccount': serviceAccount,
};

/** `kubectl kustomize <dir>`: the objects it renders, parsed. */
export function kustomize(dir: string): Manifest[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('kubectl is not installed: the kit is rendered by `kubectl kustomize`');
    }
    throw error;
  }
  return parseAllDocuments(output)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/**
 * What is wrong with one object by its kind's schema: the schema's own errors (types, enums,
 * required fields), and every field the schema does not know. The compiled schemas accept
 * unknown fields (a typo such as `readinesProbe` passes them), so the object is walked against
 * the schema itself: the validator reads each property its schema declares (and every key of
 * a map), so a key of the object that it never read is one the schema does not have.
 */
export function schemaProblems(manifest: Manifest): string[] {
  const validate = SCHEMAS[`${manifest.apiVersion} ${manifest.kind}`];
  if (!validate) return [`${manifest.apiVersion} ${manifest.kind}: no schema in the kit's test`];
  const read = new WeakMap<object, Set<string>>();
  const proxies = new WeakMap<object, object>();
  const watched = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const known = proxies.get(value);
    if (known) return known;
    const keys = new Set<string>();
    read.set(value, keys);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string') keys.add(key);
        return watched(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === 'string') keys.add(key);
        return Reflect.has(target, key);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  const problems: string[] = [];
  if (!validate(watched(manifest))) {
    for (const error of validate.errors ?? []) {
      problems.push(
        `${error.instancePath || '/'}: ${error.keyword} ${JSON.stringify(error.params)}`,
      );
    }
  }
  const walk = (value: unknown, path: string) => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}/${index}`));
      return;
    }
    const keys = read.get(value);
    for (const [key, child] of Object.entries(value)) {
      if (!keys?.has(key)) problems.push(`${path}/${key}: unknown field "${key}"`);
      else walk(child, `${path}/${key}`);
    }
  };
  walk(manifest, '');
  return problems.map((problem) => `${manifest.kind} ${manifest.metadata.name}: ${problem}`);
}

/** Kubernetes quantities (`500m`, `2`, `600Mi`, `1Gi`, `512M`) as numbers (cores, bytes). */
export function quantity(value: string | number | undefined): number {
  if (value === undefined) return Number.NaN;
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value);
  if (!match) return Number.NaN;
  const units: Record<string, number> = {
    '': 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(match[1]) * units[match[2] ?? ''];
}
