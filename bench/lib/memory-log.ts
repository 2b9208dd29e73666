/**
 * Preload (`node --require dist/bench/lib/memory-log.js`) for a bench's worker child: with env
 * `GJ_WORKER_MEMORY_LOG_MS`, every thread of the process writes one JSON line per period on
 * stderr, `{"memory":{thread,rss,heapUsed,heapTotal,external}}`. `--require` also runs in worker
 * threads, so the SDK's workflow threads report their own V8 heaps: the bench can tell cached
 * workflow state (workflow threads' heaps) from activity work (main thread) and native memory
 * (the RSS left over: core, glibc arenas).
 */
import { isMainThread, threadId } from 'node:worker_threads';

const periodMs = Number(process.env.GJ_WORKER_MEMORY_LOG_MS);
if (Number.isFinite(periodMs) && periodMs > 0) {
  const thread = isMainThread ? 'main' : `thread-${threadId}`;
  setInterval(() => {
    const m = process.memoryUsage();
    const memory = { thread, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
    process.stderr.write(JSON.stringify({ memory }) + '\n');
  }, periodMs).unref();
}
