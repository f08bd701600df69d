/**
 * The emails of escalation and fallback (shared/escalation): to whoever is asked instead when a
 * request's approvers cannot be reached, to the requester who is told so, to the escalation
 * contacts of a request still waiting, and the operator's delivery-health warning. Their words
 * are built in shared/escalation/escalationView.ts (plain sentences, facts, one PIM link); every
 * value is inserted with {{ }} (escaped).
 */
import type { TemplateSource } from './parts.js';

const HTML = `{{#> layout}}
{{#each paragraphs}}{{#> p}}{{this}}{{/p}}
{{/each}}{{/layout}}`;

const TEXT = `{{#> textLayout}}{{#each paragraphs}}{{this}}

{{/each}}{{/textLayout}}`;

const template: TemplateSource = { subject: 'PIM: {{headline}}', html: HTML, text: TEXT };

export const ESCALATION_EMAILS = ['approvalFallback', 'approversUnreachedNotice', 'approvalEscalation', 'deliveryHealth'] as const;
export type EscalationEmail = (typeof ESCALATION_EMAILS)[number];

export const ESCALATION_TEMPLATES: Record<EscalationEmail, TemplateSource> = {
  approvalFallback: template,
  approversUnreachedNotice: template,
  approvalEscalation: template,
  deliveryHealth: template,
};
