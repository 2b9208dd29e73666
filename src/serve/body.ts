/**
 * Request bodies: JSON only, size-limited while reading (a large body is cut off, not buffered).
 * A body that will not be read is answered with `Connection: close`, so the connection ends
 * instead of the server reading (and discarding) the rest.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { continueBody } from '../common/bounded-http';
import { HttpError } from './errors';

/** Default largest request body, in bytes: room for the largest job input (1.5 MB of JSON). */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

const CLOSE = { connection: 'close' };

/** Reads and parses a JSON object body; `{}` when there is none. */
export async function readJsonBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    throw new HttpError('payload_too_large', `The request body is ${declared} bytes; the limit is ${maxBytes}.`, { headers: CLOSE });
  }
  const hasBody = declared !== undefined ? Number(declared) > 0 : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return {};
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.', { headers: CLOSE });
  }
  continueBody(req, res);
  const text = (await readLimited(req, maxBytes)).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError('invalid_json', `The body is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError('invalid_json', 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/**
 * The body, or a 413 as soon as it passes `maxBytes`. Reading stops there without destroying the
 * request (that would reset the connection before the 413 is sent); the answer closes it.
 */
function readLimited(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      cleanup();
      req.pause();
      reject(new HttpError('payload_too_large', `The request body exceeds the limit of ${maxBytes} bytes.`, { headers: CLOSE }));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    // A client gone mid-body: nothing will come, and nobody reads the answer.
    const onClose = () => onError(new HttpError('invalid_request', 'The client closed the connection while sending the body.'));
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
