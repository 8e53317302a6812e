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

/**
 * How much code a function runs before V8 considers optimizing it (TurboFan), ten times
 * Node 20's default (67584): a command that does not connect is over in about 100 ms, and
 * at the default V8 spends a third of its CPU time compiling functions (the YAML lexer,
 * zod) on threads of their own, which on a busy machine are taken from the command itself.
 * Measured on `duban plan validate` of the seed: 175 → 130 ms of CPU, 137 → 128 ms wall
 * on an idle machine. Code that stays hot is still optimized, later: parsing a 3 MB plan
 * takes about as long either way (not so with TurboFan off, 2.5× as long). Not when node
 * was given its own flags for it.
 */
const INTERRUPT_BUDGET = 675840;
/**
 * Commands that run for minutes or for ever (a worker, the workspace, the dev server, a
 * simulation): their hot code should be optimized as soon as V8 would, so they keep its
 * default. A misread command line costs only start-up time, never behaviour.
 */
const LONG_RUNNING = new Set(['worker', 'serve', 'dev', 'simulate']);
/** Global options that take a value (main.ts): their value is not the command's name. */
const GLOBAL_WITH_VALUE = new Set(['--lang', '--profile']);

function commandName(args) {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (GLOBAL_WITH_VALUE.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

if (
  !LONG_RUNNING.has(commandName(process.argv.slice(2))) &&
  !/interrupt-budget|jitless/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)
) {
  require('node:v8').setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}

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

/**
 * Built-in modules the bundle's command modules import at the top but use only when they
 * run (`plan migrate` names its temporary file with node:crypto, `plan import` reads with
 * node:fs/promises, commander keeps node:child_process for subcommands it would run as
 * programs, which duban has none of): loading each costs 1–2 ms of every call. The bundle
 * gets a stand-in that loads the module at the first use of any of its members.
 */
const ON_FIRST_USE = new Set(['node:child_process', 'node:crypto', 'node:fs/promises']);

function onFirstUse(id) {
  let loaded;
  const real = () => (loaded ??= require(id));
  return new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(real(), key),
      set: (_, key, value) => Reflect.set(real(), key, value),
      has: (_, key) => Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      // The stand-in is not the module: what it describes must be configurable to it.
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
      getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    },
  );
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
  const standIns = new Map();
  const requireFromBundle = (id) => {
    if (!ON_FIRST_USE.has(id)) return bundle.require(id);
    if (!standIns.has(id)) standIns.set(id, onFirstUse(id));
    return standIns.get(id);
  };
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
