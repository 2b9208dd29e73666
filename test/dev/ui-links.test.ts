/** The Temporal Web UI link that lists jobs only, as `dev` prints it and docs/observability.md gives it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JOBS_ONLY_QUERY, jobsListUiUrl } from '../../src/dev/ui-links';
import { packageRoot } from '../helpers/temporal';

test('the jobs-only Web UI link carries the workflow-type query, and the docs give the same link', async () => {
  const url = new URL(jobsListUiUrl('http://127.0.0.1:8233/', 'my ns'));
  assert.equal(url.pathname, '/namespaces/my%20ns/workflows');
  assert.equal(url.searchParams.get('query'), "WorkflowType = 'interactionJob'");
  assert.equal(JOBS_ONLY_QUERY, "WorkflowType = 'interactionJob'");
  const docs = await readFile(join(packageRoot, 'docs', 'observability.md'), 'utf8');
  assert.ok(docs.includes(jobsListUiUrl('http://localhost:8233', 'default')), 'docs/observability.md gives the link dev prints');
});
