/** What every template file builds on: the template's three parts, the one-paragraph kind, the role phrase. */
export interface TemplateSource {
  subject: string;
  html: string;
  text: string;
}

/** A kind whose HTML and text bodies say the same one paragraph. */
export function simple(subject: string, body: string): TemplateSource {
  return {
    subject,
    html: `{{#> layout}}{{#> p}}${body}{{/p}}{{/layout}}`,
    text: `{{#> textLayout}}${body}{{/textLayout}}`,
  };
}

export const ROLE = 'the {{roleName}} role{{#if isAzureResource}} on {{scopeName}}{{/if}}';
