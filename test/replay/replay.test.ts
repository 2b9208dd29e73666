/**
 * Replay safety: every history recorded from a deployed version (test/replay/histories/v*) is
 * replayed against the workflow code of this checkout. A change to the command sequence that is
 * not guarded by `patched()` fails here with a DeterminismViolationError naming the history.
 * See workflows/README.md for the policy and `npm run replay:record` for recording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { packageRoot, workflowBundle } from '../helpers/temporal';
import { historyFromJson } from './history-json';
import { patchIds } from '../helpers/patch-markers';
import { PATCHES } from '../../workflows/patches';
import type { ManifestEntry } from './record';

const corpusRoot = join(packageRoot, 'test', 'replay', 'histories');

interface Corpus {
  version: string;
  dir: string;
  entries: ManifestEntry[];
}

function corpora(): Corpus[] {
  return readdirSync(corpusRoot)
    .filter((name) => existsSync(join(corpusRoot, name, 'manifest.json')))
    .sort()
    .map((name) => {
      const dir = join(corpusRoot, name);
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { histories: ManifestEntry[] };
      return { version: name, dir, entries: manifest.histories };
    });
}

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // another test file in this process installed it
}

test('every recorded history is listed in its manifest, and every listed file exists', () => {
  const all = corpora();
  assert.ok(all.length >= 1, 'at least the v0.1.0 corpus is checked in');
  for (const c of all) {
    const files = readdirSync(c.dir)
      .filter((f) => f.endsWith('.json') && f !== 'manifest.json')
      .sort();
    assert.deepEqual(c.entries.map((e) => e.file).sort(), files, `${c.version}: manifest and files agree`);
  }
});

test('the newest corpus takes the new side of every registered patch, and has open jobs among its histories', () => {
  const newest = corpora().at(-1)!;
  const markers = new Set(newest.entries.flatMap((e) => patchIds(historyFromJson(readFileSync(join(newest.dir, e.file), 'utf8')))));
  for (const entry of Object.values(PATCHES)) {
    if (entry.since !== newest.version.replace(/^v/, '')) continue;
    assert.ok(markers.has(entry.id), `${newest.version} has a history with the ${entry.id} marker (record it with npm run replay:record)`);
  }
  assert.ok(
    newest.entries.some((e) => e.status === 'RUNNING'),
    `${newest.version} holds open jobs (recorded where they wait)`,
  );
});

for (const corpus of corpora()) {
  test(`replay ${corpus.version}: ${corpus.entries.length} histories replay without non-determinism`, async () => {
    const bundle = await workflowBundle();
    const histories = corpus.entries.map((e) => ({
      workflowId: e.workflowId,
      history: historyFromJson(readFileSync(join(corpus.dir, e.file), 'utf8')),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: `replay-${corpus.version}` }, histories)) {
      // Results come back in input order; a continue-as-new chain shares one workflow id.
      const entry = corpus.entries[replayed++];
      if (result.error) {
        failures.push(`${entry?.file ?? result.workflowId} (${entry?.path ?? '?'}): ${result.error.name}: ${result.error.message}`);
      }
    }
    assert.equal(replayed, histories.length, 'every history was replayed');
    assert.deepEqual(failures, [], `histories of ${corpus.version} no longer replay; guard the change with patched() (workflows/README.md)`);
  });
}
