/**
 * What the escalation tests share: a pending approval request delivered through the one
 * delivery path (production ACS transport → local ACS with scripted reports, ledger on Azurite),
 * its reports recorded by the real use case with fallback wired, and a small directory.
 */
import { ROLE, type RoleDirectory, type RoleHolder } from '../../shared/directory/roleDirectory.js';
import type { PimEvent } from '../../shared/events/schema.js';
import type { EscalationDeps, EscalationSettings } from '../../shared/escalation/fallback.js';
import { recordDeliveryReport } from '../../shared/usecases/deliveryReports.js';
import type { Clock } from '../../shared/time/clock.js';
import { REAL_ACS_MODEL, type DeliveryReportEvent, type FakeAcs } from '../support/fakeAcs.js';
import { LOCAL_ACS_RESOURCE_ID } from '../support/fakeAcsReports.js';
import { deliver, harness, items, type Harness } from '../support/delivery.js';

export const TENANT = '00000000-0000-0000-0000-0000000000ff';
export const REQUESTER = '00000000-0000-0000-0000-000000000301';
const id = (n: number) => `00000000-0000-0000-0000-0000000004${String(n).padStart(2, '0')}`;
export const PEOPLE = { ga: id(1), pra: id(2), eligiblePra: id(3), mailless: id(4) };

function holder(
  personId: string,
  name: string,
  address: string | null,
  roleDefinitionId: string,
  state: 'active' | 'eligible',
): RoleHolder {
  return { id: personId, displayName: name, address, state, roleDefinitionId, via: 'direct', endDateTime: null };
}

/** The directory the fallback asks: one active GA, one active and one eligible PRA, and the requester. */
export function directory(options: { gaAddress?: string | null } = {}): RoleDirectory {
  const holders: Record<string, RoleHolder[]> = {
    [ROLE.globalAdministrator]: [
      holder(
        PEOPLE.ga,
        'Gita Admin',
        options.gaAddress === undefined ? 'gita@contoso.example' : options.gaAddress,
        ROLE.globalAdministrator,
        'active',
      ),
    ],
    [ROLE.privilegedRoleAdministrator]: [
      holder(PEOPLE.pra, 'Priya Roles', 'priya@contoso.example', ROLE.privilegedRoleAdministrator, 'active'),
      holder(PEOPLE.eligiblePra, 'Eve Eligible', 'eve@contoso.example', ROLE.privilegedRoleAdministrator, 'eligible'),
    ],
  };
  const partial: Partial<RoleDirectory> = {
    tenant: async () => ({ id: TENANT, displayName: 'Contoso', pimEnabled: true }),
    directoryRoleHolders: async (role) => holders[role] ?? [],
    user: async (userId) =>
      userId === REQUESTER ? { id: REQUESTER, displayName: 'Megan Bowen', address: 'megan@contoso.example' } : undefined,
  };
  return partial as RoleDirectory;
}

export function approvalEvent(
  scope: PimEvent['scope'] = { kind: 'directory', id: '/' },
  createdAt = new Date(Date.now() - 3_600_000),
): PimEvent {
  return {
    id: 'req:appr-1:activationPendingApproval',
    type: 'activationPendingApproval',
    tenantId: TENANT,
    occurredAt: createdAt.toISOString(),
    scope,
    role: { id: ROLE.securityAdministrator, displayName: 'Security Administrator' },
    principal: { id: REQUESTER, displayName: 'Megan Bowen', type: 'user' },
    request: { id: 'appr-1', justification: 'Incident 42', createdDateTime: createdAt.toISOString() },
  } as PimEvent;
}

export const SETTINGS: EscalationSettings = {
  PORTAL_BASE_URL: 'https://portal.azure.com',
  TEMPLATES_DIR: undefined,
  EMAIL_SENDER_ADDRESS: 'DoNotReply@contoso.example',
  EMAIL_SENDER_NAME: 'PIM',
  ESCALATION_CONTACTS: {},
  ALTERNATE_ADDRESSES: {},
  DELIVERY_LEASE_SECONDS: 300,
  EMAIL_SEND_CONCURRENCY: 4,
};

export interface Scenario {
  h: Harness;
  fake: FakeAcs;
  reports: DeliveryReportEvent[];
  escalation: EscalationDeps;
  /** Every report so far through the real use case, in the order given (default: as they came). */
  record(order?: (reports: DeliveryReportEvent[]) => DeliveryReportEvent[]): Promise<void>;
  logs: string[];
}

/** The request sent to its approvers (`approvalRequest`) and one admin (`pendingApprovalAlert`). */
export async function sentToApprovers(
  startFake: (o: object) => Promise<FakeAcs>,
  approvers: string[],
  options: {
    event?: PimEvent;
    settings?: Partial<EscalationSettings>;
    directory?: RoleDirectory;
    clock?: Clock;
    /** Scripted reports: the status ACS reports for these addresses (default Delivered). */
    bounced?: Record<string, 'Bounced' | 'Suppressed' | 'Quarantined' | 'FilteredSpam'>;
  } = {},
): Promise<Scenario> {
  const reports: DeliveryReportEvent[] = [];
  const fake = await startFake({ ...REAL_ACS_MODEL, reports: { sink: (e: DeliveryReportEvent) => void reports.push(e) } });
  const h = await harness(fake);
  const event = options.event ?? approvalEvent();
  const asked = items(event.id, approvers).map((d) => ({
    ...d,
    notification: 'approvalRequest',
    email: { ...d.email, notification: 'approvalRequest' },
  }));
  const informed = items(event.id, ['lee.admin@contoso.example']).map((d) => ({ ...d, notification: 'pendingApprovalAlert' }));
  const logs: string[] = [];
  const escalation: EscalationDeps = {
    ledger: h.ledger,
    directory: options.directory ?? directory(),
    transport: h.transport,
    settings: { ...SETTINGS, ...options.settings },
    clock: options.clock ?? { now: () => new Date() },
    log: (level, message) => void logs.push(`${level}: ${message}`),
  };
  for (const [address, status] of Object.entries(options.bounced ?? {})) fake.bounce(address, status);
  await deliver(event.id, [...asked, ...informed], h.options({ personal: true, eventText: JSON.stringify(event) }));
  return {
    h,
    fake,
    reports,
    escalation,
    logs,
    record: async (order = (r) => r) => {
      await fake.reportsSettled();
      for (const r of order([...reports])) {
        const outcome = await recordDeliveryReport(r, {
          ledger: h.ledger,
          events: { send: async () => {}, later: async () => {} },
          settings: { DELIVERY_REPORT_RESENDS: 2, ACS_RESOURCE_ID: LOCAL_ACS_RESOURCE_ID },
          clock: escalation.clock,
          log: escalation.log,
          escalation,
        });
        if (outcome.kind === 'invalid') throw outcome.error;
      }
      await fake.reportsSettled();
    },
  };
}

/** The subjects a person was sent, in order. */
export function subjectsTo(fake: FakeAcs, address: string): string[] {
  const a = address.toLowerCase();
  return fake.deliveries
    .filter((d) => [...(d.message.recipients.to ?? []), ...(d.message.recipients.bcc ?? [])].some((r) => r.address.toLowerCase() === a))
    .map((d) => d.message.content.subject);
}
