/** The one dev-server argument builder: what every dev server of the project starts with. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDevServerArgs } from '../../src/dev/temporal-server';
import { SEARCH_ATTRIBUTE_NAMES } from '../../workflows/definitions';

test("dev-server args: the workflow's search attributes, updates and update-with-start, headless unless a UI port", async () => {
  const loaded = await loadDevServerArgs();
  const { devServerArgs, SEARCH_ATTRIBUTES, featureArgs } = loaded;
  // The module has what DevServerArgsModule declares, of the declared kinds.
  assert.deepEqual(Object.fromEntries(Object.entries(loaded).map(([k, v]) => [k, Array.isArray(v) ? 'array' : typeof v])), {
    SEARCH_ATTRIBUTES: 'object',
    FEATURE_FLAGS: 'array',
    featureArgs: 'function',
    devServerArgs: 'function',
  });
  assert.deepEqual(Object.keys(SEARCH_ATTRIBUTES).sort(), Object.values(SEARCH_ATTRIBUTE_NAMES).sort());
  const args = devServerArgs({ port: 4321, dbFile: '/tmp/x.sqlite', namespace: 'ns', logLevel: 'warn' });
  const values = (flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
  assert.deepEqual(
    values('--search-attribute').sort(),
    Object.values(SEARCH_ATTRIBUTE_NAMES)
      .map((n) => `${n}=Keyword`)
      .sort(),
  );
  for (const v of values('--dynamic-config-value').filter((v) => v !== 'frontend.enableServerVersionCheck=false')) assert.ok(featureArgs().includes(v!), v);
  assert.ok(values('--dynamic-config-value').includes('frontend.enableExecuteMultiOperation=true'));
  assert.deepEqual(values('--namespace'), ['ns']);
  assert.deepEqual(values('--db-filename'), ['/tmp/x.sqlite']);
  assert.ok(args.includes('--headless'));
  assert.deepEqual(values('--ui-port'), []);
  assert.deepEqual(
    devServerArgs({ port: 1, uiPort: 2 }).filter((a) => a === '--headless' || a === '--ui-port'),
    ['--ui-port'],
  );
});
