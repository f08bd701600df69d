/**
 * One representative event and model per notification kind, parsed through the real event
 * schema so that the fixtures stay valid events.
 */
import { parseEvent } from '../../shared/events/parse.js';
import type { PimEvent } from '../../shared/events/schema.js';
import type { NotificationModel } from '../../shared/render/render.js';
import type { NotificationKind } from '../../shared/rules/notifications.js';

export const TENANT = '7f0e4a3c-1d2b-4c5d-8e9f-0a1b2c3d4e5f';
export const SUBSCRIPTION_SCOPE = '/subscriptions/3b2f6c1e-9a8d-4e7f-b6c5-d4e3f2a1b0c9';
const AZURE = { kind: 'azureResource', id: SUBSCRIPTION_SCOPE, displayName: 'Contoso Production' } as const;
const DIRECTORY = { kind: 'directory', id: '/' } as const;
const EXCHANGE_ADMIN = { id: '29232cdf-9323-42fd-ade2-1d097af3e4de', displayName: 'Exchange Administrator' };
const BACKUP_READER = { id: 'a795c7a0-d4a2-40c1-ae25-d81f01202912', displayName: 'Backup Reader' };
const MEGAN = { id: '0b8d3c2a-1e4f-4a5b-9c6d-7e8f9a0b1c2d', displayName: 'Megan Bowen', type: 'user' } as const;
const ALAIN = { id: '1c9e4d3b-2f5a-4b6c-8d7e-8f9a0b1c2d3e', displayName: 'Alain Charon', type: 'user' } as const;
const ADMIN = { id: '2d0f5e4c-3a6b-4c7d-9e8f-9a0b1c2d3e4f', displayName: 'Isaiah Langer' };

export function event(input: Record<string, unknown>): PimEvent {
  const parsed = parseEvent({ tenantId: TENANT, occurredAt: '2026-11-23T10:00:00Z', ...input });
  if (parsed.kind === 'invalid') throw parsed.error;
  return parsed.event;
}

const activationRequest = {
  scope: DIRECTORY,
  role: EXCHANGE_ADMIN,
  principal: MEGAN,
  request: { id: 'req-42', justification: 'Mailbox migration for the Paris office', ticketNumber: 'CHG-1001', ticketSystem: 'ServiceNow' },
};

const SOC_MEMBER = { kind: 'group', id: 'aeecddf9-ff6b-4ce4-8384-dcb3b7fe19f1', displayName: 'SOC Tier 2', accessId: 'member' } as const;
const SOC_OWNER = { ...SOC_MEMBER, accessId: 'owner' } as const;
const groupActivation = { scope: SOC_MEMBER, principal: MEGAN, request: activationRequest.request };

const timeBoundActive = { state: 'active', permanent: false, startDateTime: '2026-11-23T10:00:00Z', endDateTime: '2026-11-23T18:00:00Z' };
const expiresIn14Days = { state: 'eligible', permanent: false, startDateTime: '2026-01-01T00:00:00Z', endDateTime: '2026-12-07T10:00:00Z' };

/** An extension or renewal of Alain's membership decided by an owner. */
const groupDecided = {
  scope: SOC_MEMBER,
  principal: ALAIN,
  actor: ADMIN,
  request: { action: 'selfExtend' },
  assignment: { state: 'eligible', permanent: false, endDateTime: '2027-01-01T00:00:00Z' },
};

