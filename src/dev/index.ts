/**
 * Entry `gemini-jobs/dev`: the local stack `gemini-jobs dev` runs (a Temporal dev server, the
 * emulator or the real API, a worker, `serve`) and the dev server on its own.
 */
export { runDev, DEV_DEFAULTS } from './dev-stack';
export type { DevOptions, DevIO } from './dev-stack';
export { startDevServer, findTemporalCli, DevServerStartError, TemporalCliNotFoundError } from './temporal-server';
export type { DevServer, DevServerOptions } from './temporal-server';
export { DataDirLockedError } from './data-lock';
