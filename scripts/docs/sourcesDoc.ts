/**
 * The generated part of docs/sources.md (the audit activity → event table of
 * shared/sources/activities.ts), in the shape scripts/docs.ts returns (file → content).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../shared/packageRoot.js';
import { AUDIT_ACTIVITIES } from '../../shared/sources/activities.js';

export const SOURCES_DOC = 'docs/sources.md';
export const ACTIVITIES_BEGIN = '<!-- activities:begin (generated from shared/sources/activities.ts) -->';
export const ACTIVITIES_END = '<!-- activities:end -->';

/** The activity → event table as markdown. */
export function activitiesMarkdownTable(): string {
  const rows = AUDIT_ACTIVITIES.map((m) => {
    const event = m.event ? `\`${m.event}\`${m.action ? ` (request.action \`${m.action}\`)` : ''}` : '–';
    const assignment = m.assignment ? `${m.assignment.state}, ${m.assignment.permanent ? 'permanent' : 'time-bound'}` : '–';
    return `| ${m.activity} | ${event} | ${assignment} | ${m.note.replace(/\|/g, '\\|')} |`;
  });
  return ['| audit activity (`activityDisplayName`) | event | assignment | why |', '|---|---|---|---|', ...rows].join('\n');
}

/** docs/sources.md with its generated block replaced by the current table. */
export function sourcesMarkdown(current: string): string {
  const begin = current.indexOf(ACTIVITIES_BEGIN);
  const end = current.indexOf(ACTIVITIES_END);
  if (begin < 0 || end < begin) throw new Error(`${SOURCES_DOC} must contain ${ACTIVITIES_BEGIN} ... ${ACTIVITIES_END}`);
  return current.slice(0, begin + ACTIVITIES_BEGIN.length) + '\n' + activitiesMarkdownTable() + '\n' + current.slice(end);
}

export async function generatedSourcesDocs(): Promise<Record<string, string>> {
  const current = await readFile(path.join(packageRoot(), SOURCES_DOC), 'utf8');
  return { [SOURCES_DOC]: sourcesMarkdown(current) };
}
