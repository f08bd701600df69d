/**
 * The weekly digest (the seed's "Weekly PIM digest email"): four tiles with this week's
 * count and the change against last week, the "Overview of your top roles" table and the
 * "Take action" link to Discovery & insights. The view is built in digestView.ts.
 */
import type { TemplateSource } from './notifications.js';

const FONT = "font-family:'Segoe UI',Helvetica,Arial,sans-serif;";

/** One tile: a table cell, so that two sit side by side in Outlook as well. */
const TILE = `<td width="50%" valign="top" style="padding:6px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f2f1;border:1px solid #e1dfdd;">
<tr><td style="padding:16px;">
<div style="${FONT}font-size:30px;line-height:36px;font-weight:600;color:#0078d4;">{{value}}</div>
<div style="${FONT}font-size:14px;line-height:20px;font-weight:600;color:#323130;">{{label}}</div>
<div style="${FONT}font-size:12px;line-height:18px;color:#605e5c;">{{change}}</div>
</td></tr>
</table>
</td>`;

// A data table (WCAG H63): header cells say which cells they head; the table is no layout table.
const TH = `scope="col" style="padding:8px 8px 8px 0;border-bottom:2px solid #c8c6c4;${FONT}font-size:13px;line-height:18px;font-weight:600;color:#605e5c;"`;
const TD = `style="padding:8px 8px 8px 0;border-bottom:1px solid #edebe9;${FONT}font-size:14px;line-height:20px;color:#323130;"`;

const HTML = `{{#> layout}}
{{#> p}}Here is what happened in Privileged Identity Management for {{tenantName}} from {{weekFrom}} to {{weekTo}} ({{week}}).{{/p}}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px 0;">
{{#each tileRows}}<tr>{{#each this}}${TILE}{{/each}}</tr>
{{/each}}</table>
<h2 style="margin:16px 0 8px 0;${FONT}font-size:17px;line-height:24px;font-weight:600;color:#201f1e;">Overview of your top roles</h2>
{{#if topRoles.length}}
<table width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px 0;">
<tr><th align="left" ${TH}>Role</th><th align="right" ${TH}>Permanent</th><th align="right" ${TH}>Eligible</th><th align="right" ${TH}>Total</th></tr>
{{#each topRoles}}<tr><td align="left" ${TD}>{{displayName}}</td><td align="right" ${TD}>{{permanent}}</td><td align="right" ${TD}>{{eligible}}</td><td align="right" ${TD}>{{total}}</td></tr>
{{/each}}</table>
{{else}}
{{#> p}}No privileged role has any holder yet.{{/p}}
{{/if}}
{{#> p}}Permanent administrators are standing access. Take action: convert them to eligible assignments, so that the role is active only when someone needs it.{{/p}}
{{/layout}}`;

const TEXT = `{{#> textLayout}}Here is what happened in Privileged Identity Management for {{tenantName}} from {{weekFrom}} to {{weekTo}} ({{week}}).

{{#each tiles}}{{label}}: {{value}}{{#if change}} ({{change}}){{/if}}
{{/each}}
Overview of your top roles (permanent / eligible / total):
{{#each topRoles}}- {{displayName}}: {{permanent}} / {{eligible}} / {{total}}
{{else}}- No privileged role has any holder yet.
{{/each}}
Permanent administrators are standing access. Take action: convert them to eligible assignments, so that the role is active only when someone needs it.{{/textLayout}}`;

export const DIGEST_TEMPLATE: TemplateSource = {
  subject: 'PIM: Your weekly digest for {{tenantName}} ({{weekFrom}} to {{weekTo}})',
  html: HTML,
  text: TEXT,
};
