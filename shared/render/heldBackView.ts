/**
 * From the held-back items of one person's window to what the summary template sees (pure).
 * Every name is the directory's (recorded when the email was held back), cleaned to one line;
 * the one link is PIM's own page, never anything an event carried.
 */
import { NOTIFICATIONS } from '../rules/notifications.js';
import type { HeldItem } from '../rateLimit/rateLimit.js';
import { formatDateTime, singleLine } from './format.js';
import { portalLink } from './links.js';
import type { Action } from './notificationView.js';

/** Listed one by one up to this many; a flood's summary stays a readable email. */
export const HELD_BACK_LISTED = 100;

export interface HeldBackModel {
  tenantName: string;
  items: HeldItem[];
  /** ISO instants; the end is exclusive. */
  windowStart: string;
  windowEnd: string;
  limit: number;
  windowMinutes: number;
  recipientName?: string;
  reason: string;
}

export interface HeldBackView {
  tenantName: string;
  count: number;
  items: { when: string; what: string; role: string; scope: string; principal: string }[];
  omitted: number;
  from: string;
  to: string;
  limit: number;
  windowText: string;
  emailsWord: string;
  notificationsWord: string;
  wasWere: string;
  isAre: string;
  recipientName?: string;
  reason: string;
  heading: string;
  facts: [];
  action: Action;
}

export function heldBackView(model: HeldBackModel, portalBaseUrl: string): HeldBackView {
  const count = model.items.length;
  const one = count === 1;
  return {
    tenantName: singleLine(model.tenantName),
    count,
    items: model.items.slice(0, HELD_BACK_LISTED).map((i) => ({
      when: formatDateTime(i.occurredAt),
      what: (NOTIFICATIONS as Record<string, { summary: string } | undefined>)[i.notification]?.summary ?? singleLine(i.notification),
      role: singleLine(i.roleName) || '—',
      scope: singleLine(i.scopeName) || '—',
      principal: singleLine(i.principalName) || '—',
    })),
    omitted: Math.max(0, count - HELD_BACK_LISTED),
    from: formatDateTime(model.windowStart),
    to: formatDateTime(model.windowEnd),
    limit: model.limit,
    windowText:
      model.windowMinutes % 60 === 0
        ? model.windowMinutes === 60
          ? 'hour'
          : `${model.windowMinutes / 60} hours`
        : `${model.windowMinutes} minutes`,
    emailsWord: one ? 'email' : 'emails',
    notificationsWord: one ? 'notification' : 'notifications',
    wasWere: one ? 'was' : 'were',
    isAre: one ? 'is' : 'are',
    recipientName: model.recipientName ? singleLine(model.recipientName) || undefined : undefined,
    reason: singleLine(model.reason),
    heading: '',
    facts: [],
    action: { url: portalLink(portalBaseUrl, 'home'), label: 'Open Privileged Identity Management' },
  };
}
