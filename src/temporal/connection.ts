/**
 * Temporal connection settings for the jobs client, the CLI and the worker, read the same way the
 * Temporal CLI reads them: a TOML profile (`TEMPORAL_CONFIG_FILE`, `TEMPORAL_PROFILE`) overlaid by
 * `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY` and `TEMPORAL_TLS*`, then by explicit
 * flags. Loading is done by `@temporalio/envconfig`; this module adds defaults and one error type.
 *
 * Never log a resolved config as is: it can hold an API key or TLS key material. Use
 * `describeTemporalConfig` for log lines.
 */
import { Client, Connection } from '@temporalio/client';
import type { ConnectionOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection as NativeConnectionType, NativeConnectionOptions } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE } from '../contract';
import { PROBE_TIMEOUT_MS, probeAddress, probeFix, type ProbeFailureKind } from './probe';
import { GeminiJobsError } from '../common/errors';

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** Explicit settings; each one overrides the profile and environment. */
export interface TemporalSettings {
  /** host:port of the Temporal frontend. */
  address?: string;
  namespace?: string;
  /** TOML profile name (default: `TEMPORAL_PROFILE`, then `default`). */
  profile?: string;
  /** TOML config file path (default: `TEMPORAL_CONFIG_FILE`, then the user config dir). */
  configFile?: string;
  /** Environment to read instead of `process.env` (tests). */
  env?: NodeJS.ProcessEnv;
  /** Connect timeout in milliseconds. Default `GEMINI_JOBS_CONNECT_TIMEOUT_MS`, else 10 000. */
  connectTimeoutMs?: number;
}

export interface ResolvedTemporalConfig {
  address: string;
  namespace: string;
  /** Options accepted by both `Connection.connect` and `NativeConnection.connect`. */
  connectionOptions: NativeConnectionOptions & { address: string };
}

/** A failure to load connection settings or to reach the server. The CLI maps it to exit code 3. */
export class TemporalConnectionError extends GeminiJobsError<'temporal_connection'> {
  /** What failed, when known: refused, dns, tls, timeout, unreachable, address. */
  readonly reason?: ProbeFailureKind;
  constructor(message: string, options?: { cause?: unknown; reason?: ProbeFailureKind }) {
    super('temporal_connection', message, options);
    if (options?.reason) this.reason = options.reason;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { reason: this.reason };
  }
}

/**
 * Checks that `config`'s frontend answers (DNS, TCP, TLS when configured) within
 * `min(connectTimeoutMs, 3 000)` ms; throws a TemporalConnectionError naming the cause and the fix.
 */
export async function assertReachable(config: ResolvedTemporalConfig, settings: TemporalSettings = {}): Promise<void> {
  const tlsOption = config.connectionOptions.tls as boolean | { serverNameOverride?: string; serverRootCACertificate?: unknown } | undefined | null;
  // With a custom CA the probe cannot judge the certificate: check TCP and the handshake only.
  const tls = tlsOption
    ? {
        ...(typeof tlsOption === 'object' && tlsOption.serverNameOverride ? { serverName: tlsOption.serverNameOverride } : {}),
        rejectUnauthorized: !(typeof tlsOption === 'object' && tlsOption.serverRootCACertificate),
      }
    : undefined;
  const failure = await probeAddress(config.address, { timeoutMs: Math.min(connectTimeoutMs(settings), PROBE_TIMEOUT_MS), ...(tls ? { tls } : {}) });
  if (failure) {
    throw new TemporalConnectionError(`Cannot reach Temporal at ${config.address} (namespace ${config.namespace}): ${failure.detail}. ${probeFix(failure.kind)}`, {
      reason: failure.kind,
    });
  }
}

