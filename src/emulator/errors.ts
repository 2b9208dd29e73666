/** Google API error envelopes, the only error body shape the emulator ever answers with. */

export type GoogleStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'ABORTED'
  | 'DEADLINE_EXCEEDED'
  | 'UNIMPLEMENTED';

const STATUS_BY_CODE: Record<number, GoogleStatus> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export interface ErrorEnvelope {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

/** An error the request handlers throw; the server turns it into an envelope. */
export class EmulatorHttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly googleStatus: string = STATUS_BY_CODE[code] ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'),
    readonly headers: Record<string, string> = {},
    readonly details?: unknown[],
  ) {
    super(message);
  }

  envelope(): ErrorEnvelope {
    const error: ErrorEnvelope['error'] = { code: this.code, message: this.message, status: this.googleStatus };
    if (this.details) error.details = this.details;
    return { error };
  }
}

export function envelope(code: number, message: string, status?: string): ErrorEnvelope {
  return new EmulatorHttpError(code, message, status).envelope();
}

export const invalid = (message: string) => new EmulatorHttpError(400, message, 'INVALID_ARGUMENT');
export const precondition = (message: string) => new EmulatorHttpError(400, message, 'FAILED_PRECONDITION');
export const notFound = (message: string) => new EmulatorHttpError(404, message, 'NOT_FOUND');
