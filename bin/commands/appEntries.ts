/**
 * The app's function entry files, found the way the Functions host finds them: from the
 * package.json `main` glob (dist/functions/*.js), so the local runner loads exactly what
 * a deployment loads.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../shared/packageRoot.js';

export async function appEntryFiles(): Promise<string[]> {
  const root = packageRoot();
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { main: string };
  const dir = path.join(root, path.dirname(pkg.main));
  const pattern = new RegExp('^' + path.basename(pkg.main).replace(/\./g, '\\.').replace(/\*/g, '.*') + '$');
  const files = (await readdir(dir)).filter((f) => pattern.test(f)).sort();
  if (files.length === 0) throw new Error(`no function entry files match ${pkg.main}: run npm run build`);
  return files.map((f) => path.join(dir, f));
}
