import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** What the transports (api/, web/) may not reach around the application layer. */
const LAYER_PATTERNS = [
  { group: ['**/models', '**/models/*'], message: 'Go through the application layer (app/), not the database models.' },
  { group: ['**/activities', '**/activities/*'], message: 'Activities run in the worker; go through the application layer (app/).' },
  { group: ['**/workflows', '**/workflows/*'], message: 'Workflows are reached through the application layer (app/).' },
  { group: ['**/contracts', '**/contracts/*'], message: "Workflow messages are the application layer's to send.", allowTypeImports: true },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '.tools/**', 'eslint.config.mjs', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', process: 'readonly', Buffer: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // Layers: api/ and web/ are transports over the application layer (app/); they never import
  // each other, the database models, the activities or the workflows. The application layer
  // knows no transport.
  {
    files: ['api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/web', '**/web/*'], message: 'The API does not import the web pages; both call the application layer (app/).' },
            ...LAYER_PATTERNS,
          ],
        },
      ],
    },
  },
  {
    files: ['web/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/api', '**/api/*'], message: 'The web pages do not import the API; both call the application layer (app/).' },
            ...LAYER_PATTERNS,
          ],
        },
      ],
    },
  },
  {
    files: ['app/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'express', message: 'The application layer knows no transport.' }],
          patterns: [
            {
              group: ['**/api', '**/api/*', '**/web', '**/web/*', '**/server', '**/server/*'],
              message: 'The application layer knows no transport.',
            },
            { group: ['**/workflows', '**/workflows/*'], message: 'Import workflows as types only (import type).', allowTypeImports: true },
            {
              group: ['**/activities', '**/activities/*'],
              message: 'Activities run in the worker; the application layer calls workflows.',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code is replayed: it must be deterministic and may not touch the outside world.
    files: ['workflows/**/*.ts', 'contracts/**/*.ts', 'domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not available in workflow code.' })),
            { name: '@temporalio/client', message: 'Workflows talk to Temporal through @temporalio/workflow only.' },
            { name: '@temporalio/worker', message: 'Workflows talk to Temporal through @temporalio/workflow only.' },
            { name: '@temporalio/activity', message: 'Activities run outside the workflow sandbox.' },
            { name: 'mongoose', message: 'Database access belongs in activities.' },
            { name: '../activities', message: 'Import activities as types only (import type).', allowTypeImports: true },
          ],
          patterns: [{ group: ['../models', '../models/*', '../api/*', '../config', '../config/*'], message: 'Not workflow code.' }],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process in workflow code.' },
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'fetch', message: 'I/O belongs in activities.' },
        { name: 'require', message: 'Use imports that the bundler can check.' },
        { name: 'performance', message: 'Not deterministic.' },
        { name: 'crypto', message: 'Use uuid4() from @temporalio/workflow.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Not deterministic: use uuid4() or pass values in.' },
      ],
    },
  },
);
