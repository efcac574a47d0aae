import { Injectable } from '@nestjs/common';

/**
 * Whether this instance is shutting down. From SIGTERM on, readiness answers 503 so that load
 * balancers stop sending new requests while the listener still serves (SHUTDOWN_DELAY_MS).
 */
@Injectable()
export class ShutdownState {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  beginDraining(): void {
    this.draining = true;
  }
}
