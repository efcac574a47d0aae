import { dereference, isObject, type Json, type Located, pointerTo } from './document.js';

/** The operation a request reached: its path template, method and Operation Object. */
export interface Route {
  /** `GET /api/messages/{id}`, as problems name it. */
  name: string;
  operation: Located;
}

interface Template {
  template: string;
  pattern: RegExp;
  /** Per segment, 0 for a literal one and 1 for one with a variable: to rank matches. */
  rank: number[];
}

/**
 * The path templates of the document (OAS 3.1 §4.8.8), matched as the server routes: a variable
 * stands for one whole segment or part of one, never a `/`.
 */
export class PathTemplates {
  private readonly templates: Template[];

  constructor(private readonly document: Json) {
    const paths = isObject(document.paths) ? document.paths : {};
    this.templates = Object.keys(paths).map((template) => ({
      template,
      pattern: new RegExp(
        `^${template
          .split(/\{[^}/]+\}/)
          .map(escape)
          .join('[^/]+')}$`,
      ),
      rank: template.split('/').map((segment) => (segment.includes('{') ? 1 : 0)),
    }));
  }

  /**
   * The operation for `method` and `path`: among the templates that match the path and have the
   * method, the most concrete (§4.8.8: concrete paths before templated ones, segment by segment).
   * A HEAD request reaches the GET operation when there is no HEAD one, as Express routes it.
   */
  routeOf(method: string, path: string): Route | undefined {
    const verb = method.toLowerCase();
    const matching = this.templates
      .filter(({ pattern }) => pattern.test(path))
      .sort((a, b) => compareRanks(a.rank, b.rank));
    for (const candidate of verb === 'head' ? ['head', 'get'] : [verb]) {
      for (const { template } of matching) {
        const pointer = pointerTo('paths', template);
        const item = dereference(this.document, (this.document.paths as Json)[template], pointer);
        const operation =
          item &&
          dereference(this.document, item.value[candidate], item.pointer + pointerTo(candidate));
        if (operation) return { name: `${method.toUpperCase()} ${template}`, operation };
      }
    }
    return undefined;
  }
}

const escape = (literal: string) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compareRanks(a: number[], b: number[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (a[index] !== b[index]) return a[index] - b[index];
  }
  return 0;
}
