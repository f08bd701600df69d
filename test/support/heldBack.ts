/** Lee Gu over a limit of one: three informational emails in the 06:00–07:00 window of 1 Dec 2026, two of them held back. */
import { recipientKey } from '../../shared/delivery/deliveryLedger.js';
import type { RateLimit } from '../../shared/rateLimit/rateLimit.js';

export const HELD_ADDRESS = 'lee.gu@contoso.com';
export const HELD_WINDOW_START = new Date('2026-12-01T06:00:00Z');

export async function holdTwoOfThree(rateLimit: RateLimit): Promise<void> {
  for (const id of ['a', 'b', 'c']) {
    const item = {
      eventId: id,
      notification: 'assignmentAlert',
      roleName: 'Global Administrator',
      principalName: 'Megan Bowen',
      scopeName: 'Contoso',
      occurredAt: '2026-12-01T06:20:00Z',
    };
    const request = { key: recipientKey(HELD_ADDRESS), address: HELD_ADDRESS, displayName: 'Lee Gu', item };
    await rateLimit.decide(id, [request], { limit: 1, windowMs: 3_600_000, seenBefore: false });
  }
}
