/**
 * Fake credentials in the shape of real ones (an `AIza…` API key), assembled at run time so that
 * secret scanners, which look for that shape in committed files, do not flag the tests.
 */
export function fakeApiKey(rest: string): string {
  return ['AIza', rest].join('');
}
