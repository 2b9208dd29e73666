import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, type Dispatcher } from 'undici';
import { InteractionsClient } from '../../src/interactions/client';
import { apiVersionFromEnv, buildUrl, resolveRoute } from '../../src/interactions/routing';
import { json, startServer, type ScriptedServer } from './helpers';
import { fakeApiKey } from '../helpers/fake-credentials';

const FAKE_KEY = fakeApiKey('TESTKEY0000000000000000000000000');

/** A real dispatcher that sends every request to `target` while recording the origin it was meant for. */
function redirectingDispatcher(target: string, seen: string[]): Dispatcher {
  return new Agent().compose((dispatch) => (opts, handler) => {
    seen.push(`${String(opts.origin)}${opts.path}`);
    return dispatch({ ...opts, origin: target }, handler);
  });
}

describe('URL builder matrix', () => {
  const cases: Array<[string, Parameters<typeof resolveRoute>[0], string, string]> = [
    ['gemini', { hasApiKey: true }, 'https://generativelanguage.googleapis.com/v1/interactions/x', 'gemini'],
    ['vertex global (default location)', { vertexai: true, project: 'p1' }, 'https://aiplatform.googleapis.com/v1beta1/projects/p1/locations/global/interactions/x', 'vertex'],
    [
      'vertex us multi-region',
      { vertexai: true, project: 'p1', location: 'us' },
      'https://aiplatform.us.rep.googleapis.com/v1beta1/projects/p1/locations/us/interactions/x',
      'vertex',
    ],
    [
      'vertex eu multi-region',
      { vertexai: true, project: 'p1', location: 'eu' },
      'https://aiplatform.eu.rep.googleapis.com/v1beta1/projects/p1/locations/eu/interactions/x',
      'vertex',
    ],
    [
      'vertex regional',
      { vertexai: true, project: 'p1', location: 'europe-west4' },
      'https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/p1/locations/europe-west4/interactions/x',
      'vertex',
    ],
    ['vertex express (api key, no project)', { vertexai: true, hasApiKey: true }, 'https://aiplatform.googleapis.com/v1beta1/interactions/x', 'express'],
    ['gemini with baseUrl override keeps /v1', { hasApiKey: true, baseUrl: 'http://127.0.0.1:9/' }, 'http://127.0.0.1:9/v1/interactions/x', 'gemini'],
    [
      'vertex with baseUrl override keeps the project prefix',
      { vertexai: true, project: 'p1', location: 'us-central1', baseUrl: 'http://127.0.0.1:9' },
      'http://127.0.0.1:9/v1beta1/projects/p1/locations/us-central1/interactions/x',
      'vertex',
    ],
  ];
  for (const [name, opts, url, family] of cases) {
    it(name, () => {
      const route = resolveRoute(opts);
      assert.equal(route.family, family);
      assert.equal(buildUrl(route, '/interactions/x'), url);
    });
  }

  it('apiVersion replaces the version segment; a bad one is refused naming the option', () => {
    assert.equal(buildUrl(resolveRoute({ hasApiKey: true, apiVersion: 'v1beta' }), '/interactions/x'), 'https://generativelanguage.googleapis.com/v1beta/interactions/x');
    assert.equal(
      buildUrl(resolveRoute({ vertexai: true, project: 'p', apiVersion: 'v1' }), '/interactions/x'),
      'https://aiplatform.googleapis.com/v1/projects/p/locations/global/interactions/x',
    );
    assert.throws(() => resolveRoute({ hasApiKey: true, apiVersion: 'beta/../x' }), /invalid apiVersion.*v1beta/);
  });

  it('GOOGLE_GENAI_API_VERSION like @google/genai 3.3.0: beta → v1beta (Gemini) / v1beta1 (Vertex), else verbatim', () => {
    assert.equal(apiVersionFromEnv('beta', false), 'v1beta');
    assert.equal(apiVersionFromEnv('beta', true), 'v1beta1');
    assert.equal(apiVersionFromEnv('v1alpha', false), 'v1alpha');
    assert.equal(apiVersionFromEnv(' ', false), undefined);
    assert.equal(InteractionsClient.fromEnv({ GEMINI_API_KEY: FAKE_KEY, GOOGLE_GENAI_API_VERSION: 'beta' }).route.prefix, '/v1beta');
    assert.equal(InteractionsClient.fromEnv({ GEMINI_API_KEY: FAKE_KEY }).route.prefix, '/v1');
    assert.equal(InteractionsClient.fromEnv({ GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p' }).route.prefix, '/v1beta1/projects/p/locations/global');
  });

  it('API key + project + location: the Vertex project path with the key (express only without a project)', () => {
    const route = resolveRoute({ vertexai: true, project: 'p1', location: 'us-central1', hasApiKey: true });
    assert.equal(route.family, 'vertex');
    assert.equal(route.auth, 'api-key');
    assert.equal(buildUrl(route, '/interactions/x'), 'https://us-central1-aiplatform.googleapis.com/v1beta1/projects/p1/locations/us-central1/interactions/x');
    assert.equal(resolveRoute({ vertexai: true, project: 'p1' }).auth, 'bearer');
    assert.equal(resolveRoute({ vertexai: true, hasApiKey: true }).family, 'express');
    // Both from the environment: the SDK lets the project win and drops the key (OAuth).
    const fromEnv = InteractionsClient.fromEnv({ GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: FAKE_KEY, GOOGLE_CLOUD_PROJECT: 'p1' });
    assert.equal(fromEnv.route.auth, 'bearer');
    const explicit = InteractionsClient.fromEnv({ GOOGLE_GENAI_USE_VERTEXAI: 'true' }, { apiKey: FAKE_KEY, project: 'p1', location: 'us-central1' });
    assert.equal(explicit.route.auth, 'api-key');
  });

  it('vertex without project or key is refused with a message naming the fix', () => {
    assert.throws(() => resolveRoute({ vertexai: true }), /project.*API key/);
  });
});

describe('routing over real sockets', () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startServer((_req, res) => json(res, 200, { id: 'x', status: 'completed' }));
  });
  after(() => server.close());

  it('gemini: x-goog-api-key header and /v1 path on the wire (the SDK default)', async () => {
    const client = new InteractionsClient({ apiKey: FAKE_KEY, baseUrl: server.url });
    await client.get('x');
    const req = server.requests.at(-1)!;
    assert.equal(req.url, '/v1/interactions/x');
    assert.equal(req.headers['x-goog-api-key'], FAKE_KEY);
    assert.equal(req.headers.authorization, undefined);
    await client.close();
  });

  it('vertex regional: exact host and path via a redirecting dispatcher; bearer + quota project from option', async () => {
    const seen: string[] = [];
    const client = new InteractionsClient({
      vertexai: true,
      project: 'proj-a',
      location: 'us-central1',
      accessToken: 'tok-123456',
      userProject: 'quota-opt',
      dispatcher: redirectingDispatcher(server.url, seen),
    });
    await client.cancel('x');
    assert.deepEqual(seen, ['https://us-central1-aiplatform.googleapis.com/v1beta1/projects/proj-a/locations/us-central1/interactions/x/cancel']);
    const req = server.requests.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.body, '');
    assert.equal(req.headers.authorization, 'Bearer tok-123456');
    assert.equal(req.headers['x-goog-user-project'], 'quota-opt');
    assert.equal(req.headers['x-goog-api-key'], undefined);
  });

  it('vertex us/eu/global hosts, and webhooks get the project prefix too', async () => {
    const seen: string[] = [];
    for (const location of ['us', 'eu', undefined]) {
      const client = new InteractionsClient({ vertexai: true, project: 'p', location, accessToken: 'tok-abcdef', dispatcher: redirectingDispatcher(server.url, seen) });
      await client.webhooks.ping('w1');
    }
    assert.deepEqual(seen, [
      'https://aiplatform.us.rep.googleapis.com/v1beta1/projects/p/locations/us/webhooks/w1:ping',
      'https://aiplatform.eu.rep.googleapis.com/v1beta1/projects/p/locations/eu/webhooks/w1:ping',
      'https://aiplatform.googleapis.com/v1beta1/projects/p/locations/global/webhooks/w1:ping',
    ]);
  });

  it('quota project falls back to env GOOGLE_CLOUD_QUOTA_PROJECT', async () => {
    const client = new InteractionsClient({ vertexai: true, project: 'p', accessToken: 'tok-abcdef', baseUrl: server.url, env: { GOOGLE_CLOUD_QUOTA_PROJECT: 'quota-env' } });
    await client.get('x');
    const req = server.requests.at(-1)!;
    assert.equal(req.url, '/v1beta1/projects/p/locations/global/interactions/x');
    assert.equal(req.headers['x-goog-user-project'], 'quota-env');
  });

  it('express mode: /v1beta1/interactions with x-goog-api-key on aiplatform.googleapis.com', async () => {
    const seen: string[] = [];
    const client = InteractionsClient.fromEnv(
      { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: fakeApiKey('EXPRESS000000000000000000000000') },
      { dispatcher: redirectingDispatcher(server.url, seen) },
    );
    assert.equal(client.route.family, 'express');
    await client.delete('x');
    assert.deepEqual(seen, ['https://aiplatform.googleapis.com/v1beta1/interactions/x']);
    assert.equal(server.requests.at(-1)!.headers['x-goog-api-key'], fakeApiKey('EXPRESS000000000000000000000000'));
  });

  it('fromEnv: GEMINI_API_KEY wins over GOOGLE_API_KEY; GEMINI_JOBS_BASE_URL overrides the origin', async () => {
    const client = InteractionsClient.fromEnv({ GEMINI_API_KEY: fakeApiKey('FIRST0000000000000000000000000000'), GOOGLE_API_KEY: 'AIzaSECOND', GEMINI_JOBS_BASE_URL: server.url });
    assert.equal(client.route.family, 'gemini');
    await client.get('x');
    assert.equal(server.requests.at(-1)!.headers['x-goog-api-key'], fakeApiKey('FIRST0000000000000000000000000000'));
    const vx = InteractionsClient.fromEnv(
      { GOOGLE_GENAI_USE_VERTEXAI: '1', GOOGLE_CLOUD_PROJECT: 'pp', GOOGLE_CLOUD_LOCATION: 'eu', GEMINI_JOBS_BASE_URL: server.url },
      { accessToken: 'tok-zzzzzz' },
    );
    assert.equal(vx.route.prefix, '/v1beta1/projects/pp/locations/eu');
    await vx.get('x');
    assert.equal(server.requests.at(-1)!.url, '/v1beta1/projects/pp/locations/eu/interactions/x');
  });

  it('x-goog-user-project on API-key routes too: option, else GOOGLE_GENAI_USER_PROJECT, else GOOGLE_CLOUD_QUOTA_PROJECT', async () => {
    const fromOption = new InteractionsClient({ apiKey: FAKE_KEY, baseUrl: server.url, userProject: 'opt-proj', env: { GOOGLE_GENAI_USER_PROJECT: 'env-proj' } });
    await fromOption.get('x');
    assert.equal(server.requests.at(-1)!.headers['x-goog-user-project'], 'opt-proj');
    const fromEnv = InteractionsClient.fromEnv({
      GEMINI_API_KEY: FAKE_KEY,
      GEMINI_JOBS_BASE_URL: server.url,
      GOOGLE_GENAI_USER_PROJECT: 'env-proj',
      GOOGLE_CLOUD_QUOTA_PROJECT: 'old-name',
    });
    await fromEnv.get('x');
    assert.equal(server.requests.at(-1)!.headers['x-goog-user-project'], 'env-proj');
    const none = new InteractionsClient({ apiKey: FAKE_KEY, baseUrl: server.url, env: {} });
    await none.get('x');
    assert.equal(server.requests.at(-1)!.headers['x-goog-user-project'], undefined);
    // Key on the Vertex project path, with the quota project header.
    const keyed = new InteractionsClient({
      vertexai: true,
      project: 'p9',
      location: 'us-central1',
      apiKey: FAKE_KEY,
      baseUrl: server.url,
      env: { GOOGLE_GENAI_USER_PROJECT: 'bill-9' },
    });
    await keyed.get('x');
    const req = server.requests.at(-1)!;
    assert.equal(req.url, '/v1beta1/projects/p9/locations/us-central1/interactions/x');
    assert.equal(req.headers['x-goog-api-key'], FAKE_KEY);
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.headers['x-goog-user-project'], 'bill-9');
  });

  it('apiRevision option sends Api-Revision', async () => {
    const client = new InteractionsClient({ apiKey: 'k-123456', baseUrl: server.url, apiRevision: '2026-05-20' });
    await client.get('x');
    assert.equal(server.requests.at(-1)!.headers['api-revision'], '2026-05-20');
  });
});
