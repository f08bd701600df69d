/**
 * Fallback on the local ACS with scripted delivery reports: every approver bounces → the
 * default approvers (directory) or the escalation contacts are asked, and the requester is told,
 * once; reports duplicated and out of order → still once; one approver delivered → no fallback.
 */
import { describe, expect, it } from 'vitest';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { fallBackIfUnreached } from '../../shared/escalation/fallback.js';
import { approvalEvent, directory, sentToApprovers, subjectsTo } from './escalationHarness.js';

const startFake = fakeAcsPerTest();
const APPROVERS = ['ana.approver@contoso.example', 'bo.approver@contoso.example'];
const FALLBACK = /^PIM: Approvers of Megan Bowen's request for Security Administrator could not be reached$/;
const NOTICE = /^PIM: Your approvers could not be reached for your request for Security Administrator$/;

describe('fallback when approvers cannot be reached', () => {
  it('every approver bounces: the active Global and Privileged Role Administrators are asked, the requester told who, once', async () => {
    const s = await sentToApprovers(startFake, APPROVERS, { bounced: { [APPROVERS[0]!]: 'Bounced', [APPROVERS[1]!]: 'Suppressed' } });
    await s.record();
    expect(subjectsTo(s.fake, 'gita@contoso.example')).toEqual([expect.stringMatching(FALLBACK)]);
    expect(subjectsTo(s.fake, 'priya@contoso.example')).toEqual([expect.stringMatching(FALLBACK)]);
    expect(subjectsTo(s.fake, 'eve@contoso.example'), 'an eligible PRA does not approve by default').toEqual([]);
    expect(subjectsTo(s.fake, 'megan@contoso.example')).toEqual([expect.stringMatching(NOTICE)]);
    const notice = s.fake.deliveries.find((d) => d.message.content.subject.match(NOTICE))!.message.content.plainText;
    expect(notice).toContain('the email to 1 approver bounced, the email to 1 approver was suppressed by the mail service');
    expect(notice).toContain('It was sent instead to Priya Roles, Gita Admin.');
    const asked = s.fake.deliveries.find((d) => d.message.recipients.to?.[0]?.address === 'gita@contoso.example')!.message.content
      .plainText;
    expect(asked).toContain('You are asked instead, as an active Global Administrator.');

    // Every report again, duplicated and in reverse: nothing more.
    const before = s.fake.deliveries.length;
    await s.record((r) => [...r, ...r].reverse());
    expect(s.fake.deliveries.length).toBe(before);
  });

  it('reports out of order, each one twice, from the start: still exactly one fallback', async () => {
    const s = await sentToApprovers(startFake, APPROVERS, { bounced: { [APPROVERS[0]!]: 'Bounced', [APPROVERS[1]!]: 'Quarantined' } });
    await s.record((r) => r.flatMap((x) => [x, x]).reverse());
    expect(subjectsTo(s.fake, 'gita@contoso.example')).toHaveLength(1);
    expect(subjectsTo(s.fake, 'megan@contoso.example')).toHaveLength(1);
  });

  it('one approver delivered: no fallback, whatever the others', async () => {
    const s = await sentToApprovers(startFake, APPROVERS, { bounced: { [APPROVERS[0]!]: 'Bounced' } });
    await s.record();
    expect(subjectsTo(s.fake, 'gita@contoso.example')).toEqual([]);
    expect(subjectsTo(s.fake, 'megan@contoso.example')).toEqual([]);
  });

  it('an Azure resource role has no default approvers: the escalation contacts for its scope are asked', async () => {
    const scope = { kind: 'azureResource' as const, id: '/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-app' };
    const s = await sentToApprovers(startFake, APPROVERS, {
      event: approvalEvent(scope),
      bounced: { [APPROVERS[0]!]: 'Bounced', [APPROVERS[1]!]: 'FilteredSpam' },
      settings: {
        ESCALATION_CONTACTS: {
          default: ['secops@contoso.example'],
          scopes: { '/subscriptions/00000000-0000-0000-0000-0000000000aa': ['cloud-oncall@contoso.example'] },
        },
      },
    });
    await s.record();
    expect(subjectsTo(s.fake, 'gita@contoso.example')).toEqual([]);
    expect(subjectsTo(s.fake, 'cloud-oncall@contoso.example')).toEqual([expect.stringMatching(FALLBACK)]);
    expect(subjectsTo(s.fake, 'secops@contoso.example'), 'the most specific match only').toEqual([]);
    const asked = s.fake.deliveries.find((d) => d.message.recipients.to?.[0]?.address === 'cloud-oncall@contoso.example')!;
    expect(asked.message.content.plainText).toContain(
      'as the escalation contact for scope /subscriptions/00000000-0000-0000-0000-0000000000aa',
    );
  });

  it('nobody to fall back to: the requester is told nobody else could be asked, and the log says to set ESCALATION_CONTACTS', async () => {
    const scope = { kind: 'azureResource' as const, id: '/subscriptions/00000000-0000-0000-0000-0000000000aa' };
    const s = await sentToApprovers(startFake, APPROVERS, {
      event: approvalEvent(scope),
      bounced: { [APPROVERS[0]!]: 'Bounced', [APPROVERS[1]!]: 'Bounced' },
      directory: directory(),
    });
    await s.record();
    const [notice] = s.fake.deliveries.filter((d) => d.message.content.subject.match(NOTICE));
    expect(notice!.message.content.plainText).toContain('Nobody else could be asked');
    expect(s.logs.join('\n')).toMatch(/nobody to fall back to \(set ESCALATION_CONTACTS\)/);
  });

  it('a mailbox-less Global Administrator is reached through ALTERNATE_ADDRESSES', async () => {
    const s = await sentToApprovers(startFake, APPROVERS, {
      bounced: { [APPROVERS[0]!]: 'Bounced', [APPROVERS[1]!]: 'Bounced' },
      directory: directory({ gaAddress: null }),
      settings: { ALTERNATE_ADDRESSES: { '00000000-0000-0000-0000-000000000401': 'gita.alt@contoso.example' } },
    });
    await s.record();
    expect(subjectsTo(s.fake, 'gita.alt@contoso.example')).toEqual([expect.stringMatching(FALLBACK)]);
  });

  it('nobody on the approver list has an address (the plan says so): the contacts are asked at once, once', async () => {
    const event = approvalEvent({ kind: 'azureResource', id: '/subscriptions/00000000-0000-0000-0000-0000000000aa' });
    const s = await sentToApprovers(startFake, [], { event, settings: { ESCALATION_CONTACTS: { default: ['secops@contoso.example'] } } });
    expect(await fallBackIfUnreached(event, { kind: 'noAddress' }, s.escalation)).toMatchObject({ kind: 'fellBack', asked: 1, sent: 2 });
    expect(await fallBackIfUnreached(event, { kind: 'noAddress' }, s.escalation)).toMatchObject({ kind: 'fellBack', sent: 0 });
    const notice = s.fake.deliveries.find((d) => d.message.content.subject.match(NOTICE))!.message.content.plainText;
    expect(notice).toContain('none of them has an email address');
    expect(subjectsTo(s.fake, 'secops@contoso.example')).toHaveLength(1);
  });

  it('never after the approval window has closed', async () => {
    const event = approvalEvent({ kind: 'directory', id: '/' }, new Date(Date.now() - 25 * 3_600_000));
    const s = await sentToApprovers(startFake, [], { event });
    expect(await fallBackIfUnreached(event, { kind: 'noAddress' }, s.escalation)).toMatchObject({
      kind: 'none',
      why: 'the approval window has closed',
    });
  });
});
