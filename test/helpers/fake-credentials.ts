/**
 * Fake credentials in the shape of real ones (an `AIza…` API key), assembled at run time so that
 * secret scanners, which look for that shape in committed files, do not flag the tests.
 */
export function fakeApiKey(rest: string): string {
  return ['AIza', rest].join('');
}

/** A fake OAuth access token in the shape of Google's (`ya29.…`), assembled the same way. */
export function fakeAccessToken(rest: string): string {
  return ['ya29', rest].join('.');
}
