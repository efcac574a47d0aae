import { Injectable } from '@nestjs/common';

/** A dependency the app cannot serve without; resolves when it answers, rejects when not. */
export type ReadinessCheck = () => Promise<unknown>;

/**
 * The checks behind /health/ready beyond the session store. A module registers its own (the
 * OAuth module: Google's discovery document), so the health module needs to know none of them.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.checks];
  }
}
