/** Request bodies: JSON only, size-limited while reading (a large body is cut off, not buffered). */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors';

/** Default largest request body, in bytes: room for the largest job input (1.5 MB of JSON). */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Reads and parses a JSON object body; `{}` when there is none. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    req.resume();
    // The rest of the body is not worth reading: answer and close the connection.
    throw new HttpError('payload_too_large', `The request body is ${declared} bytes; the limit is ${maxBytes}.`, { headers: { connection: 'close' } });
  }
  const hasBody = declared !== undefined ? Number(declared) > 0 : req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return {};
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    req.resume();
    throw new HttpError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      req.resume();
      throw new HttpError('payload_too_large', `The request body exceeds the limit of ${maxBytes} bytes.`, { headers: { connection: 'close' } });
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
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
