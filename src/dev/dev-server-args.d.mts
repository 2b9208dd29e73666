/** Types of src/dev/dev-server-args.mjs (the one dev-server argument builder). */
export declare const SEARCH_ATTRIBUTES: Record<string, string>;
export declare const FEATURE_FLAGS: readonly string[];
export declare function featureArgs(): string[];
export interface DevServerArgsOptions {
  port: number;
  /** Web UI port; absent or false: headless. */
  uiPort?: number | false;
  /** SQLite file (WAL) so jobs survive a restart. */
  dbFile?: string;
  ip?: string;
  namespace?: string;
  logLevel?: string;
  extra?: string[];
}
export declare function devServerArgs(opts: DevServerArgsOptions): string[];
