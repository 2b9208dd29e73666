/**
 * Runs kept on disk (`EmulatorOptions.stateDir`), so a restarted emulator (e.g. `gemini-jobs dev`
 * stopped and started again) still knows the interactions its jobs follow, and continues or
 * finishes them by their scripts' clock. One JSON file per stored interaction, written when it is
 * created and again when a client cancels or deletes it; files older than `retentionMs` are
 * dropped at load (the API keeps interactions for days, not forever).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PersistedRun } from './run';

/** How long a persisted run is kept (ms): 7 days. */
export const DEFAULT_STATE_RETENTION_MS = 7 * 24 * 3600_000;

export class RunStore {
  private readonly dir: string;

  constructor(
    stateDir: string,
    private readonly retentionMs = DEFAULT_STATE_RETENTION_MS,
  ) {
    this.dir = join(stateDir, 'runs');
    mkdirSync(this.dir, { recursive: true });
  }

  private file(id: string): string {
    // Interaction ids are `v1_` + base62: safe as file names; anything else is refused.
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`emulator state: unexpected interaction id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.json`);
  }

  /** Writes one run (atomically: a reader never sees half a file). */
  save(run: PersistedRun): void {
    const path = this.file(run.id);
    writeFileSync(`${path}.tmp`, JSON.stringify(run));
    renameSync(`${path}.tmp`, path);
  }

  /** Every persisted run still within the retention, oldest first; expired and unreadable files are removed. */
  load(now = Date.now()): PersistedRun[] {
    const runs: PersistedRun[] = [];
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      if (!name.endsWith('.json')) {
        if (name.endsWith('.tmp')) rmSync(path, { force: true });
        continue;
      }
      try {
        if (now - statSync(path).mtimeMs > this.retentionMs) {
          rmSync(path, { force: true });
          continue;
        }
        runs.push(JSON.parse(readFileSync(path, 'utf8')) as PersistedRun);
      } catch {
        rmSync(path, { force: true });
      }
    }
    return runs.sort((a, b) => a.createdIso.localeCompare(b.createdIso));
  }
}
