/**
 * Worker Versioning settings of the jobs worker (Temporal Worker Deployments).
 *
 * Opt-in: a worker joins a deployment only when `GEMINI_JOBS_DEPLOYMENT_NAME` (or the option) is
 * set, because a versioned worker receives no task until an operator makes its version current
 * (`temporal worker deployment set-current-version`). An unversioned worker (the default, the dev
 * stack, the tests) behaves exactly as before.
 *
 * The default behaviour is AUTO_UPGRADE, not PINNED: a Deep Research turn lasts up to an hour and
 * a thread can wait for follow-ups and continue as new for much longer, so a pinned job would tie
 * the old build's workers to it for as long; a rolling deploy that replaces containers (compose,
 * Kubernetes Deployments) would strand it. The workflow is small and every change to its commands
 * is guarded by `patched()` and checked against the replay corpus, so moving a running job to the
 * new build at its next workflow task is safe; the long work lives in the follow activity, which
 * hands over through its heartbeat. See workflows/README.md.
 */
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import { ConfigError } from '../common/errors';

/** How workflows started on a version behave when another version becomes current. */
export type VersioningBehaviorName = 'AUTO_UPGRADE' | 'PINNED';

export interface VersioningSettings {
  deploymentName: string;
  buildId: string;
  behavior: VersioningBehaviorName;
}

/** A bad versioning setting, named with its fix. */
export class VersioningConfigError extends ConfigError {}

/** This package's version: the build id when `GEMINI_JOBS_BUILD_ID` is unset. */
export function packageVersion(): string {
  // Compiled to dist/src/worker/: package.json is three levels up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../../package.json') as { version: string }).version;
}

function checkName(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || /\s/.test(trimmed) || trimmed.length > 255) {
    throw new VersioningConfigError(`${field} must be 1–255 characters without spaces (got ${JSON.stringify(value)})`);
  }
  return trimmed;
}

/**
 * Versioning settings from explicit values, else `GEMINI_JOBS_DEPLOYMENT_NAME`,
 * `GEMINI_JOBS_BUILD_ID` (default: the package version) and `GEMINI_JOBS_VERSIONING_BEHAVIOR`
 * (`auto_upgrade` | `pinned`, default auto_upgrade); `undefined` when no deployment name is set.
 */
export function resolveVersioning(explicit: Partial<VersioningSettings> = {}, env: NodeJS.ProcessEnv = process.env): VersioningSettings | undefined {
  const name = explicit.deploymentName ?? (env.GEMINI_JOBS_DEPLOYMENT_NAME?.trim() || undefined);
  const buildIdText = explicit.buildId ?? (env.GEMINI_JOBS_BUILD_ID?.trim() || undefined);
  const behaviorText = explicit.behavior ?? (env.GEMINI_JOBS_VERSIONING_BEHAVIOR?.trim() || undefined);
  if (name === undefined) {
    if (buildIdText !== undefined || behaviorText !== undefined) {
      throw new VersioningConfigError('GEMINI_JOBS_BUILD_ID / GEMINI_JOBS_VERSIONING_BEHAVIOR need GEMINI_JOBS_DEPLOYMENT_NAME (the Worker Deployment to join)');
    }
    return undefined;
  }
  const behavior = (behaviorText ?? 'AUTO_UPGRADE').toUpperCase();
  if (behavior !== 'AUTO_UPGRADE' && behavior !== 'PINNED') {
    throw new VersioningConfigError(`GEMINI_JOBS_VERSIONING_BEHAVIOR must be auto_upgrade or pinned (got ${JSON.stringify(behaviorText)})`);
  }
  return {
    deploymentName: checkName('GEMINI_JOBS_DEPLOYMENT_NAME', name),
    buildId: checkName('GEMINI_JOBS_BUILD_ID', buildIdText ?? packageVersion()),
    behavior,
  };
}

/** The `workerDeploymentOptions` of `Worker.create` for these settings. */
export function workerDeploymentOptions(settings: VersioningSettings): WorkerDeploymentOptions {
  return {
    version: { deploymentName: settings.deploymentName, buildId: settings.buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: settings.behavior,
  };
}
