/**
 * Just enough of OData's `$filter` grammar for the local services to judge a filter against
 * the documented contract (graphContract.ts): comparisons (`eq ne gt ge lt le`), `in (…)`,
 * `startswith(…)` / `endswith(…)`, `not`, joined by `and` / `or`, grouped by parentheses.
 * The clauses come back flat: the contract asks which property is filtered how, not the logic.
 */
export interface FilterClause {
  property: string;
  /** Lower case: eq, ne, gt, ge, lt, le, in, startswith, endswith, not. */
  operator: string;
  /** Literal values, string quotes removed. */
  values: string[];
}

/** The clauses of a filter, or why it does not parse. */
export function parseODataFilter(filter: string): FilterClause[] | string {
  const parts = splitOutside(filter.trim(), /^(and|or)$/i);
  if (parts.length === 0 || parts.some((p) => p === '')) return `'${filter}' has an empty operand`;
  const out: FilterClause[] = [];
  for (const part of parts) {
    const clause = parseClause(part.trim());
    if (typeof clause === 'string') return clause;
    out.push(...clause);
  }
  return out;
}

function parseClause(text: string): FilterClause[] | string {
  let m: RegExpExecArray | null;
  if (/^not[\s(]/i.test(text)) {
    const inner = parseODataFilter(text.replace(/^not\s*/i, ''));
    return typeof inner === 'string' ? inner : inner.map((c) => ({ ...c, operator: 'not' }));
  }
  if (text.startsWith('(') && closingParen(text) === text.length - 1) return parseODataFilter(text.slice(1, -1));
  if ((m = /^(startswith|endswith)\(\s*([\w/]+)\s*,\s*('(?:[^']|'')*')\s*\)$/i.exec(text)))
    return [{ property: m[2]!, operator: m[1]!.toLowerCase(), values: [unquote(m[3]!)] }];
  if ((m = /^([\w/]+)\s+in\s+\((.*)\)$/i.exec(text))) {
    const values = splitOutside(m[2]!, /^,$/, ',').map((v) => v.trim());
    if (values.some((v) => !isLiteral(v))) return `'${text}' lists something other than literals`;
    return [{ property: m[1]!, operator: 'in', values: values.map(unquote) }];
  }
  if ((m = /^([\w/]+)\s+(eq|ne|gt|ge|lt|le)\s+(.+)$/i.exec(text))) {
    if (!isLiteral(m[3]!.trim())) return `'${m[3]}' is not a literal in '${text}'`;
    return [{ property: m[1]!, operator: m[2]!.toLowerCase(), values: [unquote(m[3]!.trim())] }];
  }
  return `'${text}' is not a supported expression`;
}

function isLiteral(value: string): boolean {
  return (
    /^'(?:[^']|'')*'$/.test(value) ||
    /^(true|false|null)$/i.test(value) ||
    /^-?\d+(\.\d+)?$/.test(value) ||
    /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value) ||
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
  );
}

function unquote(value: string): string {
  return /^'.*'$/.test(value) ? value.slice(1, -1).replace(/''/g, "'") : value;
}

function closingParen(text: string): number {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * Splits on separators outside quotes and parentheses: words (`and`, `or`) by default, or a
 * single character when `char` is given.
 */
function splitOutside(text: string, separator: RegExp, char?: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  const tokens = char ? [...text] : text.split(/(\s+)/);
  for (const token of tokens) {
    if (depth === 0 && !quoted && separator.test(char ? token : token.trim()) && token.trim() !== '') {
      out.push(current);
      current = '';
      continue;
    }
    for (const ch of token) {
      if (ch === "'") quoted = !quoted;
      else if (!quoted && ch === '(') depth++;
      else if (!quoted && ch === ')') depth--;
    }
    current += token;
  }
  out.push(current);
  // Empty parts stay (`a and`): the caller refuses a dangling operator; a wholly empty text has none.
  return text.trim() ? out.map((s) => s.trim()) : [];
}
