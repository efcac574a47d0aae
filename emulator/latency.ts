/** A request held at a Gmail endpoint until the test lets it go (Latency.hold). */
export interface HeldEndpoint {
  /** Resolves when a request reached the endpoint and is waiting. */
  readonly reached: Promise<void>;
  /** Lets the waiting request (and any later one) through, and removes the hold. */
  release(): void;
}

/**
 * Delays before Gmail's answers: one for every endpoint, and overrides for single endpoints;
 * and holds, which keep an endpoint's requests waiting until the test releases them (a
 * deterministic "slow request", with no timer).
 */
export class Latency {
  private readonly byEndpoint = new Map<string, number>();
  private readonly holds = new Map<string, { reached(): void; released: Promise<void> }>();

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

  hold(endpoint: string): HeldEndpoint {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(endpoint, { reached, released });
    return {
      reached: reachedPromise,
      release: () => {
        this.holds.delete(endpoint);
        release();
      },
    };
  }

  async before(endpoint: string): Promise<void> {
    const held = this.holds.get(endpoint);
    if (held) {
      held.reached();
      await held.released;
    }
    const ms = this.byEndpoint.get(endpoint) ?? this.ms;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
