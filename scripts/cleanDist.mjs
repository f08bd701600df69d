// `npm run build` starts from an empty dist/: a function removed from functions/ must not
// linger as dist/functions/<name>.js, which package.json `main` (dist/functions/*.js) would load.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
