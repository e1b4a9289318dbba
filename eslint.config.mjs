import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';
import layers from './scripts/eslint-layers.mjs';

export default tseslint.config(
  // The status page's browser scripts are plain JS served as they are, so they are linted as such.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.stryker-tmp/**', 'reports/**', '**/*.js', '**/*.mjs', '!cli/status/page/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['cli/status/page/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: { document: 'readonly', window: 'readonly', fetch: 'readonly', EventSource: 'readonly', Node: 'readonly' },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  {
    // The engine's layers run one way, and each folder is entered through its index.
    files: ['shared/**/*.ts', 'cli/**/*.ts', 'functions/**/*.ts', 'sim/**/*.ts'],
    plugins: { layers },
    rules: { 'layers/imports': 'error' },
  },
  {
    // Settings are read once, by the app layer; everything below gets them passed in.
    files: ['shared/**/*.ts'],
    ignores: ['shared/app/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read settings in shared/app and pass them down' }],
    },
  },
  {
    // The Functions programming model belongs to functions/ alone: the CLI is a host of shared/app too.
    files: ['shared/**/*.ts', 'cli/**/*.ts', 'sim/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@azure/functions', message: 'only functions/ registers with the Functions host' }] }],
    },
  },
  {
    // A committed .only or .skip silently narrows the suite; a test without an assertion, or with
    // one only some runs reach, passes whatever the code does. Helpers that assert are named
    // expect…/assert…, and fast-check properties assert through fc.assert.
    files: ['test/**/*.ts'],
    plugins: { jest },
    rules: {
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', 'assert*', 'fc.assert'] }],
      'jest/no-conditional-expect': 'error',
    },
  },
);
