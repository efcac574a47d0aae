import { expect } from 'vitest';

type ErrorClass = abstract new (...args: never[]) => Error;

/** The message of the error `run` throws, after checking its class; fails when nothing is thrown. */
export function messageThrown(run: () => unknown, type: ErrorClass): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return (error as Error).message;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}

/** The error `promise` rejects with, after checking its class; fails when it resolves. */
export async function rejectionOf<E extends ErrorClass>(
  promise: Promise<unknown>,
  type: E,
): Promise<InstanceType<E>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as InstanceType<E>;
  }
  throw new Error(`expected a ${type.name}, but the promise resolved`);
}
