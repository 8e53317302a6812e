import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// The floors, lowest first: common ← workflows ← activities, plan ← client, worker, servers ← cli.
// A package imports only from floors below it; these rules make an upward import a lint error.

/** No library package may import the CLI: it is the top floor. */
const noCli = { group: ['@duban/cli', '@duban/cli/*'], message: 'Only the CLI imports the CLI: library packages stand below it.' };

/** Packages that do I/O or start processes, which workflow code must never load. */
const notInWorkflows = {
  group: ['@duban/plan', '@duban/client', '@duban/worker', '@duban/servers', '@duban/cli'].flatMap((name) => [name, `${name}/*`]),
  message: 'Workflow code runs in the deterministic sandbox: it may import @duban/common, never plan, client, worker, servers or cli.',
};

/** An import source that does not start with `.`: a package or a Node built-in, not one of the package's own files. */
const notRelative = '/^[^.]/';
const commonImportsNothing = '@duban/common imports nothing but its own files: no packages, no Node built-ins.';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.duban/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noCli] }] },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O
    // packages, no duban package above it. Activities may be imported for their types only.
    // (This entry replaces the one above for these files, so it repeats the CLI ban.)
    files: ['packages/workflows/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code cannot use Node built-ins.' })),
          patterns: [
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing', 'luxon', 'better-sqlite3', 'pg', 'nodemailer'],
              message: 'Workflow code runs in the deterministic sandbox: do I/O in activities, compute dates outside.',
            },
            { group: ['@duban/activities'], allowTypeImports: true, message: 'Import activities with `import type` only.' },
            notInWorkflows,
          ],
        },
      ],
    },
  },
  {
    // The floor: it runs everywhere, the workflow sandbox included, so it depends on nothing.
    files: ['packages/common/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'ImportExpression'].map((node) => ({
          selector: `${node}[source.value=${notRelative}]`,
          message: commonImportsNothing,
        })),
        { selector: `TSExternalModuleReference[expression.value=${notRelative}]`, message: commonImportsNothing },
        { selector: "CallExpression[callee.name='require']", message: commonImportsNothing },
      ],
    },
  },
);
