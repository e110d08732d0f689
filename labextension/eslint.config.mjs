// ESLint (flat config), as the JupyterLab extension template sets it up, plus React and
// React hooks. `jlpm eslint:check` checks, `jlpm eslint` fixes what it can.
import js from '@eslint/js';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules', 'lib', 'coverage', '**/*.d.ts', 'src/apiSchema.ts', 'src/rules.ts']
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  // Before our rules: it turns off `curly`, which we want (prettier leaves braces alone).
  prettierRecommended,
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { react, 'react-hooks': reactHooks },
    languageOptions: {
      globals: { ...globals.browser, ...globals.es2020 },
      parserOptions: { project: 'tsconfig.test.json', sourceType: 'module' }
    },
    settings: { react: { version: '18' } },
    rules: {
      ...react.configs.recommended.rules,
      ...reactHooks.configs.recommended.rules,
      'react/prop-types': 'off', // TypeScript checks the props
      'react/react-in-jsx-scope': 'off',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    // Jest specs: `require` and loose types are fine there.
    files: ['src/**/__tests__/**'],
    languageOptions: { globals: { ...globals.jest, ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    // Node scripts and config files (CommonJS).
    files: ['scripts/**/*.js', '*.config.js'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
);
