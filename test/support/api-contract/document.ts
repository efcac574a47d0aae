/** Where the app serves its OpenAPI document; exempt from the contract it states. */
export const DOCUMENT_PATH = '/api/openapi.json';

/** The HTTP methods a Path Item Object may hold (OAS 3.1 §4.8.9). */
export const OPERATION_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
] as const;

/** A JSON value read from the document: every field is checked before use. */
export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 6901 §3: `~` and `/` of a key escaped, for a JSON Pointer. */
export const pointerTo = (...keys: string[]): string =>
  keys.map((key) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** A part of the document and where it is (a JSON Pointer), to name it in a problem. */
export interface Located {
  value: Json;
  pointer: string;
}

/**
 * `node` at `pointer`, with its Reference Object followed (OAS 3.1 §4.8.23: a local `$ref` such
 * as `#/components/responses/NotSignedIn`); undefined when it is not an object, or its reference
 * leads nowhere or outside the document.
 */
export function dereference(document: Json, node: unknown, pointer: string): Located | undefined {
  let current: Located | undefined = isObject(node) ? { value: node, pointer } : undefined;
  for (let hop = 0; hop < 16 && current && typeof current.value.$ref === 'string'; hop++) {
    current = at(document, current.value.$ref);
  }
  return current && typeof current.value.$ref !== 'string' ? current : undefined;
}

/** The object a local reference (`#/a/b~1c`) names in the document. */
function at(document: Json, reference: string): Located | undefined {
  if (!reference.startsWith('#/')) return undefined;
  const keys = reference
    .slice(2)
    .split('/')
    .map((key) => decodeURIComponent(key).replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = document;
  for (const key of keys) node = isObject(node) ? node[key] : undefined;
  return isObject(node) ? { value: node, pointer: pointerTo(...keys) } : undefined;
}
