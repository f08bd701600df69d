/**
 * The deployment templates as the infra tests read them (without the Bicep CLI or Azure): the
 * project's paths, the appSettings block and module arrays of main.bicep, and the bindings the
 * functions register.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFunctionApp, type RegisteredFunction } from '../../dev/host/functionApp.js';
import { entriesOf, readBicep, resolve, valueBracketAfter, type BicepFile, type Entry } from './bicep.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = 'infra/main.bicep';
export const APP_MODULE = 'infra/modules/functionapp.bicep';

export function read(rel: string): string {
  return readFileSync(path.join(ROOT, rel), 'utf8');
}

export function bicep(rel: string): BicepFile {
  return readBicep(path.join(ROOT, rel));
}

export function filesUnder(rel: string, ext: string): string[] {
  const dir = path.join(ROOT, rel);
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(path.join(rel, name), ext));
    else if (name.endsWith(ext)) out.push(path.join(rel, name));
  }
  return out.sort();
}

/** The appSettings object passed to the function app module in main.bicep. */
export function appSettings(): { file: BicepFile; entries: Map<string, Entry> } {
  const file = bicep(MAIN);
  const module = /^\s*module\s+\w+\s+'modules\/functionapp\.bicep'/m.exec(file.code);
  if (!module) throw new Error(`${MAIN} has no \`module ... 'modules/functionapp.bicep'\`: the app settings are expected there`);
  const open = valueBracketAfter(file, 'appSettings', module.index);
  if (open < 0) throw new Error(`${MAIN}: the functionapp module call has no \`appSettings: { ... }\` block`);
  const entries = new Map<string, Entry>();
  for (const e of entriesOf(file, open)) {
    if (!e.key) throw new Error(`${MAIN}:${e.line}: cannot read "${e.value}" in appSettings: write one \`NAME: value\` per line`);
    if (entries.has(e.key)) throw new Error(`${MAIN}:${e.line}: app setting ${e.key} is set twice`);
    entries.set(e.key, e);
  }
  return { file, entries };
}

/** Items of an array param passed to a module in main.bicep, resolved to literals. */
export function moduleArray(modulePath: string, param: string): string[] {
  const file = bicep(MAIN);
  const module = new RegExp(`^\\s*module\\s+\\w+\\s+'${modulePath.replace(/[.]/g, '\\.')}'`, 'm').exec(file.code);
  if (!module) throw new Error(`${MAIN} has no module '${modulePath}'`);
  const open = valueBracketAfter(file, param, module.index);
  if (open < 0) throw new Error(`${MAIN}: module '${modulePath}' gets no \`${param}: [ ... ]\``);
  return entriesOf(file, open).map((e) => {
    const r = resolve(file, e.value);
    if (r.kind !== 'literal') throw new Error(`${MAIN}:${e.line}: ${param} item ${e.value} must be a string literal or a var holding one`);
    return r.value;
  });
}

/**
 * What the functions register, read from the real registrations (the core stand-in records
 * the binding metadata the host would get), so constants and template literals in
 * functions/*.ts are already resolved.
 */
let registrations: Promise<RegisteredFunction[]> | undefined;
export async function bindings(): Promise<{ queues: Set<string>; connections: Set<string>; expressions: Map<string, string> }> {
  const entries = filesUnder('functions', '.ts').filter((f) => path.dirname(f) === 'functions');
  registrations ??= loadFunctionApp(entries.map((f) => path.join(ROOT, f))).catch((error: unknown) => {
    throw new Error(`could not load ${entries.join(', ')} to read their bindings (fix the import error first): ${String(error)}`);
  });
  const queues = new Set<string>();
  const connections = new Set<string>();
  const expressions = new Map<string, string>();
  for (const fn of await registrations) {
    for (const b of Object.values(fn.bindings)) {
      if (/^queue/i.test(b.type) && typeof b.queueName === 'string') queues.add(b.queueName);
      if (typeof b.connection === 'string') connections.add(b.connection);
      for (const value of Object.values(b)) {
        if (typeof value !== 'string') continue;
        for (const m of value.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g))
          expressions.set(m[1]!, `function ${fn.name} (binding ${b.name ?? b.type})`);
      }
    }
  }
  return { queues, connections, expressions };
}
