/**
 * Preload (`node --require dist/bench/lib/memory-log.js`) for a bench's worker child: with env
 * `GJ_WORKER_MEMORY_LOG_MS`, every thread of the process writes one JSON line per period on
 * stderr, `{"memory":{thread,rss,heapUsed,heapTotal,external}}`, and one with the period's
 * event-loop delay, `{"loop":{thread,p50Ms,p99Ms,maxMs}}` (a timer that fires late, a socket read
 * late). `--require` also runs in worker threads, so the SDK's workflow threads report their own
 * V8 heaps: the bench can tell cached workflow state (workflow threads' heaps) from activity work
 * (main thread) and native memory (the RSS left over: core, glibc arenas).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

// With env GJ_WORKER_HEAP_SNAPSHOT_DIR, SIGUSR2 writes a heap snapshot of the main thread there
// (to see what a followed job keeps; a snapshot of a large heap takes seconds and as much memory).
const snapshotDir = process.env.GJ_WORKER_HEAP_SNAPSHOT_DIR;
if (snapshotDir && isMainThread) {
  process.on('SIGUSR2', () => {
    const file = writeHeapSnapshot(join(snapshotDir, `worker-${process.pid}-${Date.now()}.heapsnapshot`));
    process.stderr.write(JSON.stringify({ heapSnapshot: file }) + '\n');
  });
}

const periodMs = Number(process.env.GJ_WORKER_MEMORY_LOG_MS);
if (Number.isFinite(periodMs) && periodMs > 0) {
  const thread = isMainThread ? 'main' : `thread-${threadId}`;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  setInterval(() => {
    const m = process.memoryUsage();
    const memory = { thread, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
    process.stderr.write(JSON.stringify({ memory }) + '\n');
    process.stderr.write(JSON.stringify({ loop: { thread, p50Ms: ms(delay.percentile(50)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max) } }) + '\n');
    delay.reset();
  }, periodMs).unref();
}
