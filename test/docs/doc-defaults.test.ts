/**
 * scripts/check-doc-defaults.mjs (run by `npm run lint`): a figure the docs quote behind a
 * `<!-- default: NAME -->` marker must be the built code's constant. Proved on fixtures: one that
 * quotes the code's figures passes, one that drifted and one with an unknown name fail and say
 * where; and the repository's own docs pass with every required figure quoted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../helpers/temporal';

const script = join(packageRoot, 'scripts', 'check-doc-defaults.mjs');
const fixture = (name: string) => join('test', 'fixtures', 'doc-defaults', name);

function check(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: packageRoot, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('a doc quoting the code’s defaults passes', () => {
  const r = check('--only', fixture('right.md'));
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /6 figures \(6 defaults\) checked/);
});

test('a doc quoting a different figure fails, naming the line, the doc’s figure and the code’s', () => {
  const r = check('--only', fixture('wrong.md'));
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /wrong\.md:3: the doc says AGENT_TURN_DEADLINE_MS is "60 minutes\." \(3600000\), the code says 4200000/);
  assert.doesNotMatch(r.out, /WEBHOOK_SWEEP_MS/, 'the right figure on line 4 is not reported');
});

test('an unknown name or a marker without a figure fails', () => {
  const r = check('--only', fixture('unknown.md'));
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /unknown default NO_SUCH_CONSTANT/);
  assert.match(r.out, /no figure after the CHECKPOINT_FLUSH_MS marker/);
});

test('README.md, docs/ and workflows/README.md quote every required default as the code has it', () => {
  const r = check();
  assert.equal(r.status, 0, r.out);
});
