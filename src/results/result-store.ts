/**
 * Where job reports live when they are too large to travel through Temporal. By default a report
 * goes inline in the follow activity's result (so it is in the workflow history, readable by any
 * client of the namespace: see `INLINE_REPORT_MAX_BYTES`); an external store is used only for
 * larger reports, and only when one is configured explicitly (`GEMINI_JOBS_RESULTS_DIR`, an
 * absolute path, or a `ResultStore` passed in code). The workflow only carries a `ReportRef`.
 *
 * `ResultStore` is the pluggable interface (S3, GCS, a database…); `FileResultStore` is the file one.
 * Keys are `/`-separated relative paths such as `<jobId>/<turn>-<interactionId>.md`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { ReportRef } from '../contract';
import { ConfigError } from '../common/errors';

export type { ReportRef };

export interface ResultStore {
  /** Short name recorded in every `ReportRef.store`, e.g. `file`. */
  readonly name: string;
  /** Writes `body` under `key` (replacing any earlier value) and returns its reference. */
  put(key: string, body: string | Buffer, contentType: string): Promise<ReportRef>;
  /** Reads a value back; `undefined` when the key does not exist. */
  get(refOrKey: ReportRef | string): Promise<Buffer | undefined>;
}

/**
 * Directory v0.1.0 wrote reports to when nothing was configured, relative to the worker's working
 * directory. Read (never written) for old jobs whose `ReportRef` points at the file store.
 */
export const LEGACY_RESULTS_DIR = join('.gemini-jobs', 'results');

/** `ReportRef.store` of a report carried inline in the follow activity's result (workflow history). */
export const TEMPORAL_REPORT_STORE = 'temporal';
/** `ReportRef.store` of a report left at the API only (too large to inline, no store configured). */
export const API_REPORT_STORE = 'api';

/** A result store setting that cannot be used (relative path, bad number), named in the message. */
export class ResultStoreConfigError extends ConfigError {}

/**
 * The configured results directory (`GEMINI_JOBS_RESULTS_DIR`), or undefined when unset. It must
 * be absolute: a relative one would resolve against each process's own working directory, so the
 * worker and a reader elsewhere would silently look in different places.
 */
export function configuredResultsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.GEMINI_JOBS_RESULTS_DIR?.trim();
  if (!dir) return undefined;
  if (!isAbsolute(dir)) {
    throw new ResultStoreConfigError(
      `GEMINI_JOBS_RESULTS_DIR must be an absolute path (got ${JSON.stringify(dir)}): every worker and reader resolves it on its own; ` +
        `use e.g. GEMINI_JOBS_RESULTS_DIR=${resolve(dir)}, or unset it (reports then travel through Temporal).`,
    );
  }
  return dir;
}

/** @deprecated v0.1.0 name: the configured directory, else the legacy relative default. */
export function defaultResultsDir(env: NodeJS.ProcessEnv = process.env): string {
  return configuredResultsDir(env) ?? LEGACY_RESULTS_DIR;
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

/** The external store the environment configures (`GEMINI_JOBS_RESULTS_DIR`), or undefined (reports inline). */
export function resultStoreFromEnv(env: NodeJS.ProcessEnv = process.env): ResultStore | undefined {
  const dir = configuredResultsDir(env);
  return dir ? new FileResultStore(dir) : undefined;
}

/**
 * The store a reader uses for file `ReportRef`s: the configured one, else the v0.1.0 default
 * directory (relative to this process's working directory) so jobs recorded by v0.1.0 stay readable.
 */
export function createResultStoreFromEnv(env: NodeJS.ProcessEnv = process.env): ResultStore {
  return resultStoreFromEnv(env) ?? new FileResultStore(LEGACY_RESULTS_DIR);
}

/** Where a store keeps `ref`, for messages (the file path for file stores). */
export function describeLocation(store: ResultStore, ref: ReportRef): string {
  if (store instanceof FileResultStore) {
    try {
      return store.pathOf(ref.key);
    } catch {
      return `${store.dir} (key ${ref.key})`;
    }
  }
  return `result store "${store.name}" key ${ref.key}`;
}
