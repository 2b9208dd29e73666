/**
 * The admission limiter's queue in the compact form it carries through continue-as-new, so that
 * tens of thousands of waiters on one key stay far below Temporal's 2 MB payload limit.
 *
 * Measured on `job_<uuid>` job ids and UUID run ids: a `Waiter` object serialises to ~195 bytes
 * (20,000 waiters: 3.9 MB, over the limit); packed, ~46 bytes (20,000: 0.92 MB).
 *
 * The packed form is columnar:
 * - `shapes`: each ticket with its UUIDs replaced by `~`, front-coded against the previous shape
 *   (`<common prefix length as one base-85 digit><rest>`), joined by spaces;
 * - `uuids`: the tickets' UUIDs then the run id, each 128 bits in 20 characters of base 85;
 * - `enq`: each `enqueuedAtMs` minus the previous one (the first from `enqBase`), base 36;
 * - `seq`: each `seq` minus the previous one plus one is stored only when it differs from 1;
 * - `jobIds` / `tenants`: sparse, by index (a job id is stored only when the ticket does not
 *   start with `<jobId>#`).
 * Anything the codec cannot represent exactly (a run id that is not a UUID, a separator inside
 * a ticket) makes `packWaiters` return undefined and the caller keeps the plain list.
 *
 * Deterministic, pure code (bundled into the workflow sandbox).
 */
import type { AdmissionLimiterInput, AdmissionLimits, LimiterState, PackedWaiters, Waiter } from './admission-definitions';

export type { PackedWaiters } from './admission-definitions';

// 85 characters JSON never escapes, without the separators ' ' and ',' nor '~'.
const ALPHABET = '!#$%&()*+-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}';
const DIGIT: Record<string, number> = Object.fromEntries([...ALPHABET].map((c, i) => [c, i]));
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const UUID_ONLY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uuidToText(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  let out = '';
  for (let g = 0; g < 4; g++) {
    let v = parseInt(hex.slice(g * 8, g * 8 + 8), 16);
    let chunk = '';
    for (let i = 0; i < 5; i++) {
      chunk = ALPHABET[v % 85]! + chunk;
      v = Math.floor(v / 85);
    }
    out += chunk;
  }
  return out;
}

function textToUuid(text: string): string {
  let hex = '';
  for (let g = 0; g < 4; g++) {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 85 + DIGIT[text[g * 5 + i]!]!;
    hex += v.toString(16).padStart(8, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Packs waiters (order kept), or undefined when one cannot be represented exactly. */
export function packWaiters(waiters: readonly Waiter[]): PackedWaiters | undefined {
  const shapes: string[] = [];
  let uuids = '';
  const enq: string[] = [];
  const seq: string[] = [];
  const jobIds: Record<string, string> = {};
  const tenants: Record<string, string> = {};
  let prevShape = '';
  const enqBase = waiters[0]?.enqueuedAtMs ?? 0;
  const seqBase = waiters[0]?.seq ?? 0;
  let prevEnq = enqBase;
  let prevSeq = seqBase - 1;
  for (const [i, w] of waiters.entries()) {
    // A space separates shapes; `~` stands for a UUID: neither may be in a ticket itself.
    if (/[ ~]/.test(w.ticket) || !UUID_ONLY.test(w.runId)) return undefined;
    if (!Number.isSafeInteger(w.enqueuedAtMs) || !Number.isSafeInteger(w.seq)) return undefined;
    const found = w.ticket.match(UUID_RE) ?? [];
    const shape = w.ticket.replace(UUID_RE, '~');
    // The shared prefix length is one character (capped at 84), so the rest needs no separator.
    const p = Math.min(commonPrefix(prevShape, shape), ALPHABET.length - 1);
    shapes.push(ALPHABET[p]! + shape.slice(p));
    prevShape = shape;
    for (const u of found) uuids += uuidToText(u);
    uuids += uuidToText(w.runId);
    enq.push(i === 0 ? '' : (w.enqueuedAtMs - prevEnq).toString(36));
    prevEnq = w.enqueuedAtMs;
    seq.push(w.seq - prevSeq === 1 ? '' : (w.seq - prevSeq).toString(36));
    prevSeq = w.seq;
    if (!w.ticket.startsWith(`${w.jobId}#`)) jobIds[i] = w.jobId;
    if (w.tenant !== undefined) tenants[i] = w.tenant;
  }
  const packed: PackedWaiters = { v: 1, n: waiters.length, shapes: shapes.join(' '), uuids, enqBase, enq: enq.join(','), seqBase, seq: seq.join(',') };
  if (Object.keys(jobIds).length > 0) packed.jobIds = jobIds;
  if (Object.keys(tenants).length > 0) packed.tenants = tenants;
  return packed;
}

/** The waiters a `packWaiters` result holds, in order. */
export function unpackWaiters(p: PackedWaiters): Waiter[] {
  if (p.n === 0) return [];
  const shapes = p.shapes.split(' ');
  const enq = p.enq.split(',');
  const seq = p.seq.split(',');
  const out: Waiter[] = [];
  let prevShape = '';
  let at = 0;
  let prevEnq = p.enqBase;
  let prevSeq = p.seqBase - 1;
  const nextUuid = (): string => {
    const u = textToUuid(p.uuids.slice(at, at + 20));
    at += 20;
    return u;
  };
  for (let i = 0; i < p.n; i++) {
    const coded = shapes[i]!;
    const shape = prevShape.slice(0, DIGIT[coded[0]!]!) + coded.slice(1);
    prevShape = shape;
    const ticket = shape.replace(/~/g, () => nextUuid());
    const runId = nextUuid();
    const enqueuedAtMs = i === 0 ? p.enqBase : prevEnq + parseInt(enq[i]!, 36);
    prevEnq = enqueuedAtMs;
    const s = prevSeq + (seq[i] === '' ? 1 : parseInt(seq[i]!, 36));
    prevSeq = s;
    const jobId = p.jobIds?.[i] ?? ticket.slice(0, ticket.lastIndexOf('#'));
    const w: Waiter = { ticket, jobId, runId, enqueuedAtMs, seq: s };
    const tenant = p.tenants?.[i];
    if (tenant !== undefined) w.tenant = tenant;
    out.push(w);
  }
  return out;
}

/**
 * The input of the limiter's next run: the state with its waiters packed (about 46 bytes each
 * instead of ~195), so 20,000 waiters on one key carry under 1 MB. Only the continue-as-new input
 * changes, not the commands, so running limiters replay unchanged.
 */
export function limiterContinuation(key: string, limits: AdmissionLimits, st: LimiterState): AdmissionLimiterInput {
  const packed = packWaiters(st.waiters);
  if (!packed) return { key, limits, carried: st };
  return { key, limits, carried: { ...st, waiters: [] }, packedWaiters: packed };
}
