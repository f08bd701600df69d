/**
 * Which files of `shared/` are ports and which are adapters, read from the code rather than
 * from anyone's memory, for README's Layout table (layoutDoc.ts):
 * - a port file declares an interface that some class in `shared/` implements;
 * - an adapter holds such a class, or is adapter code to the import boundaries (the ADAPTERS
 *   patterns of .dependency-cruiser.cjs, which `npm run lint` enforces), so the table and the
 *   checked boundary cannot name different things adapters.
 * The TypeScript parser (no type checking) reads the `implements` clauses: a comment or a string
 * that looks like one does not count, and a full parse of shared/ takes well under a second.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

export interface Roles {
  /** Paths relative to the root, with `/`. */
  ports: Set<string>;
  adapters: Set<string>;
  /** The boundary checker's adapter patterns, matched against `shared/x/y.ts` or `shared/x/sub/`. */
  adapterPatterns: RegExp[];
}

/** The rule of .dependency-cruiser.cjs whose `to.path` is exactly its ADAPTERS list. */
const ADAPTER_RULE = 'pure-imports-no-adapter';

/** ADAPTERS, read from the checker's own config, so there is one list. */
export function boundaryAdapterPatterns(root: string): RegExp[] {
  const file = path.join(root, '.dependency-cruiser.cjs');
  const config = createRequire(import.meta.url)(file) as { forbidden?: { name: string; to?: { path?: string | string[] } }[] };
  const paths = config.forbidden?.find((r) => r.name === ADAPTER_RULE)?.to?.path;
  if (!Array.isArray(paths))
    throw new Error(
      `${file}: rule ${ADAPTER_RULE} with to.path = ADAPTERS not found (scripts/docs/layoutRoles.ts reads the adapters from it)`,
    );
  return paths.map((p) => new RegExp(p));
}

async function tsFiles(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await tsFiles(root, rel)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Where `name`, as used in `file`, is declared: `file` itself, or the relative module it imports it from. */
function declaringFile(root: string, file: string, source: ts.SourceFile, name: string): string | undefined {
  const local = source.statements.some((s) => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (local) return file;
  for (const s of source.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    const bindings = s.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    if (!bindings.elements.some((e) => e.name.text === name)) continue;
    const spec = s.moduleSpecifier.text;
    // A package's interface (e.g. Graph's Middleware) is nobody's port here.
    if (!spec.startsWith('.')) return undefined;
    // NodeNext imports name the compiled `.js`; the source beside it is `.ts`.
    const target = path.posix.join(path.posix.dirname(file), spec.replace(/\.js$/, '.ts'));
    return existsSync(path.join(root, target)) ? target : undefined;
  }
  return undefined;
}

/** Ports and adapters of `<root>/shared`. */
export async function sharedRoles(root: string): Promise<Roles> {
  const ports = new Set<string>();
  const adapters = new Set<string>();
  for (const file of await tsFiles(root, 'shared')) {
    const text = await readFile(path.join(root, file), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node)) {
        for (const clause of node.heritageClauses ?? []) {
          if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
          for (const type of clause.types) {
            if (!ts.isIdentifier(type.expression)) continue;
            const port = declaringFile(root, file, source, type.expression.text);
            if (port === undefined) continue;
            ports.add(port);
            adapters.add(file);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { ports, adapters, adapterPatterns: boundaryAdapterPatterns(root) };
}

/** The column an entry of a feature folder goes in (`rel` ends with `/` for a folder). */
export function columnOf(roles: Roles, rel: string): 'port' | 'adapters' | 'also' {
  if (roles.ports.has(rel)) return 'port';
  if (roles.adapterPatterns.some((p) => p.test(rel))) return 'adapters';
  const inside = (file: string): boolean => (rel.endsWith('/') ? file.startsWith(rel) : file === rel);
  if ([...roles.adapters].some(inside)) return 'adapters';
  return 'also';
}
