/**
 * The patch registry (workflows/patches.ts) and the workflow code agree: every `patched()` /
 * `deprecatePatch()` call in workflows/ names a registry entry (never a literal), every entry is
 * asked somewhere, and ids follow the naming rule of workflows/README.md. The corpus tests
 * (replay.test.ts) prove each entry's branches; this proves nothing is asked outside the registry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PATCHES, PATCH_IDS } from '../../workflows/patches';
import { packageRoot } from '../helpers/temporal';

const workflowsDir = join(packageRoot, 'workflows');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every patch call in the workflow sources: file and the argument as written. */
function patchCalls(): Array<{ file: string; argument: string }> {
  const calls: Array<{ file: string; argument: string }> = [];
  for (const file of sources(workflowsDir)) {
    const text = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
    for (const match of text.matchAll(/\b(?:patched|deprecatePatch)\(\s*([^)]*?)\s*\)/g)) calls.push({ file: relative(packageRoot, file), argument: match[1]! });
  }
  return calls;
}

test('every patch call names a registry entry, never a literal', () => {
  const calls = patchCalls();
  assert.ok(calls.length > 0, 'the workflows ask at least one patch');
  for (const { file, argument } of calls) {
    const entry = /^PATCHES\.(\w+)\.id$/.exec(argument);
    assert.ok(entry, `${file}: patched(${argument}) must name PATCHES.<entry>.id (workflows/patches.ts)`);
    assert.ok(entry[1]! in PATCHES, `${file}: PATCHES.${entry[1]} is not in the registry`);
  }
});

test('every registry entry is asked by the workflow code', () => {
  const asked = new Set(patchCalls().map((c) => /^PATCHES\.(\w+)\.id$/.exec(c.argument)?.[1]));
  for (const key of Object.keys(PATCHES)) assert.ok(asked.has(key), `PATCHES.${key} is registered but never asked: deprecate and remove it as workflows/README.md says`);
});

test('patch ids are unique, descriptive kebab-case, with their release and guards written down', () => {
  assert.equal(new Set(PATCH_IDS).size, PATCH_IDS.length, 'an id is never reused');
  for (const entry of Object.values(PATCHES)) {
    assert.match(entry.id, /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/, `${entry.id}: kebab-case, several words`);
    assert.doesNotMatch(entry.id, /(^|-)v?\d+(\.\d+)*($|-)|issue|ticket/, `${entry.id}: names a behaviour, never a version or a ticket`);
    assert.match(entry.since, /^\d+\.\d+\.\d+$/);
    assert.ok(entry.guards.length > 0 && entry.askedAt && entry.deprecateWhen, `${entry.id}: guards, askedAt and deprecateWhen are written down`);
  }
});
