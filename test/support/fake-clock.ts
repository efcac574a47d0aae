import { Clock } from '../../src/common/clock.js';

/** A clock tests move by hand; sleeping advances it instead of waiting. */
export class FakeClock extends Clock {
  constructor(private current = Date.now()) {
    super();
  }

  now(): number {
    return this.current;
  }

  /** Back to real time (ID tokens from the emulator carry real timestamps). */
  reset(): void {
    this.current = Date.now();
  }

  advance(ms: number): void {
    this.current += ms;
  }

  async sleep(ms: number): Promise<void> {
    this.current += ms;
  }
}
