// A node:test reporter that sums the wall time of each test file's top-level tests and, at the
// end, prints the slowest files: where the suite's time goes. scripts/run-tests.mjs adds it beside
// the TAP reporter; its output goes to stderr.
export default async function* fileTimings(source) {
  const byFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      byFile.set(event.data.file, (byFile.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const rows = [...byFile].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  yield `\n[test timings] ${rows.length} files, ${(total / 1000).toFixed(0)} s of test time in all; the slowest:\n`;
  for (const [file, ms] of rows.slice(0, 15)) yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file.replace(/^.*\/dist\//, '')}\n`;
}
