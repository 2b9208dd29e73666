// ESLint 9 flat config: the field's standard rule sets (@eslint/js and typescript-eslint
// "recommended") plus the few type-aware rules that catch this codebase's costliest bug class, a
// promise nobody awaits (a lost activity heartbeat, an unhandled rejection that kills a worker).
// The full recommendedTypeChecked preset costs about the same CPU (~35 s here) but was measured at
// ~1,000 findings on this tree: 510 no-unsafe-* (484 in tests reading untyped wire JSON) and 405
// redundant type assertions, none of them a bug; it is left out.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.tools/**', '.gemini-jobs/**', 'coverage/**', 'test/replay/histories/**', 'test/python/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A `let` read by a cleanup closure before its one assignment cannot be a `const`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Job ids, visibility queries, terminal output and the dashboard's markdown placeholders match control characters on purpose.
      'no-control-regex': 'off',
      // A module's own `escape` helper does not clash with the deprecated global of that name.
      'no-redeclare': ['error', { builtinGlobals: false }],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      // `_`-prefixed names are deliberately unused (ignored loop values, positional parameters).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read untyped wire JSON (emulator responses, SSE frames) as `any` on purpose.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Outside tsconfig.json (no type information): plain recommended rules only.
    files: ['examples/**/*.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node, sourceType: 'module' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The dashboard runs in the browser.
    files: ['src/serve/dashboard/**/*.mjs'],
    languageOptions: { globals: globals.browser },
  },
);
