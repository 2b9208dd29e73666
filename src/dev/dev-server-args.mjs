// The one builder of `temporal server start-dev` arguments: the test runner, the bench, the
// cluster script (SEARCH_ATTRIBUTES), test helpers and `gemini-jobs dev` all call it. Plain ESM
// JavaScript so scripts can import it before any build; shipped in the package (package.json
// `files`) for `gemini-jobs dev`, which imports it at run time (src/dev/temporal-server.ts).
// Search attributes must exist before a job starts; updates and update-with-start must be on.
// Keep SEARCH_ATTRIBUTES equal to SEARCH_ATTRIBUTE_NAMES (workflows/definitions.ts; test/dev).

export const SEARCH_ATTRIBUTES = {
  GeminiJobStatus: 'Keyword',
  GeminiJobAgent: 'Keyword',
  GeminiJobThread: 'Keyword',
  GeminiJobKind: 'Keyword',
  GeminiJobQuestion: 'Keyword',
  GeminiJobMode: 'Keyword',
  GeminiJobInteraction: 'Keyword',
};

/** Server features gemini-jobs needs (updates, update-with-start), as `--dynamic-config-value` pairs. */
export const FEATURE_FLAGS = [
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  'frontend.enableExecuteMultiOperation=true',
];

/** `--dynamic-config-value` arguments for {@link FEATURE_FLAGS} (e.g. for the SDK's own dev-server launcher). */
export function featureArgs() {
  return FEATURE_FLAGS.flatMap((value) => ['--dynamic-config-value', value]);
}

/**
 * @param {{ port: number, uiPort?: number | false, dbFile?: string, ip?: string, namespace?: string, logLevel?: string, extra?: string[] }} opts
 *   `uiPort` absent or false: headless; `dbFile`: SQLite file (WAL) so jobs survive a restart.
 * @returns {string[]} arguments for `temporal`
 */
export function devServerArgs({ port, uiPort, dbFile, ip = '127.0.0.1', namespace, logLevel = 'error', extra = [] }) {
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', logLevel];
  args.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']));
  if (dbFile) args.push('--db-filename', dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  if (namespace) args.push('--namespace', namespace);
  args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false', ...featureArgs());
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  return [...args, ...extra];
}
