// The one place that says how gemini-jobs starts a Temporal dev server (tests, bench, `dev`).
// Search attributes must exist before a job starts; updates and update-with-start must be on.

export const SEARCH_ATTRIBUTES = { GeminiJobStatus: 'Keyword', GeminiJobAgent: 'Keyword', GeminiJobThread: 'Keyword' };

/**
 * @param {{ port: number, uiPort?: number, dbFile?: string, ip?: string, logLevel?: string, extra?: string[] }} opts
 * @returns {string[]} arguments for `temporal`
 */
export function devServerArgs({ port, uiPort, dbFile, ip = '127.0.0.1', logLevel = 'error', extra = [] }) {
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', logLevel];
  args.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']));
  if (dbFile) args.push('--db-filename', dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  for (const value of [
    'frontend.enableServerVersionCheck=false',
    'frontend.enableUpdateWorkflowExecution=true',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    'frontend.enableExecuteMultiOperation=true',
  ]) {
    args.push('--dynamic-config-value', value);
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  return [...args, ...extra];
}
