/**
 * The trail of a request whose approvers all bounced: the approvers' emails with their
 * outcome, and the fallback's emails (the default approvers asked, the requester told) by
 * address, not by the hash the ledger keeps: those emails keep no event to plan again, so the
 * trail matches them against everyone fallback and escalation may mail.
 */
import { describe, expect, it } from 'vitest';
import { trailOf } from '../../shared/delivery/trail.js';
import { escalationAddressBook } from '../../shared/escalation/addressBook.js';
import { requestDeliveryId } from '../../shared/escalation/fallback.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { createDirectory } from '../../shared/composition/services.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { approvalEvent, sentToApprovers } from './escalationHarness.js';

const startFake = fakeAcsPerTest();
const APPROVERS = ['ana.approver@contoso.example', 'bo.approver@contoso.example'];

describe('trail after a fallback', () => {
  it('shows who the fallback asked and told, by address and why', async () => {
    const event = approvalEvent();
    const s = await sentToApprovers(startFake, APPROVERS, { event, bounced: { [APPROVERS[0]!]: 'Bounced', [APPROVERS[1]!]: 'Bounced' } });
    await s.record();
    const { settings, directory } = s.escalation;
    const rows = await trailOf([event.id, requestDeliveryId('fallback', event as never)], {
      ledger: s.h.ledger,
      // Planning the event again needs a whole directory (the sample tenant's; the harness's answers only what fallback asks).
      directory: await createDirectory(loadSettings()),
      settings: { ...loadSettings(), ...settings },
      addressBook: (requesters) => escalationAddressBook(directory, settings, requesters),
    });
    const fallback = rows.filter((r) => r.deliveryId !== event.id);
    expect(fallback.map((r) => r.who).sort()).toEqual(['gita@contoso.example', 'megan@contoso.example', 'priya@contoso.example']);
    expect(fallback.find((r) => r.who === 'megan@contoso.example')!.why).toBe('the requester');
    expect(fallback.find((r) => r.who === 'gita@contoso.example')!.why).toMatch(/^fallback or escalation: an active Global Administrator$/);
    expect(rows.filter((r) => r.deliveryId === event.id && r.outcome === 'Bounced').length).toBeGreaterThanOrEqual(2);
    expect(
      rows.every((r) => !r.who.startsWith('key:')) || rows.filter((r) => r.who.startsWith('key:')).every((r) => r.deliveryId === event.id),
    ).toBe(true);
  });
});
