/**
 * The request target and the `Host` header, read before anything else. A target that is neither
 * origin-form (`/path?query`) nor an absolute `http(s)` URL is refused with 400; the path is not
 * normalised, so a job id such as `..` reaches its route as `..`. When the server listens on
 * loopback, only loopback host names (and the ones configured for a proxy) are served, so a page
 * on another site cannot reach it through DNS rebinding.
 */
import { HttpError } from './errors';

export interface RequestTarget {
  /** The raw path (percent-encoded, not normalised). */
  pathname: string;
  /** The query parameters, decoded. */
  query: URLSearchParams;
  /** A URL of the target on a placeholder origin, for code that wants one. */
  url: URL;
}

const ORIGIN_FORM = /^\/(?!\/)[^?#]*(\?[^#]*)?$/;

/** Parses `req.url`; throws 400 `invalid_target` for anything but origin-form or an http(s) URL. */
export function parseRequestTarget(raw: string | undefined): RequestTarget {
  const target = raw ?? '';
  try {
    if (ORIGIN_FORM.test(target)) {
      const cut = target.indexOf('?');
      const pathname = cut < 0 ? target : target.slice(0, cut);
      const query = new URLSearchParams(cut < 0 ? '' : target.slice(cut + 1));
      return { pathname, query, url: new URL(target, 'http://localhost') };
    }
    if (/^https?:\/\//i.test(target)) {
      const url = new URL(target);
      return { pathname: url.pathname, query: url.searchParams, url };
    }
  } catch {
    // falls through to the refusal below
  }
  throw new HttpError('invalid_target', 'The request target must be a path starting with a single "/" (or an absolute http URL).', {
    headers: { connection: 'close' },
  });
}

/** Which `Host` names the server answers: any, or a list of names and `.suffix` patterns. */
export type AllowedHosts = 'any' | readonly string[];

/** The names a loopback listener always answers to. */
export const LOOPBACK_HOST_NAMES: readonly string[] = ['localhost', '.localhost', '127.0.0.1', '::1'];

/** The host name of a `Host` header, lower-cased, without port or IPv6 brackets; undefined if malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (bracketed) return bracketed[1];
  const plain = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return plain ? plain[1]!.replace(/\.$/, '') : undefined;
}

/** Is `header` one of `allowed` (`.example.com` matches example.com and its subdomains)? */
export function hostAllowed(header: string | undefined, allowed: AllowedHosts): boolean {
  if (allowed === 'any') return true;
  const name = hostName(header);
  if (name === undefined) return false;
  return allowed.some((entry) => {
    const e = entry.toLowerCase().replace(/^\[|\]$/g, '');
    if (e === '*') return true;
    if (e.startsWith('.')) return name === e.slice(1) || name.endsWith(e);
    return name === e;
  });
}

/**
 * The host names a server answers: on a loopback address the loopback names plus `extra`; on any
 * other address `extra` when given, else any (a token is required there anyway).
 */
export function resolveAllowedHosts(loopback: boolean, extra: readonly string[] | undefined): AllowedHosts {
  if (extra?.includes('*')) return 'any';
  if (loopback) return [...LOOPBACK_HOST_NAMES, ...(extra ?? [])];
  return extra && extra.length > 0 ? [...extra] : 'any';
}

/** Parses a comma-separated host list (`--allowed-hosts`, `GEMINI_JOBS_SERVE_ALLOWED_HOSTS`). */
export function parseAllowedHosts(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const hosts = text
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  return hosts.length > 0 ? hosts : undefined;
}

/** Throws 403 `host_not_allowed` when the `Host` header is not served. */
export function assertHostAllowed(header: string | undefined, allowed: AllowedHosts): void {
  if (hostAllowed(header, allowed)) return;
  throw new HttpError(
    'host_not_allowed',
    `Host ${JSON.stringify(String(header ?? '').slice(0, 100))} is not served here. Behind a proxy, add the name with --allowed-hosts (GEMINI_JOBS_SERVE_ALLOWED_HOSTS).`,
    { headers: { connection: 'close' } },
  );
}
