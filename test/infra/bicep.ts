/**
 * Just enough Bicep reading for test/infra: the Bicep CLI cannot run here (toolchain.md), so
 * the tests read the templates as text. Regexes alone break on braces inside strings or
 * comments, so the text is first "masked": comments and the contents of strings (with their
 * ${...} interpolations) become spaces, keeping every offset, so a position found in the
 * masked text points at the same place in the original.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface BicepFile {
  path: string;
  /** The file as written. */
  text: string;
  /** Comments blanked out; strings kept (for reading literals and resource types). */
  code: string;
  /** Comments and string contents blanked out (for structure: braces, keys). */
  masked: string;
}

type Mode = { kind: 'code' } | { kind: 'string' } | { kind: 'interp'; depth: number };

export function parseBicep(text: string, filePath = '<inline>'): BicepFile {
  const code = text.split('');
  const masked = text.split('');
  const blank = (arr: string[], i: number) => {
    if (arr[i] !== '\n') arr[i] = ' ';
  };
  const stack: Mode[] = [{ kind: 'code' }];
  let i = 0;
  while (i < text.length) {
    const mode = stack[stack.length - 1]!;
    const c = text[i]!;
    const next = text[i + 1];
    if (mode.kind === 'string') {
      if (c === '\\') {
        blank(masked, i);
        if (i + 1 < text.length) blank(masked, i + 1);
        i += 2;
        continue;
      }
      if (c === '$' && next === '{') {
        blank(masked, i);
        blank(masked, i + 1);
        stack.push({ kind: 'interp', depth: 0 });
        i += 2;
        continue;
      }
      if (c === "'") {
        stack.pop();
        // The closing quote of a string nested in an interpolation is string content too.
        if (stack[stack.length - 1]?.kind === 'interp') blank(masked, i);
        i += 1;
        continue;
      }
      blank(masked, i);
      i += 1;
      continue;
    }
    const insideString = mode.kind === 'interp';
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') {
        blank(code, i);
        blank(masked, i);
        i += 1;
      }
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      for (; i < stop; i += 1) {
        blank(code, i);
        blank(masked, i);
      }
      continue;
    }
    if (text.startsWith("'''", i)) {
      // Multi-line string: no escapes, no interpolation.
      const end = text.indexOf("'''", i + 3);
      const stop = end === -1 ? text.length : end + 3;
      for (let j = i + 3; j < stop - 3; j += 1) blank(masked, j);
      i = stop;
      continue;
    }
    if (c === "'") {
      if (insideString) blank(masked, i);
      stack.push({ kind: 'string' });
      i += 1;
      continue;
    }
    if (mode.kind === 'interp') {
      if (c === '{') mode.depth += 1;
      if (c === '}') {
        if (mode.depth === 0) {
          blank(masked, i);
          stack.pop();
          i += 1;
          continue;
        }
        mode.depth -= 1;
      }
      blank(masked, i);
    }
    i += 1;
  }
  return { path: filePath, text, code: code.join(''), masked: masked.join('') };
}

export function readBicep(filePath: string): BicepFile {
  return parseBicep(readFileSync(filePath, 'utf8'), filePath);
}

/** Every .bicep file under a folder. */
export function bicepFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...bicepFilesUnder(full));
    else if (name.endsWith('.bicep')) out.push(full);
  }
  return out.sort();
}

