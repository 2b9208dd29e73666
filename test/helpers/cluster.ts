/**
 * The real Temporal cluster (scripts/cluster.mjs: Temporal server on PostgreSQL) when a test runs
 * under `npm run test:cluster`, which exports GEMINI_JOBS_CLUSTER_STATE. Tests that need the real
 * server process (restarts, several worker processes) skip themselves elsewhere.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './temporal';

export interface ClusterState {
  address: string;
  version: string;
  server: { pid: number; restarts: number; metricsPort: number; logFile: string };
  postgres: { pid: number; port: number };
}

/** The running cluster's state file contents, or undefined outside `npm run test:cluster`. */
export function clusterState(): ClusterState | undefined {
  const file = process.env.GEMINI_JOBS_CLUSTER_STATE;
  if (!file) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

/** `skip` option for node:test: a reason outside the cluster run, false inside it. */
export const needsCluster: string | false = process.env.GEMINI_JOBS_CLUSTER_STATE ? false : 'needs the real Temporal cluster: npm run test:cluster';

function clusterScript(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot, 'scripts', 'cluster.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`cluster.mjs ${args.join(' ')} exited ${code}: ${err.trim()}`))));
  });
}

/** SIGKILLs the cluster's Temporal server process and starts it again on the same ports and database. */
export async function restartClusterServer(): Promise<void> {
  await clusterScript(['restart-server']);
}

/** The cluster as a server the chaos run may restart (bench/lib/chaos.ts RestartableServer). */
export function clusterServer(): { address: string; restarts: number; restart(): Promise<void>; stop(): Promise<void> } {
  const state = clusterState();
  if (!state) throw new Error('GEMINI_JOBS_CLUSTER_STATE is not set: start the cluster with npm run test:cluster');
  return {
    address: state.address,
    restarts: 0,
    async restart() {
      await restartClusterServer();
      this.restarts++;
    },
    // The cluster belongs to the test run (scripts/test-cluster.mjs stops it).
    stop: async () => undefined,
  };
}
