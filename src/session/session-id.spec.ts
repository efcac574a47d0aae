import { describe, expect, it } from 'vitest';
import { SessionIds } from './session-id.js';

describe(SessionIds.name, () => {
  it('should make 32-character base64url ids (192 bits), all different, across refills', () => {
    const ids = new SessionIds();
    const made = Array.from({ length: 1000 }, () => ids.generate());
    for (const id of made) expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(made).size).toBe(1000);
    // No id is all zeros (bytes handed out are wiped, never handed out twice).
    expect(made).not.toContain('A'.repeat(32));
  });

  it('should not repeat between two generators', () => {
    const a = new SessionIds();
    const b = new SessionIds();
    expect(a.generate()).not.toBe(b.generate());
  });
});
