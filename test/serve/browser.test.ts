/**
 * The dashboard in a real browser: Debian's Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH)
 * driven by playwright-core, against `gemini-jobs serve` on the real Temporal dev server and the
 * emulator. From the page it starts a collaborative-planning Deep Research job, sees thought
 * summaries arrive, approves the plan, survives a dropped connection, reads the rendered report
 * with citation links, and cancels a second job. Screenshots go to .gemini-jobs/screenshots/.
 * Skipped, with a message saying how to install Chromium, when no browser is found.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';

import { packageRoot, releaseTestEnv } from '../helpers/temporal';
import { serveHarness, waitFor } from './harness';
import type { ServeHarness } from './harness';

const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const skip = chromiumPath ? false : 'no Chromium found: `apt-get install -y chromium` (Debian) or set CHROMIUM_PATH; the dashboard browser test is skipped';
const shots = process.env.GEMINI_JOBS_SCREENSHOTS_DIR ?? join(packageRoot, '.gemini-jobs', 'screenshots');

let h: ServeHarness;
let browser: Browser;
let page: Page;
before(async () => {
  if (skip) return;
  // 15 "minutes" of Deep Research at 100×: 9 s per run, long enough to watch thoughts arrive.
  h = await serveHarness('browser', {}, { deepResearchDurationMs: 15 * 60_000 });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  mkdirSync(shots, { recursive: true });
});
after(async () => {
  await browser?.close();
  await h?.close();
  await releaseTestEnv();
});

const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const text = (selector: string) => page.locator(selector).innerText();

test('dashboard: plan, thoughts, approval, reconnect, report with citations, cancel', { skip }, async () => {
  const question = `How do heat pumps work in cold climates? ${randomUUID().slice(0, 8)}`;
  const thread = `bt-${randomUUID().slice(0, 8)}`;
  await page.goto(`${h.server.url}/#token=${encodeURIComponent(h.token)}`);
  await page.waitForSelector('#new-job');
  assert.ok(!page.url().includes(h.token), 'the token leaves the address bar');

  await page.fill('#new-question', question);
  await page.check('#new-planning');
  await page.fill('#new-thread', thread);
  await page.click('#start');
  await page.waitForURL(/#\/jobs\//);
  const jobId = decodeURIComponent(page.url().split('#/jobs/')[1]!);

  // Plan detection is one helper in the page (planWaiting): state.plan / phase plan-ready, or the
  // older requires_action turn.
  await page.waitForSelector('#plan:not([hidden])', { timeout: 60_000 });
  assert.match(await text('#job-title'), /heat pumps/);
  assert.match(await text('#report'), /research plan/i, 'the proposed plan is shown');
  // The approval box holds the whole plan (the state carries only a 280-character summary).
  const plan = ((await (await h.call(`/v1/jobs/${encodeURIComponent(jobId)}/result`)).json()) as { report: string }).report;
  assert.ok(plan.length > 280, `the emulated plan is long enough to tell (${plan.length} chars)`);
  const lastLine = plan
    .trim()
    .split('\n')
    .at(-1)!
    .replace(/[*_#`>-]/g, '')
    .trim();
  await waitFor(async () => (await text('#plan-text')).includes(lastLine.slice(0, 40)), 'the full plan in the approval box', 30_000);
  await shot('1-plan-waiting');

  await page.click('#approve-plan');
  await page.waitForFunction(() => (globalThis as any).document.querySelector('#plan').hasAttribute('hidden'));
  const before = await page.locator('#thoughts li').count();
  await waitFor(async () => (await page.locator('#thoughts li').count()) >= before + 2, 'research thoughts arriving live', 60_000);
  assert.match(await text('#phase'), /streaming|running|polling|creating/);
  // The jobs client writes the agent default (the API's 60-minute maximum plus 10 minutes) into the input.
  assert.match(await text('#elapsed'), /\d+s \/ 70m 00s/, 'elapsed against the 70-minute agent deadline');
  await shot('2-research-thoughts');

  // Drop every connection of the server: the page notices, reconnects by itself and resumes.
  const reconnecting = page.waitForFunction(() => (globalThis as any).document.querySelector('#connection').textContent === 'reconnecting…');
  h.server.server.closeAllConnections();
  await reconnecting;
  await waitFor(async () => (await text('#connection')) === 'live', 'the page to reconnect', 30_000);

  await page.waitForFunction(
    () => /Sources/.test((globalThis as any).document.querySelector('#report').textContent) && (globalThis as any).document.querySelectorAll('#turns tr').length >= 2,
    undefined,
    { timeout: 90_000 },
  );
  const cites = page.locator('#report a.cite');
  assert.ok((await cites.count()) >= 1, 'citations are links');
  assert.match((await cites.first().getAttribute('href')) ?? '', /^https:\/\//);
  assert.equal(await page.locator('#report script, #report img').count(), 0);
  const outcome = (await (await h.call(`/v1/jobs/${encodeURIComponent(jobId)}/result`)).json()) as { report: string; status: string };
  assert.equal(outcome.status, 'completed');
  const firstHeading = /^## (.+)$/m.exec(outcome.report)![1]!;
  assert.ok((await text('#report')).includes(firstHeading), 'the page shows the stored report');
  assert.match(await text('#usage'), /tokens/);
  assert.match(await text('#turns'), /completed/);
  await waitFor(async () => (await page.locator('#follow-up-box:not([hidden])').count()) > 0, `follow-up offered while the thread is open (phase ${await text('#phase')})`, 10_000);
  await shot('3-report');

  // A second job, cancelled from its page.
  await page.click('text=← all jobs');
  await page.waitForSelector('#new-job');
  await page.fill('#new-question', `Cancel me ${randomUUID().slice(0, 8)}`);
  await page.fill('#new-thread', thread);
  await page.click('#start');
  await page.waitForURL((url) => url.hash.startsWith('#/jobs/') && !url.hash.includes(encodeURIComponent(jobId)));
  await waitFor(async () => /streaming|running/.test(await text('#phase')), 'the second job running', 60_000);
  await page.click('#cancel');
  await page.waitForFunction(() => (globalThis as any).document.querySelector('#facts .status')?.textContent === 'cancelled', undefined, { timeout: 60_000 });
  await waitFor(async () => await page.locator('#cancel').isHidden(), 'no Cancel button on the cancelled job');
  await shot('4-cancelled');

  await page.click('text=← all jobs');
  await page.fill('#filter-thread', thread);
  await page.dispatchEvent('#filter-thread', 'change');
  await waitFor(async () => (await page.locator('#jobs tr[data-job]').count()) >= 2 && /cancelled/.test(await text('#jobs')), 'both jobs in the list', 30_000);
  assert.match(await text('#jobs'), /heat pumps/);
  await page.selectOption('#filter-status', 'cancelled');
  await waitFor(async () => !(await text('#jobs')).includes('heat pumps'), 'the status filter', 30_000);
  await shot('5-list-filtered');
});

test('dashboard: every status to filter, finished jobs without Cancel or deadline, usage and cost, one-line id, favicon, stale token', { skip }, async () => {
  const doc = (await (await h.call('/v1/openapi.json')).json()) as { components: { schemas: { JobStatus: { anyOf?: Array<{ enum?: string[] }> } } } };
  const statuses = doc.components.schemas.JobStatus.anyOf!.find((s) => s.enum)!.enum!;
  for (const s of ['queued', 'incomplete', 'budget_exceeded', 'timed_out', 'requires_action']) assert.ok(statuses.includes(s), `JobStatus lists ${s}`);

  // A Deep Research turn that fails after using tokens, under an id long enough to wrap.
  const failedId = `failed-${'x'.repeat(150)}-${randomUUID()}`;
  const started = await h.call('/v1/jobs', {
    json: {
      jobId: failedId,
      request: { agent: 'deep-research-preview-04-2026', input: 'A question that fails', labels: { 'emulator-scenario': 'fail' } },
      options: { followUpWindowMs: 0 },
    },
  });
  assert.equal(started.status, 202);
  const failed = await waitFor(
    async () => {
      const o = (await (await h.call(`/v1/jobs/${failedId}/result?wait=1&timeoutMs=20000`)).json()) as {
        settled: boolean;
        closed: boolean;
        state: { status: string; turns: Array<{ usage?: { total_tokens?: number } }> };
      };
      return o.settled && o.closed ? o : undefined;
    },
    'the failing job to end',
    120_000,
  );
  assert.equal(failed.state.status, 'failed');
  const tokens = failed.state.turns[0]!.usage?.total_tokens;
  assert.ok(tokens && tokens > 0, 'the failed turn reported usage');

  const first = h.logs.length;
  await page.goto(`${h.server.url}/#token=${encodeURIComponent(h.token)}`);
  await page.waitForSelector('#new-job');
  const options = await page.locator('#filter-status option').allInnerTexts();
  await waitFor(async () => (await page.locator('#filter-status option').count()) > statuses.length, 'the status options from the document');
  for (const s of statuses) assert.ok((await page.locator('#filter-status option').allInnerTexts()).includes(s), `the filter offers ${s} (had ${options.join(', ')})`);

  await page.goto(`${h.server.url}/#/jobs/${encodeURIComponent(failedId)}`);
  await page.waitForFunction(() => (globalThis as any).document.querySelector('#facts .status')?.textContent === 'failed', undefined, { timeout: 30_000 });
  assert.match(await text('#usage'), new RegExp(`tokens: ${tokens}`), 'the failed job shows its usage');
  assert.ok(await page.locator('#cancel').isHidden(), 'no Cancel button on a finished job');
  assert.match(await text('#facts'), /Took/);
  assert.doesNotMatch(await text('#facts'), /deadline/i, 'no deadline on a finished job');
  assert.ok(await page.locator('#thought-card').isHidden(), 'no empty thought card');
  // Read in one step: the facts are re-rendered every second.
  const idBox = await page.evaluate(() => {
    const el = (globalThis as any).document.querySelector('#job-id');
    const style = (globalThis as any).getComputedStyle(el);
    return {
      height: el.getBoundingClientRect().height as number,
      line: (parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.3) as number,
      title: el.getAttribute('title') as string,
    };
  });
  assert.ok(idBox.height < idBox.line * 1.6, `the job id is one line (${idBox.height}px for a ${idBox.line}px line)`);
  assert.equal(idBox.title, failedId, 'the whole id is in its tooltip');
  await shot('6-failed-job');

  // A completed Deep Research job shows the cost the CLI shows: est. $x (prices of …).
  const done = (await (await h.call('/v1/jobs?status=completed&limit=1')).json()) as { jobs: Array<{ jobId: string }> };
  const doneState = (await (await h.call(`/v1/jobs/${encodeURIComponent(done.jobs[0]!.jobId)}`)).json()) as { cost?: { usd: number; priceTable?: string } };
  assert.ok(doneState.cost, 'the worker estimates a cost');
  await page.goto(`${h.server.url}/#/jobs/${encodeURIComponent(done.jobs[0]!.jobId)}`);
  await waitFor(
    async () => (await text('#usage')).includes(`est. $${doneState.cost!.usd.toFixed(4)} (prices of ${doneState.cost!.priceTable ?? '?'}`),
    'the cost estimate',
    30_000,
  );

  // No 401 in the log for any page load (the favicon has a route of its own).
  assert.deepEqual(
    h.logs.slice(first).filter((e) => e.status === 401),
    [],
  );

  // After a restart the token in the tab is stale: the page says where the new one is.
  await page.evaluate(() => (globalThis as any).sessionStorage.setItem('gemini-jobs-token', 'stale-token-from-a-previous-server'));
  await page.goto(`${h.server.url}/#/`);
  await page.reload();
  await page.waitForSelector('#token');
  assert.match(await text('#app'), /#token=/);
  assert.match(await text('#app'), /GEMINI_JOBS_SERVE_TOKENS/);
  await shot('7-stale-token');
});
