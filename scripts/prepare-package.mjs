#!/usr/bin/env node
// Builds what the package ships (dist/src, dist/workflows, dist/activities) so that installing
// gemini-jobs from a clone, a path, a git URL or an `npm pack` tarball gives a working package:
// npm runs `prepare` after installing a git or path dependency and `prepack` before packing.
//
//   node scripts/prepare-package.mjs          build unless dist is newer than every source file
//   node scripts/prepare-package.mjs --force  always build (prepack: a tarball must be current)
//
// Skips quietly when the sources are absent (a Docker layer that runs `npm ci` before copying
// them) and when TypeScript is not installed (a production install without dev dependencies).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const sources = ['src', 'workflows', 'activities'].map((d) => join(root, d));
const marker = join(root, 'dist', 'src', 'index.js');

if (!sources.every((d) => existsSync(d))) process.exit(0);
let tsc;
try {
  tsc = join(dirname(fileURLToPath(import.meta.resolve('typescript/package.json'))), 'bin', 'tsc');
} catch {
  process.stderr.write(`gemini-jobs prepare: typescript is not installed, so dist/ was not built; run \`npm ci\` in ${root} first (it builds).\n`);
  process.exit(0);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (!force && existsSync(marker)) {
  const built = statSync(marker).mtimeMs;
  if (sources.every((d) => newestMtime(d) <= built)) process.exit(0);
}
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.package.json')], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
