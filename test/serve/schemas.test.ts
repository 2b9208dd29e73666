/**
 * The checked-in job contract (schemas/) is what `npm run schemas` generates from the current
 * TypeScript types, and the schemas accept what the real workflow produces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../helpers/temporal';
import { DEFAULT_TASK_QUEUE, JOB_WORKFLOW_TYPE, SEARCH_ATTRIBUTE_NAMES } from '../../workflows/definitions';

const schema = (file: string) => JSON.parse(readFileSync(join(packageRoot, 'schemas', file), 'utf8')) as Record<string, any>;

test('schemas/ is current: regenerating from src/contract/job.ts changes nothing', () => {
  const run = spawnSync(process.execPath, [join(packageRoot, 'scripts', 'gen-schemas.mjs'), '--check'], { cwd: packageRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stderr}${run.stdout}`);
});

test('the contract names the workflow type, task queue, handlers and search attributes of this build', () => {
  const contract = schema('job-contract.json');
  assert.equal(contract.workflowType, JOB_WORKFLOW_TYPE);
  assert.equal(contract.defaultTaskQueue, DEFAULT_TASK_QUEUE);
  assert.deepEqual(
    Object.values(contract.searchAttributes)
      .map((a: any) => a.name)
      .sort(),
    Object.values(SEARCH_ATTRIBUTE_NAMES).sort(),
  );
  assert.equal(contract.handlers.state.kind, 'query');
  assert.equal(contract.handlers.cancel.kind, 'signal');
  assert.equal(contract.handlers.followUp.kind, 'update');
  for (const handler of Object.values(contract.handlers) as Array<{ args: Array<{ schema: string }>; result?: string }>) {
    for (const file of [...handler.args.map((a) => a.schema), ...(handler.result ? [handler.result] : [])]) assert.ok(schema(file).$ref, `${file} exists and names its type`);
  }
  // Statuses and phases are open sets: a schema validator must not reject a newer worker's value.
  const status = schema('job-state.schema.json').definitions.JobStatus;
  assert.ok(status.anyOf.some((s: { enum?: string[] }) => s.enum?.includes('completed')));
  assert.ok(status.anyOf.some((s: { enum?: string[]; type: string }) => s.type === 'string' && !s.enum));
  const input = schema('job-input.schema.json');
  assert.deepEqual(input.definitions.JobInput.required, ['request']);
});
