/**
 * The import rules of gemini-jobs (`npm run lint:deps`). Each folder may import only the folders
 * listed for it in LAYERS (and itself); lower layers never import higher ones, and no module
 * takes part in an import cycle. docs/architecture.md draws the same picture.
 */

/** Folder → the project folders it may import (besides itself). Bottom to top. */
const LAYERS = {
  // 1. Generic helpers: no project imports.
  'src/common': [],
  // 2. The wire client (knows no Temporal) and the local emulator of the API.
  'src/interactions': ['src/common'],
  'src/emulator': ['src/interactions', 'src/common'],
  // 3. The job contract, and the infrastructure both sides of Temporal share.
  'src/contract': ['src/interactions', 'src/common'],
  'src/telemetry': ['src/common'],
  'src/results': ['src/contract', 'src/common'],
  'src/temporal': ['src/contract', 'src/common'],
  // 4. The deterministic workflows and the activities (every API call). Extra rules below.
  workflows: ['src/contract', 'src/interactions', 'src/common', 'activities'],
  activities: ['workflows', 'src/contract', 'src/interactions', 'src/results', 'src/telemetry', 'src/common'],
  // 5. The service-facing jobs client, and the worker that hosts workflows and activities.
  'src/jobs': ['workflows', 'src/contract', 'src/interactions', 'src/results', 'src/temporal', 'src/common'],
  'src/worker': ['workflows', 'activities', 'src/contract', 'src/interactions', 'src/results', 'src/temporal', 'src/telemetry', 'src/common'],
  // 6. The live view of a job (renderer, watch loop, exit codes) shared by the CLI and dev.
  'src/view': ['src/jobs', 'src/contract', 'src/common'],
  // 7. Faces.
  'src/webhooks': ['workflows', 'src/contract', 'src/interactions', 'src/temporal', 'src/common'],
  'src/serve': ['src/jobs', 'src/view', 'src/contract', 'src/interactions', 'src/common'],
  'src/doctor': ['src/interactions', 'src/contract', 'src/common'],
  'src/dev': ['src/serve', 'src/worker', 'src/jobs', 'src/view', 'src/emulator', 'src/results', 'src/temporal', 'src/contract', 'src/interactions', 'src/common'],
  'src/cli': [
    'src/dev',
    'src/doctor',
    'src/serve',
    'src/webhooks',
    'src/worker',
    'src/view',
    'src/jobs',
    'src/emulator',
    'src/results',
    'src/temporal',
    'src/contract',
    'src/interactions',
    'src/common',
  ],
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const folderPath = (folder) => `^${escape(folder)}/`;

/** One rule per folder: importing any project module outside its own folder and its allowed ones. */
const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => ({
  name: `layer:${folder}`,
  comment: `${folder} may import only ${allowed.length ? allowed.join(', ') : 'itself'} (see LAYERS)`,
  severity: 'error',
  from: { path: folderPath(folder) },
  to: {
    path: '^(src|workflows|activities)/',
    pathNot: [folder, ...allowed].map(folderPath),
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'Import cycles make load order matter and hide which layer owns what.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unknown-folder',
      comment: 'Every source module lives in a folder of LAYERS (or is the package entry src/index.ts): add new folders to the map.',
      severity: 'error',
      from: {
        path: '^(src|workflows|activities)/',
        pathNot: ['^src/index\\.ts$', ...Object.keys(LAYERS).map(folderPath)],
      },
      to: {},
    },
    {
      name: 'workflows-import-only-types-from-activities',
      comment: 'Activity code is not deterministic and does not belong in the workflow bundle: import its types only.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflow-sandbox-no-node',
      comment: 'Workflows (and the contract they import) run in the deterministic sandbox: no Node built-ins.',
      severity: 'error',
      from: { path: ['^workflows/', '^src/contract/'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflows-pure-interactions-only',
      comment: 'From the wire client, workflows may use only its pure modules (types, validation and its errors), never the HTTP client.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^src/interactions/', pathNot: '^src/interactions/(types|validate|errors)\\.ts$' },
    },
    {
      name: 'contract-is-types-and-pure-code',
      comment: 'The contract imports no runtime package (Temporal, undici…): types only, so anything can import it.',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-peer', 'npm-optional'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'contract-pure-interactions-only',
      comment: 'The contract may use only the wire types (and their status taxonomy), not the client.',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { path: '^src/interactions/', pathNot: '^src/interactions/types\\.ts$' },
    },
    {
      name: 'only-temporal-definitions-below-workflows',
      comment: 'Outside workflows/, only the Temporal message definitions may be imported (signals, queries, updates, search attribute keys), never workflow code.',
      severity: 'error',
      from: { path: '^(activities|src/jobs|src/webhooks)/' },
      to: { path: '^workflows/', pathNot: '^workflows/(definitions|admission-definitions|watch-lease-definitions|sweeper-definitions|batch-definitions)\\.ts$' },
    },
    {
      name: 'main-entry-is-light',
      comment:
        'The main entry is what a service needs to start, read and steer jobs: it never reaches the worker (its native bridge, webpack), activities, workflow code, serve, webhooks, dev, doctor or the CLI. Each has its own entry (gemini-jobs/worker, /serve, …).',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: {
        path: [
          '^src/(worker|serve|webhooks|dev|doctor|cli|emulator)/',
          '^activities/',
          '^workflows/(?!(definitions|admission-definitions|watch-lease-definitions|batch-definitions)\\.ts$)',
          '@temporalio/worker',
        ],
        reachable: true,
      },
    },
    {
      name: 'cli-loads-commands-when-they-run',
      comment: 'The CLI dispatcher requires a command module inside that command (--help and status must not load the worker or serve): no static import of src/cli/commands/.',
      severity: 'error',
      from: { path: '^src/cli/(run|main|index)\\.ts$' },
      to: { path: '^src/cli/commands/', dependencyTypes: ['import', 'export'] },
    },
    {
      name: 'main-entry-without-emulator',
      comment: 'The package main entry exports the product; the emulator has its own entry (gemini-jobs/emulator).',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/emulator/', reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: the rules above tell type-only imports apart.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
