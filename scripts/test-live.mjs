#!/usr/bin/env node
// `npm run test:live`: runs `gemini-jobs doctor` against the REAL Interactions API with the
// credentials in this environment (GEMINI_API_KEY / GOOGLE_API_KEY, or Vertex AI settings).
// Without credentials it says so and exits 0, so CI without a key stays green. A default run
// makes model turns only (about 20 requests, a few thousand tokens at most); pass more flags
// after `--`, e.g. `npm run test:live -- --deep-research` (costs money, asks first).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const env = { ...process.env };
const set = (name) => typeof env[name] === 'string' && env[name].trim() !== '';
// The live test is about Google's API: an emulator URL in the environment is not a live run.
delete env.GEMINI_JOBS_BASE_URL;
const vertex = /^(1|true|yes)$/i.test(env.GOOGLE_GENAI_USE_VERTEXAI ?? '') && (set('GOOGLE_CLOUD_PROJECT') || set('GOOGLE_API_KEY') || set('GEMINI_API_KEY'));
if (!vertex && !set('GEMINI_API_KEY') && !set('GOOGLE_API_KEY')) {
  console.log(
    'test:live skipped: no GEMINI_API_KEY, GOOGLE_API_KEY or Vertex AI settings (GOOGLE_GENAI_USE_VERTEXAI=true + GOOGLE_CLOUD_PROJECT) in the environment; nothing was sent.',
  );
  process.exit(0);
}
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);
console.log(`test:live: gemini-jobs doctor against the real API (${vertex ? 'Vertex AI' : 'Gemini API'})`);
const run = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), 'doctor', ...process.argv.slice(2)], { cwd: root, env, stdio: 'inherit' });
process.exit(run.status ?? 1);
