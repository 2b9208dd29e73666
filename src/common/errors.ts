/**
 * The base of every error gemini-jobs throws on purpose.
 *
 * `code` is a stable string (switch on it, never on the message); each code belongs to one class,
 * and classes that share a code extend the class that owns it (every `ConfigError` subclass is
 * `invalid_config`), so `instanceof` and `code` always agree. The full list is the `ErrorCode`
 * union of the main entry and docs/errors.md.
 *
 * This module is the bottom layer: it imports nothing from the project.
 */

/** Codes owned by this module's classes. */
export type CommonErrorCode = 'invalid_config';

/** What `toJSON()` gives: name, code, message and the fields a class declares safe. Never `cause` or `stack`. */
export interface ErrorJSON {
  name: string;
  code: string;
  message: string;
  [field: string]: unknown;
}

/** Base class of the package's errors: a stable `code`, an optional `cause`, a secret-free `toJSON`. */
export class GeminiJobsError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
  }

  /**
   * Extra fields for `toJSON`, each one known to hold no credential (field names, ids, statuses).
   * Subclasses add theirs; `cause`, `stack`, bodies and headers are never included, because they
   * may carry what a message was built to leave out.
   */
  protected jsonFields(): Record<string, unknown> {
    return {};
  }

  /** A log- and wire-safe object: `{ name, code, message, ...jsonFields() }`. */
  toJSON(): ErrorJSON {
    const out: ErrorJSON = { name: this.name, code: this.code, message: this.message };
    for (const [key, value] of Object.entries(this.jsonFields())) if (value !== undefined) out[key] = value;
    return out;
  }
}

/** True for any error of the package's tree. */
export function isGeminiJobsError(err: unknown): err is GeminiJobsError {
  return err instanceof GeminiJobsError;
}

/**
 * The stable code of an error: the class's `code` for the package's errors, else a string `code`
 * property (errors from another copy of the package, or decoded from JSON), else undefined.
 */
export function codeOf(err: unknown): string | undefined {
  if (err instanceof GeminiJobsError) return err.code;
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A setting (flag, environment variable, option) that cannot be used; the message names it and the fix. */
export class ConfigError extends GeminiJobsError<'invalid_config'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_config', message, options);
  }
}
