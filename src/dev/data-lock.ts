/**
 * One dev stack per data directory: `gemini-jobs dev` takes `<db-file>.lock` (created exclusively,
 * holding the owner's pid, host and start time) before starting a Temporal server on the SQLite
 * file, so a second `npm start` in the same directory is refused with the holder's pid instead of
 * running two servers on one database. A lock whose process is gone (crash, SIGKILL) is stale and
 * is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { GeminiJobsError } from '../common/errors';

/** Another live process holds the data directory. */
export class DataDirLockedError extends GeminiJobsError<'dev_data_locked'> {
  constructor(
    readonly lockPath: string,
    readonly holder: LockOwner,
  ) {
    super(
      'dev_data_locked',
      `Another dev stack is using ${lockPath.replace(/\.lock$/, '')}: process ${holder.pid} (started ${holder.startedAt}` +
        `${holder.address ? `, Temporal at ${holder.address}` : ''}). Stop it (kill ${holder.pid}, or Ctrl-C in its terminal), ` +
        `use it (export TEMPORAL_ADDRESS=${holder.address ?? '<its address>'}), or start another stack with --db-file <other path>.`,
    );
  }
}

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  address?: string;
}

export interface DataLock {
  path: string;
  /** Records the server address in the lock, for the message a second stack prints. */
  update(address: string): void;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' ? (parsed as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock of `dbFile` (throws `DataDirLockedError` while a live process holds it). */
export function lockDataFile(dbFile: string): DataLock {
  const path = `${dbFile}.lock`;
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const write = (fd: number) => writeSync(fd, JSON.stringify(owner) + '\n');
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, 'wx');
      write(fd);
      closeSync(fd);
      let released = false;
      return {
        path,
        update(address: string) {
          owner.address = address;
          try {
            const fd2 = openSync(path, 'w');
            write(fd2);
            closeSync(fd2);
          } catch {
            // The lock stays valid without the address.
          }
        },
        release() {
          if (released) return;
          released = true;
          // Only our own lock: never remove one a later stack took over.
          if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readOwner(path);
      // A lock from another host (shared disk) cannot be checked: respect it.
      if (holder && (holder.host !== hostname() || alive(holder.pid))) throw new DataDirLockedError(path, holder);
      rmSync(path, { force: true }); // stale: its process is gone, or the file is unreadable
    }
  }
  throw new Error(`could not take the dev lock ${path}`);
}