/** The first line of an SDK connection error, without the Rust debug dump (`tonic::transport::Error(…)`). */
function briefly(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  const first = message.split('\n')[0]!;
  return first.replace(/tonic::transport::Error\(.*$/, 'transport error').slice(0, 300);
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** Resolves settings from flags, environment and TOML profile, without connecting. */
export function loadTemporalConfig(settings: TemporalSettings = {}): ResolvedTemporalConfig {
  const env = definedEnv(settings.env ?? process.env);
  // An empty variable means "unset" (docker-compose passes `${X:-}` as an empty string).
  for (const key of Object.keys(env)) if (key.startsWith('TEMPORAL_') && env[key] === '') delete env[key];
  let loaded;
  try {
    loaded = loadClientConnectConfig({
      profile: settings.profile,
      configSource: settings.configFile ? { path: settings.configFile } : undefined,
      overrideEnvVars: env,
    });
  } catch (err) {
    throw new TemporalConnectionError(`Could not load Temporal client configuration: ${(err as Error).message}`, { cause: err });
  }
  const address = settings.address ?? loaded.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const namespace = settings.namespace ?? loaded.namespace ?? DEFAULT_TEMPORAL_NAMESPACE;
  const connectionOptions = { ...loaded.connectionOptions, address };
  for (const key of Object.keys(connectionOptions) as (keyof typeof connectionOptions)[]) {
    if (connectionOptions[key] === undefined) delete connectionOptions[key];
  }
  return { address, namespace, connectionOptions };
}

/** A log-safe summary of a resolved config: never the API key or key material. */
export function describeTemporalConfig(config: ResolvedTemporalConfig): Record<string, unknown> {
  const options = config.connectionOptions;
  return {
    address: config.address,
    namespace: config.namespace,
    tls: options.tls ? true : false,
    // Named for what it is: the Temporal (Cloud) API key, not a Gemini key.
    temporalApiKey: options.apiKey ? 'set' : 'unset',
  };
}

/** The task queue: explicit value, else `GEMINI_JOBS_TASK_QUEUE`, else `gemini-jobs`. */
export function resolveTaskQueue(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit || env.GEMINI_JOBS_TASK_QUEUE || DEFAULT_TASK_QUEUE;
}

/** Temporal connect deadline when neither the option nor `GEMINI_JOBS_CONNECT_TIMEOUT_MS` sets one (ms). */
export const DEFAULT_TEMPORAL_CONNECT_TIMEOUT_MS = 10_000;

/** Connect timeout: explicit, else `GEMINI_JOBS_CONNECT_TIMEOUT_MS`, else 10 000 ms. */
export function connectTimeoutMs(settings: TemporalSettings = {}): number {
  if (settings.connectTimeoutMs !== undefined) return settings.connectTimeoutMs;
  const text = (settings.env ?? process.env).GEMINI_JOBS_CONNECT_TIMEOUT_MS;
  const n = text ? Number(text) : NaN;
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_TEMPORAL_CONNECT_TIMEOUT_MS;
}

/** Opens a client connection (`@temporalio/client`). */
export async function connectClient(settings: TemporalSettings = {}): Promise<{ client: Client; connection: Connection; config: ResolvedTemporalConfig }> {
  const config = loadTemporalConfig(settings);
  await assertReachable(config, settings);
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...(config.connectionOptions as ConnectionOptions),
      connectTimeout: connectTimeoutMs(settings),
    });
  } catch (err) {
    throw new TemporalConnectionError(`Could not connect to Temporal at ${config.address} (namespace ${config.namespace}): ${briefly(err)}. ${probeFix('timeout')}`, {
      cause: err,
    });
  }
  return { client: new Client({ connection, namespace: config.namespace }), connection, config };
}

/** Opens a worker connection (`@temporalio/worker` NativeConnection). */
export async function connectNative(settings: TemporalSettings = {}): Promise<{ connection: NativeConnectionType; config: ResolvedTemporalConfig }> {
  const config = loadTemporalConfig(settings);
  await assertReachable(config, settings);
  // Loaded lazily: the worker package pulls in the native core bridge, which the client side never needs.
  const { NativeConnection } = await import('@temporalio/worker');
  try {
    const connection = await NativeConnection.connect(config.connectionOptions);
    return { connection, config };
  } catch (err) {
    throw new TemporalConnectionError(`Could not connect to Temporal at ${config.address} (namespace ${config.namespace}): ${briefly(err)}. ${probeFix('timeout')}`, {
      cause: err,
    });
  }
}
