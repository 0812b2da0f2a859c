// Regular-expression safety for the product's own code (issue 15): no regex may backtrack
// super-linearly. And the layering: the extension host never imports the language server's code
// (what both need lives in common/). Only these rules run; style is left to the compiler and review.
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

export default [
  { ignores: ['dist/**', 'build/**', 'node_modules/**', '.cache/**', 'test-results/**'] },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { parser: tseslint.parser },
    plugins: { regexp },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
  },
  {
    files: ['extension/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)server/src(/|$)',
              message: 'The extension host must not import the language server\'s code: move what both need to common/ (e.g. common/workspaceConfig).',
            },
          ],
        },
      ],
    },
  },
];
