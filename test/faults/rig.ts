/**
 * What the fault suite breaks: a Temporal dev server on a SQLite file (killed with
 * SIGKILL and started again on the same file and port), duban worker processes (killed
 * with SIGKILL and replaced), the audit store (locked by another connection), and the
 * webhook (see `webhook.ts`). Every fault is counted here, by type, for the figures.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_NAMESPACE, ENV } from '@duban/common';
import { freePort, startDevServer, type RunningDevServer } from '@duban/servers';
import { debug, installRuntime, temporaryDirectory, workflowBundle } from '../harness';
import { spawnWorker, type WorkerProcess } from '../worker/worker-process';
import type { AuditBackend } from './stores';
import { FaultyWebhook } from './webhook';

/** Faults injected, by type: the figures' first line. */
export interface FaultCounts {
  workerSigkill: number;
  serverSigkill: number;
  webhook500: number;
  webhook400: number;
  webhookSlow: number;
  auditStoreLocked: number;
  auditRowAltered: number;
}

/** A span of time something was down: a worker killed until its replacement polled, the server killed until healthy again. */
export interface Outage {
  what: 'worker' | 'server' | 'audit store';
  fromMs: number;
  toMs: number;
}

export class FaultRig {
  readonly faults: FaultCounts = { workerSigkill: 0, serverSigkill: 0, webhook500: 0, webhook400: 0, webhookSlow: 0, auditStoreLocked: 0, auditRowAltered: 0 };
  /** Every outage the faults caused, in order. */
  readonly outages: Outage[] = [];
  /** Worker processes that ended without being killed by the suite (they must not). */
  readonly unexpectedExits: string[] = [];
  private server: RunningDevServer | undefined;
  private readonly workers: WorkerProcess[] = [];
  private stopping = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly dbFilename: string,
    readonly audit: AuditBackend,
    readonly webhook: FaultyWebhook,
    private readonly workerEnv: Record<string, string>,
    readonly connection: Connection,
    readonly client: Client,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the dev server on a file, the webhook and a client; no worker yet. `audit` gets the rig's directory. */
  static async start(audit: (dir: string) => Promise<AuditBackend>): Promise<FaultRig> {
    installRuntime();
    const dir = temporaryDirectory('duban-faults-');
    const port = await freePort();
    const dbFilename = join(dir, 'temporal', 'temporal.sqlite');
    const backend = await audit(dir);
    const webhook = await FaultyWebhook.start();
    // Bundled once per jest run; every worker process loads the file instead of bundling again.
    const bundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await workflowBundle()).code);
    const server = await startServer(port, dbFilename);
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: DEFAULT_NAMESPACE });
    const workerEnv: Record<string, string> = {
      [ENV.address]: server.address,
      [ENV.namespace]: DEFAULT_NAMESPACE,
      [ENV.webhookUrl]: webhook.url,
      [ENV.workflowBundle]: bundlePath,
      ...backend.workerEnv,
    };
    const rig = new FaultRig(dir, port, dbFilename, backend, webhook, workerEnv, connection, client);
    rig.server = server;
    return rig;
  }

  /** A new worker process, once it polls. */
  async startWorker(): Promise<WorkerProcess> {
    const worker = await spawnWorker(this.workerEnv);
    this.workers.push(worker);
    void worker.exited.then(({ code, signal }) => {
      if (!this.stopping && signal !== 'SIGKILL') this.unexpectedExits.push(`worker ${worker.child.pid} exited (code ${code}, signal ${signal}):\n${worker.output().slice(-2000)}`);
    });
    return worker;
  }

  /** The worker polling now. */
  get worker(): WorkerProcess {
    const alive = this.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    const worker = alive[alive.length - 1];
    if (!worker) throw new Error('No worker process is running.');
    return worker;
  }

  /** SIGKILL to the running worker process, then a new one (the gap between is the outage). */
  async killWorker(): Promise<void> {
    const victim = this.worker;
    const fromMs = Date.now();
    victim.child.kill('SIGKILL');
    const ended = await victim.exited;
    if (ended.signal !== 'SIGKILL') throw new Error(`The worker ended with ${JSON.stringify(ended)} instead of SIGKILL.`);
    this.faults.workerSigkill += 1;
    await this.startWorker();
    this.outages.push({ what: 'worker', fromMs, toMs: Date.now() });
  }

  /** SIGKILL to the dev server; `downMs` later it starts again on the same SQLite file and port. */
  async killServer(downMs: number): Promise<void> {
    const server = this.server;
    if (!server) throw new Error('The dev server is not running.');
    const exited = new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
    const fromMs = Date.now();
    server.process.kill('SIGKILL');
    await exited;
    this.server = undefined;
    this.faults.serverSigkill += 1;
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.server = await startServer(this.port, this.dbFilename);
    this.outages.push({ what: 'server', fromMs, toMs: Date.now() });
  }

  /** Holds the audit store's write lock from another connection for `ms` (see `stores.ts`); resolves once released. */
  async lockAuditStore(ms: number): Promise<void> {
    const fromMs = Date.now();
    this.faults.auditStoreLocked += 1;
    await this.audit.lock(ms);
    this.outages.push({ what: 'audit store', fromMs, toMs: Date.now() });
  }

  /** The total length of the outages of one kind. */
  outageMs(what: Outage['what']): number {
    return this.outages.filter((o) => o.what === what).reduce((sum, o) => sum + o.toMs - o.fromMs, 0);
  }

  /** Stops everything the rig started, ending the worker processes first. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const w of this.workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    // A worker drains its running activities first; one stuck on a hanging webhook request is not waited for long.
    const killer = setTimeout(() => this.workers.forEach((w) => w.child.kill('SIGKILL')), 15_000);
    await Promise.all(this.workers.map((w) => w.exited));
    clearTimeout(killer);
    await this.connection.close().catch(() => undefined);
    await this.server?.stop();
    await this.webhook.close();
  }
}

function startServer(port: number, dbFilename: string): Promise<RunningDevServer> {
  return startDevServer({ port, uiPort: false, dbFilename, log: debug ? 'inherit' : 'ignore' });
}
