/**
 * From one valid event to the exact emails that should go out: recipients decided by the
 * rules module, each email rendered. No sending, no storage, so `pim-notify simulate`
 * shows precisely what the queue function would send.
 */
import type { PimEvent } from '../events/schema.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import type { RenderedEmail } from '../render/email.js';
import { renderNotification, type NotificationModel } from '../render/render.js';
import { decideRecipients, type Recipient, type RecipientDecision } from '../rules/recipients.js';
import type { Settings } from '../settings/settings.js';
import { addressed, renderOptions, type PlannedEmail } from './addressing.js';
import { gatherRecipientInputs, type GatheredInputs } from './recipientInputs.js';
import { threadOf } from './threading.js';

export type NotifySettings = Pick<
  Settings,
  'MAX_RECIPIENTS_PER_EVENT' | 'RECIPIENT_MODEL' | 'PORTAL_BASE_URL' | 'TEMPLATES_DIR' | 'EMAIL_SENDER_ADDRESS' | 'EMAIL_SENDER_NAME'
>;

export type { PlannedEmail } from './addressing.js';

export interface NotificationPlan {
  event: PimEvent;
  decision: RecipientDecision;
  emails: PlannedEmail[];
  /** The event's role, principal and scope as the directory names them (a held-back email is listed by them). */
  names: Pick<GatheredInputs, 'roleName' | 'principalName' | 'scopeName'>;
}

/** What the template of one recipient's email is given: names from the directory, the reason it was sent. */
export function notificationModel(event: PimEvent, inputs: GatheredInputs, recipient: Recipient): NotificationModel {
  if (recipient.notification === 'weeklyDigest') throw new Error('the weekly digest is not an event notification');
  return {
    notification: recipient.notification,
    event,
    tenantName: inputs.tenantName,
    roleName: inputs.roleName,
    principalName: inputs.principalName,
    actorName: inputs.actorName,
    scopeName: inputs.scopeName,
    recipientName: recipient.displayName,
    reason: `You received this email as ${recipient.reasons[0]?.via ?? 'a recipient named in the role settings'} in ${inputs.tenantName}.`,
  };
}

function modelFor(
  event: PimEvent,
  inputs: GatheredInputs,
  recipient: Recipient,
  shared: Map<string, string> | undefined,
): NotificationModel {
  const model = notificationModel(event, inputs, recipient);
  const reason = shared?.get(recipient.notification);
  return reason === undefined ? model : { ...model, recipientName: undefined, reason };
}

/**
 * One "why you received this" line per notification for everyone who gets it, naming the ways
 * they were reached (the role or setting, without the per-person detail in parentheses), so the
 * emails of one notification are identical and can go as one message.
 */
function sharedReasons(recipients: Recipient[], tenantName: string): Map<string, string> {
  const ways = new Map<string, Set<string>>();
  for (const r of recipients) {
    const via = (r.reasons[0]?.via ?? 'a recipient named in the role settings')
      .replace(/\s*\(.*?\)/g, '')
      .replace(/,.*$/, '')
      .trim();
    ways.set(r.notification, (ways.get(r.notification) ?? new Set()).add(via));
  }
  const reasons = new Map<string, string>();
  for (const [notification, set] of ways) {
    const list = [...set].sort();
    const named =
      list.length > 4
        ? 'one of the people the role and its notification settings name'
        : list.length === 1
          ? list[0]!
          : `${list.slice(0, -1).join(', ')} or ${list.at(-1)!}`;
    reasons.set(notification, `You received this email as ${named} in ${tenantName}.`);
  }
  return reasons;
}

export interface PlanOptions {
  /**
   * false: a neutral greeting instead of the recipient's name and one reason line per
   * notification, so that everyone's email of one notification is identical and can go as
   * one message (EMAIL_BATCHING=shared).
   */
  personal?: boolean;
}

export async function planNotifications(
  event: PimEvent,
  directory: RoleDirectory,
  settings: NotifySettings,
  options: PlanOptions = {},
): Promise<NotificationPlan> {
  const inputs = await gatherRecipientInputs(event, directory);
  const decided = decideRecipients(inputs, { maxRecipients: settings.MAX_RECIPIENTS_PER_EVENT, model: settings.RECIPIENT_MODEL });
  const decision = { ...decided, warnings: [...inputs.warnings, ...decided.warnings] };
  const shared = options.personal === false ? sharedReasons(decision.recipients, inputs.tenantName) : undefined;
  const rendering = renderOptions(settings);
  const openingSubjects = new Map<string, string>();
  // A model differs between recipients only in the kind, the greeting and the reason line: each
  // distinct one is rendered once (a 1,000-recipient event has a handful, not a thousand).
  const renders = new Map<string, RenderedEmail>();
  const renderFor = (recipient: Recipient): RenderedEmail => {
    const model = modelFor(event, inputs, recipient, shared);
    const key = JSON.stringify([model.notification, model.recipientName ?? null, model.reason ?? null]);
    let rendered = renders.get(key);
    if (!rendered) renders.set(key, (rendered = renderNotification(model, rendering)));
    return rendered;
  };
  const emails = decision.recipients.map((recipient) => {
    const planned = addressed(event.id, recipient, renderFor(recipient), settings, {
      'X-PIM-Event-Id': event.id,
      'X-PIM-Notification': recipient.notification,
    });
    const thread = threadOf(event, recipient.address, planned.operationId, settings.EMAIL_SENDER_ADDRESS);
    planned.email.headers = { ...planned.email.headers, ...thread.headers };
    if (thread.subjectOf && !thread.opener) {
      // The opening email's subject, as this request's approvers got it: the same for every email of the thread.
      const kind = thread.subjectOf;
      let opening = openingSubjects.get(kind);
      if (opening === undefined) {
        opening = renderNotification(notificationModel(event, inputs, { ...recipient, notification: kind }), rendering).subject;
        openingSubjects.set(kind, opening);
      }
      planned.email.subject = opening;
    }
    return planned;
  });
  return {
    event,
    decision,
    emails,
    names: { roleName: inputs.roleName, principalName: inputs.principalName, scopeName: inputs.scopeName },
  };
}
