/** Time source, injected so that tests can move time instead of sleeping. */
export abstract class Clock {
  abstract now(): number;
  abstract sleep(ms: number): Promise<void>;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
