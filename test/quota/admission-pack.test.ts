/**
 * The admission limiter's continue-as-new input with 20,000 turns queued on one key: the plain
 * `Waiter` list would exceed Temporal's 2 MB payload limit; the packed form stays under 1 MB and
 * gives back exactly the same queue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { limiterContinuation, packWaiters, unpackWaiters } from '../../workflows/admission-pack';
import type { AdmissionLimits, LimiterState, Waiter } from '../../workflows/admission-definitions';

const LIMITS: AdmissionLimits = {
  maxPerWindow: 10,
  windowMs: 60_000,
  maxConcurrent: 20,
  maxConcurrentPerTenant: 0,
  orderGraceMs: 1_000,
  leaseCheckMs: 60_000,
  idleExitMs: 300_000,
};

function waiters(n: number, id: (i: number) => string = () => `job_${randomUUID()}`): Waiter[] {
  const t0 = Date.UTC(2026, 11, 8, 1, 0, 0);
  return Array.from({ length: n }, (_, i) => {
    const jobId = id(i);
    return { ticket: `${jobId}#${1 + (i % 3)}`, jobId, runId: randomUUID(), enqueuedAtMs: t0 + i * 137 + (i % 7), seq: i + 1 };
  });
}

function stateOf(ws: Waiter[]): LimiterState {
  return { waiters: ws, holders: [], recent: [], pausedUntilMs: 0, seq: ws.length, admitted: 0, throttles: 0, leaked: 0 };
}

test('a limiter with 20,000 waiters on one key continues as new with an input under 1 MB (the plain list was over 2 MB)', () => {
  const ws = waiters(20_000);
  const plainBytes = Buffer.byteLength(JSON.stringify({ key: 'k', limits: LIMITS, carried: stateOf(ws) }));
  const input = limiterContinuation('k', LIMITS, stateOf(ws));
  const bytes = Buffer.byteLength(JSON.stringify(input));
  assert.ok(input.packedWaiters, 'packed');
  assert.equal(input.carried?.waiters.length, 0);
  assert.ok(plainBytes > 2 * 1024 * 1024, `plain form: ${plainBytes} bytes (${(plainBytes / 20_000).toFixed(0)} per waiter)`);
  assert.ok(bytes < 1024 * 1024, `packed form: ${bytes} bytes (${(bytes / 20_000).toFixed(1)} per waiter)`);
  assert.deepEqual(unpackWaiters(input.packedWaiters), ws);
});

test('packing keeps order, tenants, job ids that are not the ticket prefix, out-of-order enqueue times and seq gaps', () => {
  const ws = waiters(50, (i) => (i % 2 ? `batch_${i}-${i * 11}` : `job_${randomUUID()}`));
  ws[3]!.tenant = 'acme';
  ws[4]!.jobId = 'other-id';
  ws[5]!.enqueuedAtMs = ws[4]!.enqueuedAtMs - 5_000;
  ws[6]!.seq = 1_000;
  ws[7]!.seq = 3;
  ws[8]!.ticket = `${'x'.repeat(150)}#1`;
  ws[9]!.ticket = `${'x'.repeat(150)}#2`;
  ws[9]!.jobId = 'x'.repeat(150);
  ws[10]!.ticket = '9starts-with-a-digit#1';
  ws[10]!.jobId = '9starts-with-a-digit';
  const packed = packWaiters(ws);
  assert.ok(packed);
  assert.deepEqual(JSON.parse(JSON.stringify(unpackWaiters(packed))), ws);
  assert.deepEqual(unpackWaiters(packWaiters([])!), []);
});

test('a queue the codec cannot represent exactly is carried as the plain list', () => {
  const ws = waiters(3);
  ws[1]!.runId = 'not-a-uuid';
  const input = limiterContinuation('k', LIMITS, stateOf(ws));
  assert.equal(input.packedWaiters, undefined);
  assert.deepEqual(input.carried?.waiters, ws);
  const spaced = waiters(2);
  spaced[0]!.ticket = 'a b#1';
  assert.equal(packWaiters(spaced), undefined);
});
