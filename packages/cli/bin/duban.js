#!/usr/bin/env node
'use strict';
/**
 * `duban`: runs the CLI from `dist/duban.bundle.js`, its one-file build (`pnpm build`, see
 * `scripts/bundle.js`), compiled with V8's code cache kept beside it in
 * `duban.bundle.js.cache`: no module to resolve, no source to compile again on the next
 * call, which is most of what a command that does not connect costs to start.
 *
 * Without a bundle, or with one older than the last compile of the packages it holds (a
 * `tsc -b` after `pnpm build`), it runs `dist/main.js` as compiled: slower to start, never
 * stale.
 */
const { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const DIST = join(__dirname, '..', 'dist');
const BUNDLE = join(DIST, 'duban.bundle.js');
const CODE_CACHE = `${BUNDLE}.cache`;
/** What `tsc -b` rewrites when it compiles a package the bundle holds. */
const COMPILED = ['cli', 'plan', 'common'].map((name) => join(__dirname, '..', '..', name, 'tsconfig.tsbuildinfo'));

function readOrUndefined(file, encoding) {
  try {
    return readFileSync(file, encoding);
  } catch {
    return undefined;
  }
}

function bundleIsCurrent() {
  try {
    const built = statSync(BUNDLE).mtimeMs;
    // A package not compiled here (its build info absent) has nothing newer than the bundle.
    return COMPILED.every((file) => (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) <= built);
  } catch {
    return false;
  }
}

/** Loads the bundle as the module it is, and says whether V8 took the cached code. */
function loadBundle() {
  if (process.env.DUBAN_DEBUG === '1') {
    // Stack traces that name the TypeScript sources: Node's loader reads the bundle's source map; no code cache.
    process.setSourceMapsEnabled(true);
    return { main: require(BUNDLE).main, script: undefined, cached: true };
  }
  const source = readFileSync(BUNDLE, 'utf8');
  const cachedData = readOrUndefined(CODE_CACHE);
  const script = new Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  const bundle = new Module(BUNDLE, module);
  bundle.filename = BUNDLE;
  // Packages left out of the bundle resolve from the CLI's own node_modules, as from dist/.
  bundle.paths = Module._nodeModulePaths(DIST);
  // Listed as loaded, as `require` would list it.
  Module._cache[BUNDLE] = bundle;
  const requireFromBundle = (id) => bundle.require(id);
  script.runInThisContext().call(bundle.exports, bundle.exports, requireFromBundle, bundle, BUNDLE, DIST);
  bundle.loaded = true;
  return { main: bundle.exports.main, script, cached: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * Keeps the code V8 compiled in this call (every function that ran, not only the top
 * level) for the next one: written when there was none or V8 refused it (another Node, other
 * V8 flags, a new bundle). Written aside and renamed, so a call reading it never sees half
 * a file; a read-only install simply runs without it.
 */
function keepCompiledCode(script) {
  const aside = `${CODE_CACHE}.${process.pid}`;
  try {
    writeFileSync(aside, script.createCachedData());
    renameSync(aside, CODE_CACHE);
  } catch {
    try {
      unlinkSync(aside);
    } catch {
      // Nothing was written.
    }
  }
}

if (bundleIsCurrent()) {
  const { main, script, cached } = loadBundle();
  void main(process.argv).then((code) => {
    process.exitCode = code;
    if (!cached) keepCompiledCode(script);
  });
} else {
  void require('../dist/main')
    .main(process.argv)
    .then((code) => {
      process.exitCode = code;
    });
}
