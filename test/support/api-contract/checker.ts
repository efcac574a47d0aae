import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  dereference,
  isObject,
  type Json,
  type Located,
  OPERATION_METHODS,
  pointerTo,
} from './document.js';
import { PathTemplates, type Route } from './paths.js';

/** One answer the app gave, as its client received it. */
export interface ReceivedAnswer {
  method: string;
  /** Without the query. */
  path: string;
  status: number;
  contentType?: string;
  /** The parsed body of a JSON answer; undefined for another type, or when there was none. */
  body?: unknown;
}

/** The URI Ajv knows the document by, so that its `#/components/schemas/...` resolve in it. */
const DOCUMENT_URI = 'https://contract.test/openapi.json';

/** The OAS base vocabulary's keywords (OAS 3.1 §4.8.24): annotations, to a validator. */
const OAS_KEYWORDS = ['discriminator', 'example', 'externalDocs', 'xml'];

/** Ajv errors shown per answer; the rest are counted. */
const ERRORS_SHOWN = 5;

/** `application/json`, or a `+json` type (RFC 6839 §3.1), with or without parameters. */
export const isJsonType = (contentType: string | undefined): boolean =>
  /^application\/(?:[\w.-]+\+)?json$/.test(essenceOf(contentType));

/** The type and subtype alone, lower case (RFC 9110 §8.3.1). */
const essenceOf = (contentType: string | undefined) =>
  (contentType ?? '').split(';', 1)[0].trim().toLowerCase();

/**
 * An OpenAPI 3.1 document as a contract: what one answer of the app breaks in it. Response
 * schemas are JSON Schema 2020-12, compiled by Ajv in strict mode (an unknown keyword, such as
 * 3.0's `nullable`, or an unknown format is a problem of the document) with the formats of
 * ajv-formats, and each is compiled once, when an answer first needs it.
 */
export class OpenApiContract {
  private readonly paths: PathTemplates;
  private readonly ajv = new Ajv2020({
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: true,
  });
  private readonly validators = new Map<string, ValidateFunction | Error>();

  constructor(private readonly document: Json) {
    this.paths = new PathTemplates(document);
    addFormats.default(this.ajv);
    // OpenAPI 3.0's `nullable`, which Ajv knows by default, means nothing in 3.1 (where a null is
    // `type: [..., "null"]`): unknown here, so strict mode reports it.
    this.ajv.removeKeyword('nullable');
    // The document is one schema resource, so that a response schema's `$ref`s resolve in it:
    // its own fields (paths, components...) are keywords that mean nothing, as are `x-` ones.
    const keywords = new Set([...OAS_KEYWORDS, ...Object.keys(document), ...extensions(document)]);
    for (const keyword of keywords) {
      if (!this.ajv.getKeyword(keyword)) this.ajv.addKeyword(keyword);
    }
    this.ajv.addSchema({ ...document, $id: DOCUMENT_URI }, undefined, undefined, false);
  }

  /** What `answer` breaks: its route, its status, and the body of a JSON answer. */
  problemsOf(answer: ReceivedAnswer): string[] {
    const route = this.paths.routeOf(answer.method, answer.path);
    const said = `${answer.method.toUpperCase()} ${answer.path} answered ${answer.status}`;
    if (!route) return [`${said} but is not in the document`];
    const response = this.responseOf(route, answer.status);
    if (!response) {
      const statuses = Object.keys(this.responsesOf(route)).join(', ') || 'none';
      return [
        `${route.name} answered ${answer.status}, a status the document does not give for it (it gives ${statuses})`,
      ];
    }
    if (!isJsonType(answer.contentType) || answer.body === undefined) return [];
    return this.bodyProblems(route, answer, response);
  }

  /**
   * Where the document's schemas break the JSON Schema 2020-12 meta-schema (the components'
   * and the responses'), and every response schema that does not compile strictly or refers to
   * one that does not; each named by its JSON Pointer in the document.
   */
  schemaProblems(): string[] {
    const problems: string[] = [];
    const schemas = isObject(this.document.components) ? this.document.components.schemas : {};
    for (const name of Object.keys(isObject(schemas) ? schemas : {})) {
      problems.push(...this.metaProblems(pointerTo('components', 'schemas', name)));
    }
    // A response in components is reached by every operation that refers to it: checked once.
    for (const pointer of new Set(this.mediaTypes().map((media) => media.pointer))) {
      const schema = `${pointer}/schema`;
      const validator = this.validatorAt(schema);
      problems.push(...this.metaProblems(schema));
      if (validator instanceof Error) problems.push(`${schema}: ${validator.message}`);
    }
    return problems;
  }

