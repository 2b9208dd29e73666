/**
 * Real Temporal for tests. `npm test` (scripts/run-tests.mjs) starts one dev server and exports
 * TEMPORAL_TEST_ADDRESS; a test file run on its own starts a private dev server through
 * `TestWorkflowEnvironment.createLocal` with the locally built CLI (the SDK's download needs the
 * internet). Either way it is the real server, never a mock.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { JOB_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/definitions';
import { loadDevServerArgs, type DevServerArgsOptions } from '../../src/dev/temporal-server';

/** The repository root, found from the compiled or source location of this file. */
export const packageRoot: string = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
})();

/** Loads the ESM locator (scripts/temporal-cli.mjs) from CommonJS. */
export async function temporalCliPath(): Promise<string> {
  if (process.env.TEMPORAL_CLI_PATH) return process.env.TEMPORAL_CLI_PATH;
  const locator = join(packageRoot, 'scripts', 'temporal-cli.mjs');
  const mod = (await import(locator)) as { ensureTemporalCli(): Promise<string> };
  return mod.ensureTemporalCli();
}

/** Dev-server arguments from the one builder (src/dev/dev-server-args.mjs), as the runner and `dev` use them. */
export async function devServerArgs(opts: DevServerArgsOptions): Promise<string[]> {
  return (await loadDevServerArgs()).devServerArgs(opts);
}

let shared: Promise<TestWorkflowEnvironment> | undefined;

/**
 * One environment per test process. Tear it down with `releaseTestEnv()` in an `after` hook
 * (a no-op for the shared server, which the runner owns).
 */
export function getTestEnv(): Promise<TestWorkflowEnvironment> {
  shared ??= (async () => {
    const address = process.env.TEMPORAL_TEST_ADDRESS;
    if (address) return TestWorkflowEnvironment.createFromExistingServer({ address, namespace: 'default' });
    const path = await temporalCliPath();
    return TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path },
        searchAttributes: Object.values(JOB_SEARCH_ATTRIBUTE_KEYS),
        // The SDK's launcher sets the rest; the features gemini-jobs needs come from the one builder.
        extraArgs: (await loadDevServerArgs()).featureArgs(),
      },
    });
  })();
  return shared;
}

export async function releaseTestEnv(): Promise<void> {
  if (!shared) return;
  const env = await shared;
  shared = undefined;
  await env.teardown();
}

/** A task queue no other test uses, so test files can share one server. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundles a workflows module once per process (bundling costs seconds of CPU). */
export function workflowBundle(workflowsPath: string = join(packageRoot, 'dist', 'workflows', 'index.js')): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

const noop = (): void => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
