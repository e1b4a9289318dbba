import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The status page's browser scripts are plain JS served as they are, so they are linted as such.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '!cli/status/page/*.js'] },
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
);
