/**
 * The held-back summary: after a window in which the rate limit (RECIPIENT_RATE_LIMIT) held
 * some of a person's informational emails back, one email lists them (what, which role, who,
 * when) and links to PIM, where each can be looked at. The view is built in heldBackView.ts;
 * every value is inserted with {{ }} (escaped), and nothing from an event becomes a link.
 */
import type { TemplateSource } from './parts.js';

const FONT = "font-family:'Segoe UI',Helvetica,Arial,sans-serif;";
// A data table (WCAG H63): header cells say which cells they head; the table is no layout table.
const TH = `scope="col" style="padding:8px 8px 8px 0;border-bottom:2px solid #c8c6c4;${FONT}font-size:13px;line-height:18px;font-weight:600;color:#605e5c;"`;
const TD = `style="padding:8px 8px 8px 0;border-bottom:1px solid #edebe9;${FONT}font-size:14px;line-height:20px;color:#323130;" valign="top"`;

const HTML = `{{#> layout}}
{{#> p}}More PIM notifications than the limit of {{limit}} per {{windowText}} were addressed to you, so {{count}} informational {{emailsWord}} between {{from}} and {{to}} {{wasWere}} held back and {{isAre}} listed here instead. Requests to approve are never held back.{{/p}}
<table width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px 0;">
<tr><th align="left" ${TH}>When</th><th align="left" ${TH}>Notification</th><th align="left" ${TH}>Role</th><th align="left" ${TH}>Scope</th><th align="left" ${TH}>Principal</th></tr>
{{#each items}}<tr><td align="left" ${TD}>{{when}}</td><td align="left" ${TD}>{{what}}</td><td align="left" ${TD}>{{role}}</td><td align="left" ${TD}>{{scope}}</td><td align="left" ${TD}>{{principal}}</td></tr>
{{/each}}</table>
{{#if omitted}}{{#> p}}… and {{omitted}} more not listed here.{{/p}}{{/if}}
{{#> p}}Review them in Privileged Identity Management, for instance in its audit history.{{/p}}
{{/layout}}`;

const TEXT = `{{#> textLayout}}More PIM notifications than the limit of {{limit}} per {{windowText}} were addressed to you, so {{count}} informational {{emailsWord}} between {{from}} and {{to}} {{wasWere}} held back and {{isAre}} listed here instead. Requests to approve are never held back.

{{#each items}}- {{when}}: {{what}}; role {{role}} on {{scope}}; principal {{principal}}
{{/each}}{{#if omitted}}… and {{omitted}} more not listed here.
{{/if}}
Review them in Privileged Identity Management, for instance in its audit history.{{/textLayout}}`;

export const HELD_BACK_TEMPLATE: TemplateSource = {
  subject: 'PIM: {{count}} more {{notificationsWord}} {{wasWere}} held back between {{from}} and {{to}}',
  html: HTML,
  text: TEXT,
};
