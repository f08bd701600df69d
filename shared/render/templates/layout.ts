/**
 * The layout every email shares, as Handlebars partials, and the small partials the
 * per-kind templates use for their body.
 *
 * HTML that Outlook (Word rendering engine) and Gmail both render: tables for layout,
 * inline styles only (Gmail drops <style> in many clients), a 600px centred card, a
 * bulletproof button (a table cell with a background colour, so it shows even where
 * padding on <a> is ignored). Every value is inserted with {{ }} (escaped); no
 * template here uses {{{ }}}.
 *
 * Partials:
 * - `layout` (block): the HTML page; the block is the body paragraphs.
 * - `p` (block): one body paragraph.
 * - `textLayout` (block): the plain-text part; the block is the body text.
 */

const FONT = "font-family:'Segoe UI',Helvetica,Arial,sans-serif;";

export const P_PARTIAL = `<p style="margin:0 0 16px 0;${FONT}font-size:15px;line-height:22px;color:#323130;">{{> @partial-block}}</p>`;

/** One row of the facts table; `multiline` values keep their line breaks as <br>. */
const FACT_ROW = `<tr>
<td valign="top" width="160" style="padding:8px 12px 8px 0;border-top:1px solid #edebe9;${FONT}font-size:14px;line-height:20px;color:#605e5c;">{{label}}</td>
<td valign="top" style="padding:8px 0;border-top:1px solid #edebe9;${FONT}font-size:14px;line-height:20px;color:#323130;">{{#if multiline}}{{breakLines value}}{{else}}{{value}}{{/if}}</td>
</tr>`;

export const LAYOUT_PARTIAL = `<!DOCTYPE html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting" content="yes">
<title>{{subject}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f2f1;">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">{{heading}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f2f1;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:600px;background-color:#ffffff;border:1px solid #e1dfdd;">
<tr><td style="padding:16px 32px;background-color:#0078d4;${FONT}font-size:14px;line-height:20px;color:#ffffff;">Privileged Identity Management{{#if tenantName}} &middot; {{tenantName}}{{/if}}</td></tr>
<tr><td style="padding:32px 32px 8px 32px;">
<h1 style="margin:0 0 20px 0;${FONT}font-size:22px;line-height:28px;font-weight:600;color:#201f1e;">{{heading}}</h1>
{{#if recipientName}}<p style="margin:0 0 16px 0;${FONT}font-size:15px;line-height:22px;color:#323130;">Hello {{recipientName}},</p>{{/if}}
{{> @partial-block}}
{{#if facts.length}}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 8px 0;border-bottom:1px solid #edebe9;">
{{#each facts}}${FACT_ROW}{{/each}}
</table>
{{/if}}
{{#if action}}
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0 24px 0;">
<tr><td align="center" bgcolor="#0078d4" style="border-radius:4px;background-color:#0078d4;">
<a href="{{action.url}}" target="_blank" style="display:inline-block;padding:12px 24px;border:1px solid #0078d4;border-radius:4px;${FONT}font-size:15px;line-height:20px;font-weight:600;color:#ffffff;text-decoration:none;">{{action.label}}</a>
</td></tr>
</table>
{{/if}}
</td></tr>
<tr><td style="padding:16px 32px 24px 32px;border-top:1px solid #edebe9;${FONT}font-size:12px;line-height:18px;color:#605e5c;">
{{reason}}<br>
This is an automated message from Privileged Identity Management; replies are not read.
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;

/** Plain text: heading, body, facts as `Label: value`, the link, then why. */
export const TEXT_LAYOUT_PARTIAL = `{{heading}}

{{#if recipientName}}Hello {{recipientName}},

{{/if}}{{> @partial-block}}
{{#if facts.length}}

{{#each facts}}{{label}}: {{value}}
{{/each}}{{/if}}
{{#if action}}
{{action.label}}: {{action.url}}
{{/if}}

--
{{reason}}
This is an automated message from Privileged Identity Management; replies are not read.
`;

export const PARTIALS = {
  layout: LAYOUT_PARTIAL,
  p: P_PARTIAL,
  textLayout: TEXT_LAYOUT_PARTIAL,
} as const;
