/**
 * What every email the app plans shares, written once: the render options the settings give
 * (portal links, a customer template folder) and how one recipient's email is addressed
 * (From, To, the ledger key and the deterministic operation id of the send).
 */
import type { RenderedEmail } from '../render/email.js';
import type { Deliverable } from '../delivery/batching.js';
import type { RenderOptions } from '../render/render.js';
import { fromPackageRoot } from '../packageRoot.js';
import type { Recipient } from '../rules/recipients.js';
import type { Settings } from '../settings/settings.js';
import { deliveryOperationId, recipientKey } from '../delivery/deliveryLedger.js';

export type AddressingSettings = Pick<Settings, 'PORTAL_BASE_URL' | 'TEMPLATES_DIR' | 'EMAIL_SENDER_ADDRESS' | 'EMAIL_SENDER_NAME'>;

/** One recipient's email as delivery takes it (deliver.ts), with whom it is for and why. */
export interface PlannedEmail extends Deliverable {
  recipient: Recipient;
}

export function renderOptions(settings: AddressingSettings): RenderOptions {
  return { portalBaseUrl: settings.PORTAL_BASE_URL, templatesDir: settings.TEMPLATES_DIR && fromPackageRoot(settings.TEMPLATES_DIR) };
}

/** One recipient's email of the delivery `ledgerId` (an event id, or a digest's week). */
export function addressed(
  ledgerId: string,
  recipient: Recipient,
  rendered: RenderedEmail,
  settings: AddressingSettings,
  headers: Record<string, string>,
): PlannedEmail {
  return {
    recipient,
    operationId: deliveryOperationId(ledgerId, recipient.address),
    key: recipientKey(recipient.address),
    notification: rendered.notification,
    email: {
      ...rendered,
      from: { address: settings.EMAIL_SENDER_ADDRESS, displayName: settings.EMAIL_SENDER_NAME },
      to: { address: recipient.address, displayName: recipient.displayName },
      headers,
    },
  };
}
