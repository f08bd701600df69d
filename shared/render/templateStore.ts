/**
 * Compiled templates, built once per templates folder and kept for the life of the process:
 * rendering reads no file and parses no template (it is on the hot path of every event).
 *
 * A TEMPLATES_DIR may hold `<notification>.subject.hbs`, `<notification>.html.hbs` and
 * `<notification>.text.hbs` (notification = a NotificationKind), and `layout.html.hbs` /
 * `layout.text.hbs` for the shared layout; each file replaces its built-in counterpart,
 * the rest stay built-in. A `.hbs` file with any other name is an error rather than being
 * silently ignored, since a typo would otherwise go unnoticed until someone reads an email.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { NOTIFICATION_KINDS, type NotificationKind } from '../rules/notifications.js';
import { DIGEST_TEMPLATE } from './templates/digest.js';
import { HELD_BACK_TEMPLATE } from './templates/heldBack.js';
import { PARTIALS } from './templates/layout.js';
import { NOTIFICATION_TEMPLATES, type TemplateSource } from './templates/notifications.js';
import { GROUP_NOTIFICATION_TEMPLATES } from './templates/groupNotifications.js';
import { REQUEST_TEMPLATES } from './templates/requests.js';
import { ESCALATION_TEMPLATES, type EscalationEmail } from './templates/escalation.js';

type Render = (view: object) => string;

export interface CompiledTemplate {
  subject: Render;
  html: Render;
  text: Render;
}

/** The kinds' templates, and the held-back summary's (built in; it takes the layout of the set). */
export type TemplateSet = Record<NotificationKind, CompiledTemplate> & { heldBackSummary: CompiledTemplate } & Record<
    EscalationEmail,
    CompiledTemplate
  >;

export class TemplatesError extends Error {
  override readonly name = 'TemplatesError';
}

type Part = 'subject' | 'html' | 'text';

const BUILT_IN: Record<NotificationKind, TemplateSource> = {
  ...NOTIFICATION_TEMPLATES,
  ...GROUP_NOTIFICATION_TEMPLATES,
  ...REQUEST_TEMPLATES,
  weeklyDigest: DIGEST_TEMPLATE,
};

const cache = new Map<string, TemplateSet>();

/** The templates for a folder of overrides (or the built-in ones), compiled on first use. */
export function templateSet(templatesDir?: string): TemplateSet {
  const key = templatesDir ?? '';
  let set = cache.get(key);
  if (!set) {
    set = compileSet(templatesDir ? readOverrides(templatesDir) : emptyOverrides());
    cache.set(key, set);
  }
  return set;
}

/** Forgets compiled templates (tests; a deployment changes templates by restarting). */
export function clearTemplateCache(): void {
  cache.clear();
}

interface Overrides {
  templates: Partial<Record<NotificationKind, Partial<TemplateSource>>>;
  layoutHtml?: string;
  layoutText?: string;
}

function emptyOverrides(): Overrides {
  return { templates: {} };
}

function readOverrides(dir: string): Overrides {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new TemplatesError(`TEMPLATES_DIR ${dir} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const overrides = emptyOverrides();
  const unknown: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.hbs')) continue;
    const match = /^([A-Za-z]+)\.(subject|html|text)\.hbs$/.exec(name);
    const [, target, part] = match ?? [];
    const source = () => readFileSync(join(dir, name), 'utf8');
    if (target === 'layout' && part === 'html') overrides.layoutHtml = source();
    else if (target === 'layout' && part === 'text') overrides.layoutText = source();
    else if (target && part && isKind(target)) {
      (overrides.templates[target] ??= {})[part as Part] = source();
    } else unknown.push(name);
  }
  if (unknown.length > 0) {
    throw new TemplatesError(
      `TEMPLATES_DIR ${dir} has templates with unknown names: ${unknown.join(', ')} ` +
        `(expected <notification>.<subject|html|text>.hbs, notification one of ${NOTIFICATION_KINDS.join(', ')}, or layout)`,
    );
  }
  return overrides;
}

function isKind(name: string): name is NotificationKind {
  return (NOTIFICATION_KINDS as string[]).includes(name);
}

function compileSet(overrides: Overrides): TemplateSet {
  // One isolated Handlebars environment per set, so overrides never leak between sets.
  const hb = Handlebars.create();
  hb.registerPartial('layout', overrides.layoutHtml ?? PARTIALS.layout);
  hb.registerPartial('p', PARTIALS.p);
  hb.registerPartial('textLayout', overrides.layoutText ?? PARTIALS.textLayout);
  hb.registerHelper('breakLines', (value: unknown) => {
    // Escape first, then add the <br>s: the only markup in the output is ours.
    const escaped = hb.escapeExpression(typeof value === 'string' ? value : '');
    return new hb.SafeString(escaped.replace(/\n/g, '<br>'));
  });

  const set = {} as TemplateSet;
  for (const kind of NOTIFICATION_KINDS) {
    const source = { ...BUILT_IN[kind], ...overrides.templates[kind] };
    set[kind] = {
      // Subject and text are plain text: HTML-escaping them would show "&amp;" to the reader.
      subject: compile(hb, source.subject, { noEscape: true }, kind, 'subject'),
      html: compile(hb, source.html, {}, kind, 'html'),
      text: compile(hb, source.text, { noEscape: true }, kind, 'text'),
    };
  }
  set.heldBackSummary = {
    subject: compile(hb, HELD_BACK_TEMPLATE.subject, { noEscape: true }, 'heldBackSummary', 'subject'),
    html: compile(hb, HELD_BACK_TEMPLATE.html, {}, 'heldBackSummary', 'html'),
    text: compile(hb, HELD_BACK_TEMPLATE.text, { noEscape: true }, 'heldBackSummary', 'text'),
  };
  // Built in, like the summary: escalation's emails (templates/escalation.ts) take the set's layout.
  for (const [name, source] of Object.entries(ESCALATION_TEMPLATES) as [EscalationEmail, TemplateSource][]) {
    set[name] = {
      subject: compile(hb, source.subject, { noEscape: true }, name, 'subject'),
      html: compile(hb, source.html, {}, name, 'html'),
      text: compile(hb, source.text, { noEscape: true }, name, 'text'),
    };
  }
  return set;
}

function compile(hb: typeof Handlebars, source: string, options: CompileOptions, kind: string, part: Part): Render {
  try {
    // precompile-time parse now, so a broken override fails at load, not at the first event.
    hb.parse(source);
  } catch (e) {
    throw new TemplatesError(`template ${kind}.${part} does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
  const template = hb.compile(source, { ...options, strict: false });
  return (view) => template(view);
}
