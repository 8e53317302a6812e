import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { DEFAULT_NAMESPACE, DEFAULT_TEMPORAL_HOST, ENV } from '@duban/common';
import { resolveTemporalBinary, ServerErrorCode, TemporalServerError, type ResolvedBinary } from './binaries';
import { waitUntilHealthy } from './health';

/** The SDK's search attribute types (`SearchAttributeType`) as the `temporal` CLI spells them. */
const CLI_SEARCH_ATTRIBUTE_TYPES = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
} as const;

/** A custom search attribute to register at start, typed as the SDK's `defineSearchAttributeKey` types it. */
export interface DevServerSearchAttribute {
  name: string;
  type: keyof typeof CLI_SEARCH_ATTRIBUTE_TYPES;
}

export interface DevServerOptions {
  /** Defaults to the resolved `temporal` CLI. */
  binary?: ResolvedBinary;
  ip?: string;
  /** gRPC port; 0 or unset picks a free one. */
  port?: number;
  /** Web UI port; unset means `port + 1000`; `false` runs headless. */
  uiPort?: number | false;
  /** SQLite file; the directory is created. Unset keeps the data in memory. */
  dbFilename?: string;
  namespace?: string;
  searchAttributes?: DevServerSearchAttribute[];
  /** Where the server's own log goes; by default it is discarded. */
  log?: 'inherit' | 'ignore';
  /** How long to wait for the server to answer as healthy; default 60 s. */
  startTimeoutMs?: number;
}

export interface RunningDevServer {
  /** `host:port` for `Connection.connect`. */
  address: string;
  /** The web UI, unless headless. */
  uiUrl: string | undefined;
  namespace: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export async function freePort(ip = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, ip, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts `temporal server start-dev` (SQLite, web UI) as a child process and returns once
 * its frontend answers as healthy (`waitUntilHealthy`), not merely once its port is open.
 * The SQLite pragmas are the ones Temporal's own SDK CI uses: WAL keeps readers off the
 * writer's back on one connection.
 *
 * @throws TemporalServerError `TEMPORAL_BINARY_NOT_FOUND` without a local `temporal`;
 *   `TEMPORAL_SERVER_START_FAILED` when it exits early or is not healthy in time.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<RunningDevServer> {
  const binary = options.binary ?? resolveTemporalBinary('temporal-cli');
  if (binary.source === 'sdk-download') {
    throw new TemporalServerError(
      ServerErrorCode.TEMPORAL_BINARY_NOT_FOUND,
      `The dev server needs a local \`temporal\` executable; run \`bash scripts/setup.sh\` or set ${ENV.temporalCli}.`,
      'temporal-cli',
    );
  }
  const ip = options.ip ?? DEFAULT_TEMPORAL_HOST;
  const port = options.port || (await freePort(ip));
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const uiPort = options.uiPort === false ? undefined : (options.uiPort ?? port + 1000);

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--namespace', namespace, '--log-level', 'warn'];
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  if (options.dbFilename) {
    mkdirSync(dirname(options.dbFilename), { recursive: true });
    args.push('--db-filename', options.dbFilename, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  }
  for (const attribute of options.searchAttributes ?? []) {
    args.push('--search-attribute', `${attribute.name}=${CLI_SEARCH_ATTRIBUTE_TYPES[attribute.type]}`);
  }

  const child = spawn(binary.path, args, { stdio: ['ignore', options.log ?? 'ignore', options.log ?? 'ignore'] });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitedPromise = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit();
    });
  });

  const address = `${ip}:${port}`;
  const health = await waitUntilHealthy(address, {
    timeoutMs: options.startTimeoutMs ?? 60_000,
    abandon: () => (exited ? `it exited with ${exited.code ?? exited.signal}` : undefined),
  });
  if (!health.healthy) {
    if (!exited) child.kill('SIGKILL');
    throw new TemporalServerError(
      ServerErrorCode.TEMPORAL_SERVER_START_FAILED,
      `The Temporal dev server (${binary.path}) at ${address} did not become healthy: ${health.reason}. ` +
        'Another process may hold the port or the database file, or the machine is too busy; run with --verbose to see its log.',
      'temporal-cli',
      { details: { address } },
    );
  }

  return {
    address,
    uiUrl: uiPort === undefined ? undefined : `http://${ip}:${uiPort}`,
    namespace,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(killer);
    },
  };
}
