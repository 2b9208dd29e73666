/**
 * Temporal actions counted by the server itself: the dev server's Prometheus `action` counter
 * (the operations Temporal Cloud bills: starts, activity tasks, heartbeats, timers, signals, …),
 * per `action_type`, for the `default` namespace. Start the server with `--metrics-port`.
 */
export type ActionCounts = Record<string, number>;

/** Scrapes `http://127.0.0.1:<port>/metrics` and sums the `action` counter by action_type. */
export async function scrapeActions(metricsPort: number, namespace = 'default'): Promise<ActionCounts> {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  const text = await res.text();
  const out: ActionCounts = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('action{')) continue;
    const labels = line.slice(7, line.indexOf('}'));
    if (!labels.includes(`namespace="${namespace}"`)) continue;
    const type = /action_type="([^"]*)"/.exec(labels)?.[1] ?? 'unknown';
    out[type] = (out[type] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

/** `after − before` per action type. */
export function diffActions(after: ActionCounts, before: ActionCounts): ActionCounts {
  const out: ActionCounts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

/** Heartbeat actions in a diff (the RecordActivityTaskHeartbeat RPCs). */
export function heartbeatActions(counts: ActionCounts): number {
  return Object.entries(counts)
    .filter(([k]) => /Heartbeat/i.test(k))
    .reduce((a, [, v]) => a + v, 0);
}
