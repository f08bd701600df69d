/**
 * From one valid event to the exact emails that should go out: recipients decided by the
 * rules module, each email rendered. No sending, no storage, so `pim-notify simulate`
 * shows precisely what the queue function would send.
 */
import type { PimEvent } from '../events/schema.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import { renderNotification, type NotificationModel } from '../email/render.js';
import { decideRecipients, type Recipient, type RecipientDecision } from '../rules/recipients.js';
import type { Settings } from '../settings/settings.js';
import { addressed, renderOptions, type PlannedEmail } from './envelope.js';
import { gatherRecipientInputs, type GatheredInputs } from './recipientInputs.js';
import { threadOf } from './threading.js';

export type NotifySettings = Pick<
  Settings,
  'MAX_RECIPIENTS_PER_EVENT' | 'ADMINS_ACTIVE_ONLY' | 'PORTAL_BASE_URL' | 'TEMPLATES_DIR' | 'EMAIL_SENDER_ADDRESS' | 'EMAIL_SENDER_NAME'
>;

export type { PlannedEmail } from './envelope.js';

export interface NotificationPlan {
  event: PimEvent;
  decision: RecipientDecision;
  emails: PlannedEmail[];
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

export async function planNotifications(event: PimEvent, directory: RoleDirectory, settings: NotifySettings): Promise<NotificationPlan> {
  const inputs = await gatherRecipientInputs(event, directory);
  const decision = decideRecipients(inputs, {
    maxRecipients: settings.MAX_RECIPIENTS_PER_EVENT,
    adminsActiveOnly: settings.ADMINS_ACTIVE_ONLY,
  });
  const options = renderOptions(settings);
  const openingSubjects = new Map<string, string>();
  const emails = decision.recipients.map((recipient) => {
    const planned = addressed(event.id, recipient, renderNotification(notificationModel(event, inputs, recipient), options), settings, {
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
        opening = renderNotification(notificationModel(event, inputs, { ...recipient, notification: kind }), options).subject;
        openingSubjects.set(kind, opening);
      }
      planned.email.subject = opening;
    }
    return planned;
  });
  return { event, decision, emails };
}
