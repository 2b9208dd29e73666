/** Files this package ships beside its code (the dashboard, schemas/), found from the compiled or source location. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The directory of this package's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('gemini-jobs: package.json not found above ' + __dirname);
    dir = parent;
  }
}
