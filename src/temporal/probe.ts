/**
 * A quick reachability check of the Temporal frontend before a gRPC connection is attempted: the
 * SDKs retry a refused or unresolvable address until their connect deadline and then report
 * "Failed to connect before the deadline" (or a raw `tonic::transport::Error`), naming neither the
 * cause nor the fix. This answers within `timeoutMs` with refused / DNS / TLS / timeout.
 */
import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export type ProbeFailureKind = 'refused' | 'dns' | 'tls' | 'timeout' | 'unreachable' | 'address';

export interface ProbeFailure {
  kind: ProbeFailureKind;
  /** One sentence: what happened. */
  detail: string;
}

/** Default probe budget (ms): the whole check answers within this. */
export const PROBE_TIMEOUT_MS = 3_000;

/** Splits `host:port` (IPv6 in brackets). */
export function splitAddress(address: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * Resolves the host, opens a TCP connection and, with `tls`, completes a TLS handshake. Resolves
 * undefined when the frontend is reachable, else the failure.
 */
export async function probeAddress(
  address: string,
  opts: { timeoutMs?: number; tls?: boolean | { serverName?: string; rejectUnauthorized?: boolean } } = {},
): Promise<ProbeFailure | undefined> {
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const parts = splitAddress(address);
  if (!parts) return { kind: 'address', detail: `"${address}" is not host:port` };
  let ip = parts.host;
  if (!isIP(parts.host)) {
    try {
      const found = await withTimeout(lookup(parts.host), timeoutMs);
      if (found === 'timeout') return { kind: 'timeout', detail: `resolving ${parts.host} took longer than ${timeoutMs} ms` };
      ip = found.address;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      return { kind: 'dns', detail: `the host name ${parts.host} does not resolve (DNS ${code})` };
    }
  }
  const tls = opts.tls ? (typeof opts.tls === 'object' ? opts.tls : {}) : undefined;
  return new Promise<ProbeFailure | undefined>((resolve) => {
    const remaining = Math.max(1, deadline - Date.now());
    const socket = tls
      ? tlsConnect({
          host: ip,
          port: parts.port,
          servername: tls.serverName ?? (isIP(parts.host) ? undefined : parts.host),
          rejectUnauthorized: tls.rejectUnauthorized ?? true,
          ALPNProtocols: ['h2'],
        })
      : netConnect({ host: ip, port: parts.port });
    let tcpUp = false;
    const finish = (failure: ProbeFailure | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(failure);
    };
    const timer = setTimeout(
      () => finish({ kind: 'timeout', detail: `no ${tcpUp && tls ? 'TLS handshake' : 'TCP connection'} to ${address} within ${timeoutMs} ms (wrong host or port, or a firewall)` }),
      remaining,
    );
    socket.once('connect', () => {
      tcpUp = true;
      if (!tls) finish(undefined);
    });
    if (tls) socket.once('secureConnect', () => finish(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (code === 'ECONNREFUSED') return finish({ kind: 'refused', detail: `connection refused: nothing listens on ${address}` });
      if (['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].includes(code)) return finish({ kind: 'unreachable', detail: `${address} is unreachable (${code})` });
      if (tls && (tcpUp || /SSL|TLS|CERT|certificate|self.signed|wrong version/i.test(`${code} ${err.message}`))) {
        return finish({ kind: 'tls', detail: `the TLS handshake with ${address} failed: ${err.message}` });
      }
      finish({ kind: 'unreachable', detail: `connecting to ${address} failed: ${code || err.message}` });
    });
  });
}

/** What to do about a probe failure. */
export function probeFix(kind: ProbeFailureKind): string {
  switch (kind) {
    case 'refused':
      return 'Start the local stack (npx gemini-jobs dev, or npm start in a clone), or pass --address host:port / set TEMPORAL_ADDRESS to your Temporal frontend.';
    case 'dns':
    case 'address':
      return 'Check the host in --address / TEMPORAL_ADDRESS (or the TOML profile).';
    case 'tls':
      return 'Check TEMPORAL_TLS* / TEMPORAL_API_KEY (TLS is on with an API key); a local dev server speaks plain gRPC: unset TEMPORAL_TLS.';
    default:
      return 'Check --address / TEMPORAL_ADDRESS and that the server is up; start a local one with npx gemini-jobs dev.';
  }
}
