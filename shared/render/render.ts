/**
 * Rendering an email: the view (notificationView.ts / digestView.ts) through the compiled
 * templates (templateStore.ts). No I/O after the first call for a templates folder.
 *
 * The subject is made safe here, whatever a template produced: control characters (CR/LF
 * included) collapse to one space, and it always starts with `PIM: `. The heading of the
 * HTML and text parts is the subject without that prefix, so the three always agree.
 */
import type { RenderedEmail } from './email.js';
import { digestView, type DigestModel } from './digestView.js';
import { heldBackView, type HeldBackModel } from './heldBackView.js';
import { singleLine } from './format.js';
import { notificationView, type NotificationModel } from './notificationView.js';
import { templateSet, type CompiledTemplate } from './templateStore.js';
import type { EscalationEmail } from './templates/escalation.js';

export type { DigestModel, DigestTiles } from './digestView.js';
export type { NotificationModel } from './notificationView.js';

export interface RenderOptions {
  /** PORTAL_BASE_URL, e.g. https://portal.azure.com. */
  portalBaseUrl: string;
  /** TEMPLATES_DIR: a folder of .hbs files that replace built-in templates file by file. */
  templatesDir?: string;
}

const PREFIX = 'PIM: ';

export function renderNotification(model: NotificationModel, options: RenderOptions): RenderedEmail {
  const template = templateSet(options.templatesDir)[model.notification];
  return renderWith(model.notification, template, notificationView(model, options.portalBaseUrl));
}

export function renderDigest(model: DigestModel, options: RenderOptions): RenderedEmail {
  const template = templateSet(options.templatesDir).weeklyDigest;
  return renderWith('weeklyDigest', template, digestView(model, options.portalBaseUrl));
}

/** The summary of what the rate limit held back for one person in one window. */
export function renderHeldBack(model: HeldBackModel, options: RenderOptions): RenderedEmail {
  return renderWith('heldBackSummary', templateSet(options.templatesDir).heldBackSummary, heldBackView(model, options.portalBaseUrl));
}

/** An email of escalation and fallback (shared/escalation/escalationView.ts builds the view). */
export function renderEscalation(name: EscalationEmail, view: object, options: RenderOptions): RenderedEmail {
  return renderWith(name, templateSet(options.templatesDir)[name], view);
}

function renderWith(notification: string, template: CompiledTemplate, view: object): RenderedEmail {
  const subject = safeSubject(template.subject(view));
  const full = { ...view, subject, heading: subject.slice(PREFIX.length) };
  return { notification, subject, html: template.html(full), text: tidyText(template.text(full)) };
}

/** Optional sections leave blank lines behind; a reader should not see gaps of them. */
function tidyText(text: string): string {
  return `${text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** One line, no control characters, `PIM: ` first (also for an override that forgot it). */
export function safeSubject(rendered: string): string {
  const line = singleLine(rendered);
  return line.startsWith(PREFIX) ? line : `${PREFIX}${line.replace(/^PIM:\s*/, '')}`;
}
