/**
 * The generated part of docs/sources.md, in the shape scripts/docs.ts returns
 * (file → content), so `generatedDocs()` can include it with one spread.
 * Until then: `npm run build && node dist/shared/sources/sourcesDoc.js` rewrites the file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../packageRoot.js';
import { SOURCES_DOC, sourcesMarkdown } from './activities.js';

export async function generatedSourcesDocs(): Promise<Record<string, string>> {
  const current = await readFile(path.join(packageRoot(), SOURCES_DOC), 'utf8');
  return { [SOURCES_DOC]: sourcesMarkdown(current) };
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  for (const [file, content] of Object.entries(await generatedSourcesDocs())) {
    await writeFile(path.join(packageRoot(), file), content);
    console.log(`wrote ${file}`);
  }
}
