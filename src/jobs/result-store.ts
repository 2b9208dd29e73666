/**
 * Where job reports live. Workflow results and heartbeats stay small (Temporal payloads warn at
 * 256 KB and fail at 2 MB; a Deep Research report can be larger), so the follow activity writes
 * each turn's report here and the workflow only carries a `ReportRef`.
 *
 * `ResultStore` is the pluggable interface (S3, GCS, a database…); `FileResultStore` is the default.
 * Keys are `/`-separated relative paths such as `<jobId>/<turn>-<interactionId>.md`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { ReportRef } from '../../workflows/definitions';

export type { ReportRef };

export interface ResultStore {
  /** Short name recorded in every `ReportRef.store`, e.g. `file`. */
  readonly name: string;
  /** Writes `body` under `key` (replacing any earlier value) and returns its reference. */
  put(key: string, body: string | Buffer, contentType: string): Promise<ReportRef>;
  /** Reads a value back; `undefined` when the key does not exist. */
  get(refOrKey: ReportRef | string): Promise<Buffer | undefined>;
}

/** Default directory of `FileResultStore`: `GEMINI_JOBS_RESULTS_DIR`, else `.gemini-jobs/results`. */
export function defaultResultsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GEMINI_JOBS_RESULTS_DIR || join('.gemini-jobs', 'results');
}

/** Rejects keys that could escape the store's root (`..`, absolute paths, empty segments). */
export function assertSafeKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new TypeError(`result store key must be a non-empty string of at most 512 characters`);
  }
  if (isAbsolute(key) || key.includes('\\') || key.includes('\0')) {
    throw new TypeError(`result store key must be a relative /-separated path: ${JSON.stringify(key)}`);
  }
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new TypeError(`result store key has an empty, "." or ".." segment: ${JSON.stringify(key)}`);
    }
  }
}

/** Turns an arbitrary id (job id, interaction id) into one safe key segment. */
export function keySegment(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned.slice(0, 200) || '_';
}

/** Files under one directory; each write goes to a temporary file first and is renamed into place. */
export class FileResultStore implements ResultStore {
  readonly name = 'file';
  readonly dir: string;

  /** @param dir root directory (created on first write); default `defaultResultsDir()`. */
  constructor(dir: string = defaultResultsDir()) {
    this.dir = resolve(dir);
  }

  /** Absolute path of a key inside the store. */
  pathOf(key: string): string {
    assertSafeKey(key);
    const path = resolve(this.dir, ...key.split('/'));
    if (!path.startsWith(this.dir + sep)) throw new TypeError(`result store key escapes the store: ${key}`);
    return path;
  }

  async put(key: string, body: string | Buffer, _contentType: string): Promise<ReportRef> {
    const path = this.pathOf(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await mkdir(dirname(path), { recursive: true });
    // Rename is atomic on one filesystem: a reader sees the old file or the new one, never half.
    const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    return { store: this.name, key, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async get(refOrKey: ReportRef | string): Promise<Buffer | undefined> {
    const key = typeof refOrKey === 'string' ? refOrKey : refOrKey.key;
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

/** The store the worker and the jobs client use unless given one: a `FileResultStore` on `GEMINI_JOBS_RESULTS_DIR`. */
export function createResultStoreFromEnv(env: NodeJS.ProcessEnv = process.env): ResultStore {
  return new FileResultStore(defaultResultsDir(env));
}
