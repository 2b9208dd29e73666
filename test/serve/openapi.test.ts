/**
 * The served OpenAPI document against the route table: every operation is a route with the same
 * method and path, every API route is documented, and every declared error status maps to codes
 * the server actually uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobsClient } from '../../src/jobs/jobs-client';
import { createJobsHttpHandler } from '../../src/serve/handler';
import { STATUS_OF_CODE } from '../../src/serve/errors';
import { nodeRoute } from '../../src/serve/routes';

test('GET /v1/openapi.json documents exactly the API routes (method, path, operation id, path parameters)', async () => {
  // No Temporal call is made: the client connects lazily and these requests never reach it.
  const jobs = new JobsClient({ taskQueue: 'openapi-test' });
  const token = 'openapi-test-token-0123456789';
  const handler = createJobsHttpHandler({ jobs, tokens: [token], routes: [nodeRoute('POST', '/webhooks/gemini', (_req, res) => res.writeHead(204).end(), { auth: 'self' })] });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const res = await fetch(`${url}/v1/openapi.json`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>>;
    };
    assert.equal(doc.openapi, '3.2.0');
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const routePath = path.replace(/\{(\w+)\}/g, ':$1');
        documented.add(`${method.toUpperCase()} ${routePath} ${op.operationId}`);
        const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        assert.deepEqual(op.parameters?.filter((p) => p.in === 'path').map((p) => p.name) ?? [], pathParams, `${method} ${path} declares its path parameters`);
        for (const status of Object.keys(op.responses)) assert.match(status, /^[1-5]\d\d$/);
        if (path !== '/v1/openapi.json' || method !== 'get') assert.ok(op.responses['401'], `${method} ${path} documents 401`);
      }
    }
    const routed = new Set(handler.routes.filter((r) => r.operationId).map((r) => `${r.method} ${r.path} ${r.operationId}`));
    assert.deepEqual([...documented].sort(), [...routed].sort());
    // Every bearer route is in the document; the others are the dashboard and self-authenticating mounts.
    for (const r of handler.routes) if (r.auth !== 'self') assert.ok(r.operationId, `${r.method} ${r.path} has an operation id`);
    assert.ok(
      handler.routes.some((r) => r.path === '/webhooks/gemini' && r.auth === 'self'),
      'a mounted receiver keeps its own auth',
    );
    // The mounted route is reached without a bearer token (it authenticates itself).
    assert.equal((await fetch(`${url}/webhooks/gemini`, { method: 'POST' })).status, 204);
    // Error codes named in the error responses exist in the server's table.
    const text = JSON.stringify((doc as unknown as { components: { responses: unknown } }).components.responses);
    for (const code of text
      .match(/`([a-z_]+)`/g)!
      .map((c) => c.slice(1, -1))
      .filter((c) => c.includes('_') || ['unauthorized'].includes(c))) {
      if (['existing'].includes(code)) continue;
      assert.ok(code in STATUS_OF_CODE, `documented code ${code} is one the server answers with`);
    }
  } finally {
    handler.close();
    await new Promise((r) => server.close(r));
    await jobs.close();
  }
});
