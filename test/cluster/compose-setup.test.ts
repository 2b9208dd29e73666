/**
 * docker-compose.yml's `temporal-setup` script, run as written (sh, the Temporal CLI) against the
 * real server on PostgreSQL for a namespace that does not exist yet: it must get through the
 * "Namespace … is not found" window after `namespace create` on its own (no `restart:` crutch) and
 * finish only once a query resolves all three search attributes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTE_NAMES } from '../../workflows/definitions';
import { clusterState, needsCluster } from '../helpers/cluster';
import { packageRoot, temporalCliPath } from '../helpers/temporal';

test('compose temporal-setup: creates a fresh namespace and its search attributes, riding out the namespace cache race', { skip: needsCluster, timeout: 180_000 }, async () => {
  const compose = parse(readFileSync(join(packageRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { command: string[] }> };
  // Compose turns `$$` into `$` before the shell sees the script.
  const script = compose.services['temporal-setup']!.command.join('\n').replaceAll('$$', '$');
  const bin = mkdtempSync(join(tmpdir(), 'gj-setup-bin-'));
  try {
    symlinkSync(await temporalCliPath(), join(bin, 'temporal'));
    const namespace = `setup-${randomUUID().slice(0, 8)}`;
    const env = { PATH: `${bin}:${process.env.PATH}`, HOME: bin, TEMPORAL_ADDRESS: clusterState()!.address, TEMPORAL_NAMESPACE: namespace };
    const run = spawnSync('sh', ['-c', script], { env, encoding: 'utf8', timeout: 150_000 });
    assert.equal(run.status, 0, `setup script failed:\n${run.stdout}\n${run.stderr}`);
    const listed = spawnSync(join(bin, 'temporal'), ['operator', 'search-attribute', 'list', '--namespace', namespace], { env, encoding: 'utf8' });
    for (const name of Object.values(SEARCH_ATTRIBUTE_NAMES)) assert.match(listed.stdout, new RegExp(`\\b${name}\\b.*Keyword`));
    // Idempotent: a second run (compose restarts, `up` again) changes nothing and succeeds.
    const again = spawnSync('sh', ['-c', script], { env, encoding: 'utf8', timeout: 150_000 });
    assert.equal(again.status, 0, again.stderr);
    const waits = (run.stderr.match(/setup: waiting for namespace/g) ?? []).length;
    console.log(`compose setup on a fresh namespace: ${waits} retries while the namespace cache caught up`);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
