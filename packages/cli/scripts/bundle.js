#!/usr/bin/env node
'use strict';
/**
 * Bundles the `duban` command line into one file, `dist/duban.bundle.js`, which
 * `bin/duban.js` runs: one file to read and compile (with V8's code cache beside it)
 * instead of about 200 modules to resolve, read and compile on every call.
 *
 * What goes in: the CLI's own sources, @duban/common and @duban/plan (from their
 * TypeScript sources, so esbuild sees ES modules and drops what is unused) and the light
 * libraries a command that does not connect uses (`--sizes` lists them). What stays
 * out: every other package (the Temporal SDK, @duban/client, @duban/worker, exceljs…),
 * loaded by `require` from the CLI's own node_modules when a command that needs it runs;
 * the worker's packages also find files beside their own (the workflow bundle), which
 * only works unbundled.
 *
 *   node packages/cli/scripts/bundle.js   # part of `pnpm build`
 */
const { spawnSync } = require('node:child_process');
const { existsSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const esbuild = require('esbuild');

const CLI = join(__dirname, '..');
const PACKAGES = join(CLI, '..');
/** Workspace packages compiled into the bundle from their sources. */
const BUNDLED_WORKSPACE = new Set(['common', 'plan']);
/** Libraries the CLI's own files import that are light enough to start with every command. */
const BUNDLED_LIBRARIES = new Set(['zod', 'yaml', 'luxon', 'commander', 'cli-table3']);

const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Decides, import by import, what the bundle holds. */
const lightOnly = {
  name: 'duban-light-only',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      const name = packageName(args.path);
      const workspace = /^@duban\/(.+)$/.exec(name);
      if (workspace) {
        if (!BUNDLED_WORKSPACE.has(workspace[1]) || args.path !== name) return { external: true };
        return { path: join(PACKAGES, workspace[1], 'src', 'index.ts') };
      }
      // A library's own dependencies go where the library goes; so do those of the bundled
      // workspace packages (they resolve from their package, not from the CLI's).
      const fromCli = args.importer.startsWith(join(CLI, 'src'));
      if (fromCli && !BUNDLED_LIBRARIES.has(name)) return { external: true };
      return undefined;
    });
  },
};

async function main() {
  const outfile = join(CLI, 'dist', 'duban.bundle.js');
  const result = await esbuild.build({
    entryPoints: [join(CLI, 'src', 'bundle.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // `import()` of a package left out becomes `require`, as tsc compiles it for dist/.
    supported: { 'dynamic-import': false },
    // ES-module builds of the libraries, so unused parts are dropped.
    mainFields: ['module', 'main'],
    conditions: ['import'],
    sourcemap: 'linked',
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [lightOnly],
  });
  // The code cache of the previous bundle no longer matches it. One call of the most
  // common command that does not connect writes the new one (bin/duban.js keeps what V8
  // compiled), so the first call a person makes is as quick as the next.
  rmSync(`${outfile}.cache`, { force: true });
  const seed = join(CLI, '..', '..', 'plans', 'xihu-2020.yaml');
  if (existsSync(seed)) {
    const primed = spawnSync(process.execPath, [join(CLI, 'bin', 'duban.js'), 'plan', 'validate', seed], { stdio: 'ignore', env: { ...process.env, LANG: 'C', LC_ALL: '' } });
    if (primed.status !== 0) console.warn(`[bundle] duban plan validate ${seed} exited ${String(primed.status)}: the code cache is written by the first call instead`);
  }
  if (process.argv.includes('--sizes')) {
    // What the bundle holds, by package, largest first.
    const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.js'))[1];
    const sizes = {};
    for (const [file, input] of Object.entries(output.inputs)) {
      const where = file.replace(/.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').split('/');
      const key = where.slice(0, where[0].startsWith('@') || where[0] === 'packages' ? 2 : 1).join('/');
      sizes[key] = (sizes[key] ?? 0) + input.bytesInOutput;
    }
    for (const [key, bytes] of Object.entries(sizes).sort((a, b) => b[1] - a[1])) console.log(`${(bytes / 1024).toFixed(0).padStart(6)} KiB  ${key}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