/** Offset of the bracket closing the one at `open` ({, [ or (), found on the masked text. */
export function matchingClose(file: BicepFile, open: number): number {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const closer = pairs[file.masked[open] ?? ''];
  if (!closer) throw new Error(`${file.path}: no bracket at offset ${open}`);
  let depth = 0;
  for (let i = open; i < file.masked.length; i += 1) {
    const c = file.masked[i]!;
    if (c === '{' || c === '[' || c === '(') depth += 1;
    else if (c === '}' || c === ']' || c === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new Error(`${file.path}: bracket at offset ${open} is never closed`);
}

export interface Entry {
  key: string;
  /** The value's text on the key's line (comments removed, trimmed). */
  value: string;
  line: number;
}

/**
 * The top-level `key: value` entries of the object or the items of the array whose opening
 * bracket is at `open`. Entries are expected one per line, as Bicep writes them.
 */
export function entriesOf(file: BicepFile, open: number): Entry[] {
  const close = matchingClose(file, open);
  const entries: Entry[] = [];
  let depth = 0;
  let lineStart = open + 1;
  // Depth where the current line starts: an entry line may open a nested object itself.
  let lineDepth = 0;
  for (let i = open + 1; i <= close; i += 1) {
    const c = file.masked[i]!;
    if (c === '\n' || i === close) {
      if (lineDepth === 0) {
        const codeLine = file.code.slice(lineStart, i);
        const m = /^\s*(?:'([^']*)'|([A-Za-z_][A-Za-z0-9_]*))\s*:\s*(.*?)\s*$/.exec(codeLine);
        if (m) entries.push({ key: m[1] ?? m[2]!, value: m[3]!, line: lineNumber(file, lineStart) });
        else if (codeLine.trim() !== '') entries.push({ key: '', value: codeLine.trim(), line: lineNumber(file, lineStart) });
      }
      lineStart = i + 1;
      lineDepth = depth;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth += 1;
    else if (c === '}' || c === ']' || c === ')') depth -= 1;
  }
  return entries;
}

export function lineNumber(file: BicepFile, offset: number): number {
  return file.text.slice(0, offset).split('\n').length;
}

/**
 * The object or array following `<name>:` (first match at top level of the masked text after
 * `from`), as the offset of its opening bracket; -1 when absent.
 */
export function valueBracketAfter(file: BicepFile, name: string, from = 0): number {
  const re = new RegExp(`(^|[\\s{,])${name}\\s*:\\s*([\\[{])`, 'g');
  re.lastIndex = from;
  const m = re.exec(file.masked);
  return m ? m.index + m[0].length - 1 : -1;
}

export interface ResourceDecl {
  symbol: string;
  type: string;
  /** Empty for a nested child declared by its short type (`resource x 'config' = ...`). */
  apiVersion: string;
  existing: boolean;
  /** Offset of the `{` that opens its body. */
  open: number;
  body: string;
}

export function resources(file: BicepFile): ResourceDecl[] {
  const re = /^\s*resource\s+([A-Za-z_]\w*)\s+'([^'@]+)(?:@([^']+))?'\s*(existing\s*)?=\s*(?:\[\s*for[^:]*:\s*)?(?:if\s*\([^)]*\)\s*)?\{/gm;
  const out: ResourceDecl[] = [];
  for (let m = re.exec(file.code); m; m = re.exec(file.code)) {
    const open = m.index + m[0].length - 1;
    const close = matchingClose(file, open);
    out.push({ symbol: m[1]!, type: m[2]!, apiVersion: m[3] ?? '', existing: Boolean(m[4]), open, body: file.code.slice(open, close + 1) });
  }
  return out;
}

export type Resolved =
  { kind: 'literal'; value: string } | { kind: 'param'; name: string; default?: string } | { kind: 'expression'; text: string };

const LITERAL = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/;

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_m, ch: string) => ({ n: '\n', r: '\r', t: '\t' })[ch] ?? ch);
}

/** A value as written: a string literal, a param (with its literal default) or a var holding a literal. */
export function resolve(file: BicepFile, value: string): Resolved {
  const v = value.replace(/,$/, '').trim();
  const lit = LITERAL.exec(v);
  if (lit) return { kind: 'literal', value: unescape(lit[1]!) };
  if (/^[A-Za-z_]\w*$/.test(v)) {
    const param = new RegExp(`^\\s*param\\s+${v}\\s+\\w+(?:\\s*=\\s*(.*?))?\\s*$`, 'm').exec(file.code);
    if (param) {
      const def = param[1] === undefined ? undefined : LITERAL.exec(param[1].trim());
      return def ? { kind: 'param', name: v, default: unescape(def[1]!) } : { kind: 'param', name: v };
    }
    const variable = new RegExp(`^\\s*var\\s+${v}\\s*=\\s*(.*?)\\s*$`, 'm').exec(file.code);
    if (variable) {
      const inner = LITERAL.exec(variable[1]!.trim());
      if (inner) return { kind: 'literal', value: unescape(inner[1]!) };
    }
  }
  return { kind: 'expression', text: v };
}
