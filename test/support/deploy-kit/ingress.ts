import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';

export interface IngressPath {
  host: string | undefined;
  path: string;
  pathType: string;
  service: string | undefined;
  port: string | number | undefined;
}

/** Every path of every rule, with its host and backend. */
export function ingressPaths(ingress: IIngress): IngressPath[] {
  return (ingress.spec?.rules ?? []).flatMap((rule) =>
    (rule.http?.paths ?? []).map((path) => ({
      host: rule.host,
      path: path.path ?? '',
      pathType: path.pathType,
      service: path.backend.service?.name,
      port: path.backend.service?.port?.name ?? path.backend.service?.port?.number,
    })),
  );
}

/**
 * Whether a request path is routed by an Ingress path, by the rules of the Ingress API
 * (kubernetes.io/docs/concepts/services-networking/ingress/#path-types): `Exact` matches the
 * path exactly, case-sensitively; `Prefix` matches element by element on `/`-separated
 * elements, ignoring a trailing slash (`/foo/bar` matches `/foo/bar` and `/foo/bar/baz`, not
 * `/foo/barbaz`; `/` matches every path). `ImplementationSpecific` depends on the controller,
 * so no claim about it can be checked: it counts as matching everything.
 */
export function matchesIngressPath(
  requestPath: string,
  { path, pathType }: Pick<IngressPath, 'path' | 'pathType'>,
): boolean {
  if (pathType === 'Exact') return requestPath === path;
  if (pathType !== 'Prefix') return true;
  const elements = (value: string) => value.split('/').filter((element) => element !== '');
  const prefix = elements(path);
  const request = elements(requestPath);
  return (
    prefix.length <= request.length && prefix.every((element, index) => element === request[index])
  );
}

/**
 * A request path an Express route pattern serves: `:param` and `*wildcard` become one element,
 * optional `{…}` parts are taken (`/messages/:id/read` → `/messages/x/read`).
 */
export function concretePath(pattern: string): string {
  return pattern
    .replace(/[{}]/g, '')
    .replace(/[:*][A-Za-z0-9_]+/g, 'x')
    .replace(/\/+$/, '')
    .replace(/^$/, '/');
}
