/** A missing or malformed environment variable: start-up stops with one line naming it. */
export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    readonly expectation: string,
  ) {
    super(`${variable}: ${expectation}`);
    this.name = 'ConfigurationError';
  }
}
