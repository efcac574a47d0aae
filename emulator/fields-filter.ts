/**
 * Google's partial-response `fields` parameter: comma-separated paths, `a/b` for a nested
 * field, `a(b,c)` for several fields of `a`; arrays are filtered element by element.
 */
type Selection = Map<string, Selection | true>;

export function parseFields(expression: string): Selection {
  let position = 0;
  const name = (): string => {
    const match = /^[A-Za-z0-9_*]+/.exec(expression.slice(position));
    if (!match) throw new Error(`bad fields expression at character ${position}`);
    position += match[0].length;
    return match[0];
  };
  const item = (): [string, Selection | true] => {
    const key = name();
    if (expression[position] === '/') {
      position++;
      const [childKey, child] = item();
      return [key, new Map([[childKey, child]])];
    }
    if (expression[position] === '(') {
      position++;
      const inner = list();
      if (expression[position] !== ')') throw new Error('unclosed ( in fields');
      position++;
      return [key, inner];
    }
    return [key, true];
  };
  const list = (): Selection => {
    const selection: Selection = new Map();
    for (;;) {
      const [key, child] = item();
      merge(selection, key, child);
      if (expression[position] !== ',') return selection;
      position++;
    }
  };
  const result = list();
  if (position !== expression.length)
    throw new Error(`unexpected "${expression[position]}" in fields`);
  return result;
}

function merge(selection: Selection, name: string, child: Selection | true): void {
  const existing = selection.get(name);
  if (existing === true || child === true) {
    selection.set(name, true);
    return;
  }
  if (existing) for (const [key, value] of child) merge(existing, key, value);
  else selection.set(name, child);
}

export function applyFields(value: unknown, selection: Selection): unknown {
  if (Array.isArray(value)) return value.map((item) => applyFields(item, selection));
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [name, child] of selection) {
    const keys = name === '*' ? Object.keys(value) : [name];
    for (const key of keys) {
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined) continue;
      result[key] = child === true ? field : applyFields(field, child);
    }
  }
  return result;
}
