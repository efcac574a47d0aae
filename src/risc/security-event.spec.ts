import { describe, expect, it } from 'vitest';
import { RiscRejectedError } from './risc.errors.js';
import { eventsOf, RISC, subjectSub } from './security-event.js';

describe(eventsOf.name, () => {
  it('should list each event with its subject and body', () => {
    const subject = { subject_type: 'iss-sub', iss: 'https://accounts.google.com/', sub: '42' };
    const body = { subject, reason: 'hijacking' };
    expect(eventsOf({ events: { [`${RISC}account-disabled`]: body } })).toEqual([
      { type: `${RISC}account-disabled`, subject, body },
    ]);
  });

  it.each([
    [{}, 'events claim missing'],
    [{ events: {} }, 'events claim missing'],
    [{ events: [] }, 'events claim missing'],
    [
      { events: { [`${RISC}sessions-revoked`]: 'x' } },
      `event ${RISC}sessions-revoked is not an object`,
    ],
  ])('should refuse %j', (payload, reason) => {
    expect(() => eventsOf(payload)).toThrow(new RiscRejectedError(reason));
  });
});

describe(subjectSub.name, () => {
  it('should refuse a subject without a sub', () => {
    const [event] = eventsOf({ events: { [`${RISC}sessions-revoked`]: { subject: { sub: '' } } } });
    expect(() => subjectSub(event)).toThrow(RiscRejectedError);
  });
});