/** PIM for Groups: membership of SOC Tier 2, ownership where an owner's emails differ only by the access. */
const GROUP_EVENTS = {
  groupApprovalRequest: event({ id: 'g-approval', type: 'activationPendingApproval', ...groupActivation }),
  groupExtensionApprovalRequest: event({
    id: 'g-extension',
    type: 'assignmentPendingApproval',
    scope: SOC_OWNER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  groupActivationAlert: event({ id: 'g-activated', type: 'activationCompleted', ...groupActivation, assignment: timeBoundActive }),
  groupRequestDecision: event({
    id: 'g-approved',
    type: 'activationApproved',
    ...groupActivation,
    actor: ADMIN,
    assignment: timeBoundActive,
  }),
  groupExpiryReminder: event({
    id: 'g-expiring',
    type: 'roleExpiringSoon',
    scope: SOC_MEMBER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  groupExtendWindowNotice: event({
    id: 'g-window',
    type: 'roleEligibleToExtend',
    scope: SOC_MEMBER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  groupExpiredNotice: event({
    id: 'g-expired',
    type: 'roleExpired',
    occurredAt: '2026-12-07T10:00:00Z',
    scope: SOC_MEMBER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  groupExtendedNotice: event({
    id: 'g-extended',
    type: 'roleExtended',
    scope: SOC_OWNER,
    principal: ALAIN,
    actor: ADMIN,
    assignment: { state: 'eligible', permanent: false, endDateTime: '2027-01-01T00:00:00Z' },
  }),
  groupAssignmentNotice: event({
    id: 'g-assigned',
    type: 'roleAssigned',
    scope: SOC_MEMBER,
    principal: ALAIN,
    actor: ADMIN,
    assignment: { state: 'eligible', permanent: false, endDateTime: '2027-01-01T00:00:00Z' },
  }),
  groupActivationNotice: event({ id: 'g-activation', type: 'activationCompleted', ...groupActivation, assignment: timeBoundActive }),
  groupAssignmentAlert: event({
    id: 'g-assigned-admin',
    type: 'roleAssigned',
    scope: SOC_OWNER,
    principal: ALAIN,
    actor: ADMIN,
    assignment: { state: 'active', permanent: true },
  }),
  groupExpiryAlert: event({
    id: 'g-expiring-admin',
    type: 'roleExpiringSoon',
    scope: SOC_MEMBER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  groupExtendWindowAlert: event({
    id: 'g-window-admin',
    type: 'roleEligibleToExtend',
    scope: SOC_MEMBER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  groupRenewalAlert: event({ id: 'g-renew', type: 'roleRenewed', scope: SOC_MEMBER, principal: ALAIN, assignment: expiresIn14Days }),
  groupPendingApprovalAlert: event({ id: 'g-pending-owner', type: 'activationPendingApproval', ...groupActivation }),
  groupExtendedAlert: event({ ...groupDecided, id: 'g-extended-owner', type: 'roleExtended' }),
  groupRenewedNotice: event({ ...groupDecided, id: 'g-renewed', type: 'roleRenewed', request: { action: 'selfRenew' } }),
  groupExtensionDeniedNotice: event({
    ...groupDecided,
    id: 'g-ext-denied',
    type: 'assignmentRequestDenied',
    request: { action: 'selfRenew' },
  }),
  groupExtensionDeniedAlert: event({ ...groupDecided, id: 'g-ext-denied-owner', type: 'assignmentRequestDenied' }),
  groupExpiredAlert: event({
    id: 'g-expired-owner',
    type: 'roleExpired',
    occurredAt: '2026-12-07T10:00:00Z',
    scope: SOC_MEMBER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  groupRequestDecisionAlert: event({ id: 'g-denied', type: 'activationDenied', ...groupActivation, actor: ADMIN }),
  groupRequestCanceledAlert: event({ id: 'g-canceled', type: 'activationCanceled', ...groupActivation }),
};

const extended = {
  type: 'roleExtended',
  scope: AZURE,
  role: BACKUP_READER,
  principal: ALAIN,
  actor: ADMIN,
  assignment: { state: 'eligible', permanent: false, endDateTime: '2027-01-01T00:00:00Z' },
};

/** The event each kind is sent for (recipients.md); Azure resource roles where the seed lists them. */
export const EVENTS: Record<Exclude<NotificationKind, 'weeklyDigest'>, PimEvent> = {
  approvalRequest: event({ id: 'e-approval', type: 'activationPendingApproval', ...activationRequest }),
  approvalReminder: event({
    id: 'e-reminder',
    type: 'approvalReminder',
    occurredAt: '2026-11-23T14:00:00Z',
    ...activationRequest,
    request: { ...activationRequest.request, createdDateTime: '2026-11-23T10:00:00Z' },
  }),
  requestExpiredNotice: event({ id: 'e-timed-out', type: 'requestExpired', occurredAt: '2026-11-24T10:00:00Z', ...activationRequest }),
  requestExpiredAlert: event({ id: 'e-timed-out', type: 'requestExpired', occurredAt: '2026-11-24T10:00:00Z', ...activationRequest }),
  extensionApprovalRequest: event({
    id: 'e-extension',
    type: 'assignmentPendingApproval',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  outsidePimAlert: event({
    id: 'e-outside',
    type: 'roleAssignedOutsidePim',
    scope: DIRECTORY,
    role: EXCHANGE_ADMIN,
    principal: ALAIN,
    assignment: { state: 'active', permanent: true },
  }),
  activationAlert: event({ id: 'e-activated', type: 'activationCompleted', ...activationRequest, assignment: timeBoundActive }),
  pimEnabled: event({ id: 'e-pim', type: 'pimEnabled', scope: DIRECTORY, actor: ADMIN }),
  requestDecision: event({ id: 'e-approved', type: 'activationApproved', ...activationRequest, actor: ADMIN, assignment: timeBoundActive }),
  expiryReminder: event({
    id: 'e-expiring',
    type: 'roleExpiringSoon',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  extendWindowNotice: event({
    id: 'e-window',
    type: 'roleEligibleToExtend',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  expiredNotice: event({
    id: 'e-expired',
    type: 'roleExpired',
    occurredAt: '2026-12-07T10:00:00Z',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  extendedNotice: event({ id: 'e-extended', ...extended }),
  assignmentNotice: event({
    id: 'e-assigned-eligible',
    type: 'roleAssigned',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    actor: ADMIN,
    assignment: { state: 'eligible', permanent: false, endDateTime: '2027-01-01T00:00:00Z' },
  }),
  activationNotice: event({ id: 'e-activation', type: 'activationCompleted', ...activationRequest, assignment: timeBoundActive }),
  // The seed's example: an Azure Backup Reader active permanent assignment to Alain Charon.
  assignmentAlert: event({
    id: 'e-seed',
    type: 'roleAssigned',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    actor: ADMIN,
    assignment: { state: 'active', permanent: true },
  }),
  expiryAlert: event({
    id: 'e-expiring-admin',
    type: 'roleExpiringSoon',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  extendWindowAlert: event({
    id: 'e-window-admin',
    type: 'roleEligibleToExtend',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  renewalAlert: event({
    id: 'e-renew',
    type: 'roleRenewed',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  requestDecisionAlert: event({ id: 'e-denied', type: 'activationDenied', ...activationRequest, actor: ADMIN }),
  requestCanceledAlert: event({ id: 'e-canceled', type: 'activationCanceled', ...activationRequest }),
  pendingApprovalAlert: event({
    id: 'e-pending-azure',
    type: 'activationPendingApproval',
    ...activationRequest,
    scope: AZURE,
    role: BACKUP_READER,
  }),
  extendedAlert: event({ id: 'e-extended-admin', ...extended }),
  expiredAlert: event({
    id: 'e-expired-admin',
    type: 'roleExpired',
    occurredAt: '2026-12-07T10:00:00Z',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    assignment: expiresIn14Days,
  }),
  renewedNotice: event({
    id: 'e-renewed',
    type: 'roleRenewed',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    actor: ADMIN,
    assignment: expiresIn14Days,
  }),
  extensionDeniedNotice: event({
    id: 'e-ext-denied',
    type: 'assignmentRequestDenied',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    actor: ADMIN,
    assignment: expiresIn14Days,
  }),
  extensionDeniedAlert: event({
    id: 'e-ext-denied-admin',
    type: 'assignmentRequestDenied',
    scope: AZURE,
    role: BACKUP_READER,
    principal: ALAIN,
    actor: ADMIN,
    assignment: expiresIn14Days,
  }),
  ...GROUP_EVENTS,
};

export function modelFor(kind: Exclude<NotificationKind, 'weeklyDigest'>, overrides: Partial<NotificationModel> = {}): NotificationModel {
  const e = EVENTS[kind];
  return {
    notification: kind,
    event: e,
    tenantName: 'Contoso',
    roleName:
      e.scope.kind === 'group'
        ? e.scope.accessId === 'member'
          ? 'Member'
          : 'Owner'
        : 'role' in e && e.role
          ? (e.role.displayName ?? '')
          : '',
    principalName: 'principal' in e && e.principal ? (e.principal.displayName ?? '') : '',
    actorName: e.actor?.displayName,
    scopeName: e.scope.displayName ?? 'Directory',
    recipientName: 'Patti Fernandez',
    reason: 'You received this because you are an eligible Global Administrator in Contoso.',
    ...overrides,
  };
}

export const RENDER = { portalBaseUrl: 'https://portal.azure.com' };