  /** Every Media Type Object of every response of every operation, dereferenced. */
  private mediaTypes(): Located[] {
    const paths = isObject(this.document.paths) ? this.document.paths : {};
    return Object.entries(paths).flatMap(([template, node]) => {
      const item = dereference(this.document, node, pointerTo('paths', template));
      if (!item) return [];
      return OPERATION_METHODS.flatMap((method) => {
        const at = item.pointer + pointerTo(method);
        const operation = dereference(this.document, item.value[method], at);
        if (!operation) return [];
        const responses = this.responsesOf({ name: template, operation });
        return Object.entries(responses).flatMap(([status, response]) => {
          const where = operation.pointer + pointerTo('responses', status);
          return this.mediaTypesOf(dereference(this.document, response, where));
        });
      });
    });
  }

  /** The Media Type Objects of a response that have a schema. */
  private mediaTypesOf(response: Located | undefined): Located[] {
    const content = response?.value.content;
    if (!response || !isObject(content)) return [];
    return Object.entries(content).flatMap(([type, node]) => {
      const media = dereference(this.document, node, response.pointer + pointerTo('content', type));
      return media && 'schema' in media.value ? [media] : [];
    });
  }

  private responsesOf(route: Route): Json {
    const responses = route.operation.value.responses;
    return isObject(responses) ? responses : {};
  }

  /** The Response Object for `status`: its own, else its range (`4XX`), else `default` (§4.8.16). */
  private responseOf(route: Route, status: number): Located | undefined {
    const responses = this.responsesOf(route);
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
    if (key === undefined) return undefined;
    const pointer = `${route.operation.pointer}${pointerTo('responses', key)}`;
    return dereference(this.document, responses[key], pointer);
  }

  private bodyProblems(route: Route, answer: ReceivedAnswer, response: Located): string[] {
    const essence = essenceOf(answer.contentType);
    const content = isObject(response.value.content) ? response.value.content : {};
    const [type, subtype] = essence.split('/');
    const key = [essence, `${type}/*`, '*/*'].find((k) => k in content);
    const said = `${route.name} answered ${answer.status}`;
    if (key === undefined) {
      const types = Object.keys(content).join(', ') || 'no body';
      return [
        `${said} as ${type}/${subtype}, a type the document does not give for it (it gives ${types})`,
      ];
    }
    const media = dereference(
      this.document,
      content[key],
      response.pointer + pointerTo('content', key),
    );
    if (!media || !('schema' in media.value)) return [];
    const validate = this.validatorAt(`${media.pointer}/schema`);
    if (validate instanceof Error) {
      return [`${said}, and its schema in the document does not compile: ${validate.message}`];
    }
    if (validate(answer.body)) return [];
    const errors = (validate.errors ?? []).map((error) => describeError(error));
    const more = errors.length > ERRORS_SHOWN ? [`${errors.length - ERRORS_SHOWN} more`] : [];
    return [
      `${said} with a body that breaks its schema: ${[...errors.slice(0, ERRORS_SHOWN), ...more].join('; ')}`,
    ];
  }

  /** The compiled schema at `pointer` in the document, or why it does not compile. */
  private validatorAt(pointer: string): ValidateFunction | Error {
    let validator = this.validators.get(pointer);
    if (!validator) {
      const uri = `${DOCUMENT_URI}#${pointer.split('/').map(encodeURIComponent).join('/')}`;
      try {
        validator = this.ajv.getSchema(uri) ?? new Error(`no schema at ${pointer}`);
      } catch (error) {
        validator = error instanceof Error ? error : new Error(String(error));
      }
      this.validators.set(pointer, validator);
    }
    return validator;
  }

  /** Where the schema at `pointer` breaks the JSON Schema 2020-12 meta-schema. */
  private metaProblems(pointer: string): string[] {
    const keys = pointer.slice(1).split('/');
    let schema: unknown = this.document;
    for (const key of keys) {
      schema = isObject(schema) ? schema[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    if (this.ajv.validateSchema(schema as object)) return [];
    return (this.ajv.errors ?? []).map((error) => `${pointer}: ${describeError(error, 'schema')}`);
  }
}

/** Ajv's error with where it is in the body (or schema), and the property or values it names. */
function describeError({ instancePath, message, params }: ErrorObject, of = 'body'): string {
  const named = params as Record<string, unknown>;
  const property = named.additionalProperty ?? named.unevaluatedProperty;
  const detail =
    typeof property === 'string'
      ? ` '${property}'`
      : named.allowedValues !== undefined
        ? ` ${JSON.stringify(named.allowedValues)}`
        : '';
  return `${instancePath || `(the ${of})`} ${message ?? 'is not valid'}${detail}`;
}

/** Every `x-` key in the document: Specification Extensions (§4.9), keywords that mean nothing. */
function extensions(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) extensions(item, found);
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-')) found.add(key);
      extensions(value, found);
    }
  }
  return found;
}
