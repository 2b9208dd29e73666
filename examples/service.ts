/**
 * A minimal HTTP service on JobsClient (node:http, no framework): start a Deep Research job,
 * read its state, relay its live events as Server-Sent Events that resume after a disconnect
 * (the browser's EventSource sends `Last-Event-ID`), fetch the report, cancel.
 *
 *   TEMPORAL_ADDRESS=localhost:7233 node dist/examples/service.js
 *   curl -XPOST localhost:3000/jobs -d '{"question":"How do heat pumps work?"}'
 *   curl -N localhost:3000/jobs/<jobId>/events
 *
 * Compiled by test/service/deploy.test.ts so it cannot drift from the API.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JobNotFoundError, JobsClient } from 'gemini-jobs';

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function main(port = Number(process.env.PORT ?? 3000)): Promise<void> {
  // TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY / TOML profile; GEMINI_JOBS_TASK_QUEUE.
  const jobs = await JobsClient.connect();

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, resource, jobId, action] = url.pathname.split('/');
    try {
      if (resource !== 'jobs') return send(res, 404, { error: 'not found' });

      if (req.method === 'POST' && !jobId) {
        const body = await readJson(req);
        // Validated before anything is enqueued: a bad request throws an error naming the field.
        const started = await jobs.start(
          {
            agent: typeof body.agent === 'string' ? body.agent : 'deep-research-preview-04-2026',
            input: String(body.question ?? ''),
            agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
          },
          {
            // Pass the caller's idempotency key as the job id: a retried POST starts nothing new.
            ...(typeof body.idempotencyKey === 'string' ? { jobId: body.idempotencyKey } : {}),
            options: { deadlineMs: 70 * 60_000 },
          },
        );
        return send(res, started.existing ? 200 : 202, started);
      }
      if (!jobId) return send(res, 404, { error: 'not found' });

      if (req.method === 'GET' && !action) return send(res, 200, await jobs.state(jobId));

      if (req.method === 'GET' && action === 'events') {
        // SSE relay. `id:` is the event's seq; on reconnect EventSource sends it back as
        // Last-Event-ID and the watch resumes right after it: no report text is lost or repeated.
        const lastEventId = req.headers['last-event-id'] ?? url.searchParams.get('from') ?? undefined;
        const from = lastEventId !== undefined ? Number(lastEventId) : undefined;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        const abort = new AbortController();
        req.on('close', () => abort.abort());
        for await (const event of jobs.watch(jobId, { ...(from !== undefined ? { from } : {}), signal: abort.signal })) {
          res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        }
        return res.end();
      }

      if (req.method === 'GET' && action === 'report') {
        const outcome = await jobs.result(jobId, { wait: url.searchParams.get('wait') === '1' });
        if (outcome.report === undefined) return send(res, 409, { status: outcome.status, settled: outcome.settled });
        return res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' }).end(outcome.report);
      }

      if (req.method === 'POST' && action === 'cancel') {
        const body = await readJson(req);
        return send(res, 202, { cancelRequested: await jobs.cancel(jobId, typeof body.reason === 'string' ? body.reason : undefined) });
      }

      if (req.method === 'POST' && action === 'follow-up') {
        const body = await readJson(req);
        return send(res, 202, await jobs.followUp(jobId, String(body.question ?? '')));
      }
      return send(res, 404, { error: 'not found' });
    } catch (err) {
      if (err instanceof JobNotFoundError) return send(res, 404, { error: err.message });
      const e = err as { code?: string; field?: string; message?: string };
      if (e.code === 'invalid_job' || e.code === 'invalid_request') return send(res, 400, { error: e.message, field: e.field });
      if (!res.headersSent) return send(res, 500, { error: e.message });
      res.end();
    }
  });

  server.listen(port, () => console.log(`gemini-jobs example service on http://localhost:${port}`));
  const stop = () => server.close(() => void jobs.close());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) void main();
