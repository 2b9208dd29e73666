/**
 * The Temporal server the tests run on (the runner's, or a file's own through helpers/temporal.ts)
 * is set up the way the product needs: every search attribute of the job contract exists as a
 * Keyword, or `list`, threads and the status column fail on it. A search attribute added to the
 * contract but not to the dev-server arguments fails here first, not in a job suite.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_NAMES } from '../../workflows/definitions';
import { getTestEnv, releaseTestEnv } from '../helpers/temporal';

after(releaseTestEnv);

test('the test server registers every search attribute of the job contract, as Keyword', async () => {
  const env = await getTestEnv();
  const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  for (const name of Object.values(SEARCH_ATTRIBUTE_NAMES)) {
    assert.equal(customAttributes?.[name], temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, `${name} is a Keyword search attribute`);
  }
});
