import { type Upstream, UpstreamResponseError } from './upstream.errors.js';

/**
 * Reads an upstream JSON value field by field. Every accessor checks the type it promises and,
 * when it does not hold, throws UpstreamResponseError naming the upstream and the field path.
 */
export class UpstreamFields {
  private readonly record: Record<string, unknown>;

  /**
   * `path` names this value in errors; an array element is named by its array's path and its
   * index, joined only when an error needs it (a page reads hundreds of elements).
   */
  constructor(
    private readonly upstream: Upstream,
    value: unknown,
    private readonly basePath = '$',
    private readonly index?: number,
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.fail(this.path, 'an object');
    }
    this.record = value as Record<string, unknown>;
  }

  private get path(): string {
    return this.index === undefined ? this.basePath : `${this.basePath}[${this.index}]`;
  }

  has(key: string): boolean {
    return this.record[key] !== undefined && this.record[key] !== null;
  }

  string(key: string): string {
    const value = this.record[key];
    if (typeof value !== 'string' || value === '')
      throw this.fail(this.at(key), 'a non-empty string');
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.anyString(key) : undefined;
  }

  /** A string that may be empty (a Gmail snippet, a header value). */
  anyString(key: string): string {
    const value = this.record[key];
    if (typeof value !== 'string') throw this.fail(this.at(key), 'a string');
    return value;
  }

  integer(key: string): number {
    const value = this.record[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw this.fail(this.at(key), 'a non-negative integer');
    }
    return value;
  }

  optionalInteger(key: string): number | undefined {
    return this.has(key) ? this.integer(key) : undefined;
  }

  /** Google's JSON carries int64 values as decimal strings (internalDate, historyId). */
  int64String(key: string): number {
    const value = this.record[key];
    if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) {
      throw this.fail(this.at(key), 'a decimal string');
    }
    return Number(value);
  }

  boolean(key: string): boolean | undefined {
    const value = this.record[key];
    if (value === undefined) return undefined;
    if (typeof value === 'boolean') return value;
    // Some Google endpoints have sent booleans as strings ("true").
    if (value === 'true' || value === 'false') return value === 'true';
    throw this.fail(this.at(key), 'a boolean');
  }

  object(key: string): UpstreamFields {
    return new UpstreamFields(this.upstream, this.record[key], this.at(key));
  }

  /** The elements of an array field; a missing field is an empty list only when allowed. */
  array(key: string, { optional = false } = {}): UpstreamFields[] {
    const value = this.record[key];
    if (value === undefined && optional) return [];
    if (!Array.isArray(value)) throw this.fail(this.at(key), 'an array');
    const path = this.at(key);
    return value.map((item, index) => new UpstreamFields(this.upstream, item, path, index));
  }

  stringArray(key: string, { optional = false } = {}): string[] {
    const value = this.record[key];
    if (value === undefined && optional) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.fail(this.at(key), 'an array of strings');
    }
    return value;
  }

  raw(key: string): unknown {
    return this.record[key];
  }

  private at(key: string): string {
    return `${this.path}.${key}`;
  }

  private fail(path: string, expected: string): UpstreamResponseError {
    return new UpstreamResponseError(this.upstream, `${path} is not ${expected}`);
  }
}
