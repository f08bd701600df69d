/**
 * The folder holding package.json: relative paths in settings (the sample snapshot, the
 * outbox) are resolved against it, so they mean the same from `npm start`, the tests, a
 * compiled dist/ file and the Functions host (whose working directory is that folder too).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return (root = dir);
}

export function fromPackageRoot(p: string): string {
  return path.isAbsolute(p) ? p : path.join(packageRoot(), p);
}
