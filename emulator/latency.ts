/** Delays before Gmail's answers: one for every endpoint, and overrides for single endpoints. */
export class Latency {
  private readonly byEndpoint = new Map<string, number>();

  constructor(private ms: number) {}

  /** Without an endpoint: the delay of every endpoint, and the overrides are cleared. */
  set(ms: number, endpoint?: string): void {
    if (endpoint) {
      this.byEndpoint.set(endpoint, ms);
      return;
    }
    this.ms = ms;
    this.byEndpoint.clear();
  }

  async before(endpoint: string): Promise<void> {
    const ms = this.byEndpoint.get(endpoint) ?? this.ms;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
