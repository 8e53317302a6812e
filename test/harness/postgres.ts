/**
 * A throwaway PostgreSQL 15 cluster per test file: `initdb` in a temp directory, then
 * `postgres` on a free loopback port with its socket in that directory, fsync off (the
 * data dies with the test). Both refuse to run as root, so as root they run as the
 * unprivileged user `duban-pg` that `scripts/setup.sh` creates. A password is set, so
 * tests see real authentication (and what an error says about it).
 *
 * @example
 * ```ts
 * const postgres = postgresPerFile();
 * it('…', async () => { const url = await postgres().createDatabase(); const store = await openAuditStore(url); });
 * ```
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ENV } from '@duban/common';

const debug = process.env[ENV.debug] === '1';

/** Where Debian's postgresql-15 puts its programs (scripts/setup.sh installs it when absent). */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
/** The unprivileged user the cluster runs as when the tests run as root. */
export const POSTGRES_OS_USER = 'duban-pg';
export const POSTGRES_USER = 'duban';
/** The superuser's password; tests assert it never shows in an error or a log. */
export const POSTGRES_PASSWORD = 'pg-secret-Zq7';

export interface PostgresCluster {
  /** 127.0.0.1 port. */
  port: number;
  /** `postgres://duban:PASSWORD@127.0.0.1:PORT/DB` for an existing database (default `postgres`). */
  url(database?: string): string;
  /** A fresh, empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Runs SQL as the superuser on `database` (for tests that tamper with a store). */
  sql<R extends Record<string, unknown> = Record<string, unknown>>(database: string, text: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `command args…` as the cluster's owner: through runuser when we are root. */
function asOwner(command: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ['runuser', ['-u', POSTGRES_OS_USER, '--', command, ...args]] : [command, args];
}

let databases = 0;

/** Starts a cluster and waits until it accepts connections. */
export async function startPostgres(): Promise<PostgresCluster> {
  if (!existsSync(join(POSTGRES_BIN, 'initdb'))) {
    throw new Error(`No PostgreSQL 15 at ${POSTGRES_BIN}: run scripts/setup.sh (it installs postgresql-15).`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'duban-pg-'));
  const root = userInfo().uid === 0;
  if (root) {
    const owner = spawnSync('id', ['-u', POSTGRES_OS_USER], { encoding: 'utf8' });
    if (owner.status !== 0) throw new Error(`No user ${POSTGRES_OS_USER} to run PostgreSQL as: run scripts/setup.sh.`);
    const uid = Number(owner.stdout.trim());
    chownSync(dir, uid, -1);
  }
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${POSTGRES_PASSWORD}\n`, { mode: 0o644 });
  const data = join(dir, 'data');
  const [initdb, initArgs] = asOwner(join(POSTGRES_BIN, 'initdb'), [
    '-D', data, '-U', POSTGRES_USER, `--pwfile=${passwordFile}`,
    '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync',
  ]);
  const init = spawnSync(initdb, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }

  const port = await freePort();
  const [postgres, args] = asOwner(join(POSTGRES_BIN, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir,
    '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=100',
  ]);
  const child: ChildProcess = spawn(postgres, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (debug) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = (database = 'postgres') => `postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@127.0.0.1:${port}/${database}`;
  const withClient = async <T>(database: string, use: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: url(database) });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // SIGINT to the postmaster (pid in postmaster.pid) is a fast shutdown; runuser does not pass signals on.
    const pidFile = join(data, 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
    if (pid) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // Already gone.
      }
    } else {
      child.kill('SIGINT');
    }
    const timer = setTimeout(() => {
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when a real connection succeeds (the port opens before recovery has finished).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`postgres exited (${child.exitCode}) before it was ready:\n${log}`);
    }
    try {
      await withClient('postgres', (client) => client.query('SELECT 1'));
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`postgres not ready after 30 s (${String(error)}):\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return {
    port,
    url,
    async createDatabase(name) {
      databases += 1;
      const database = name ?? `duban_test_${process.pid}_${databases}`;
      await withClient('postgres', (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`));
      return url(database);
    },
    sql: (database, text, params = []) => withClient(database, async (client) => (await client.query(text, params)).rows),
    stop,
  };
}

/** One cluster for the test file (or `describe` block): started before the first test, stopped after the last. */
export function postgresPerFile(): () => PostgresCluster {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error('PostgreSQL is not started yet: read postgres() inside a test or hook.');
    return cluster;
  };
}

/** The database name at the end of a cluster URL. */
export function databaseOf(url: string): string {
  return new URL(url).pathname.slice(1);
}
