/**
 * The SQLite audit store's writes, off the worker's event loop: one `worker_threads`
 * thread per store holds its own connection to the file and inserts the entries it is
 * sent, every entry that arrived meanwhile in one transaction (group commit).
 *
 * Durability: the thread's connection keeps `synchronous = FULL` in WAL mode, so a commit
 * is on disk (the WAL fsynced) before it returns, and `append` resolves only after the
 * commit: an entry the activity acknowledged to Temporal survives a killed worker process,
 * an OS crash and a power loss. (With `NORMAL` an acknowledged entry could vanish in a
 * power loss, and Temporal, which recorded the activity as done, would never retry it: a
 * hole in the trail and in its hash chain.) The fsync, 3–4 ms on the development machines,
 * was paid on the worker's only JS thread before; now the thread waits, and entries that
 * arrive while it waits share the next fsync.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ActivityErrorCode, AuditStoreError } from './errors';
import { sqliteFailure, type AuditInsertRow } from './sqlite';

/** Sent to the thread. */
export type WriterRequest = { type: 'append'; id: number; row: AuditInsertRow } | { type: 'close' };

/** Sent back by the thread. */
export type WriterReply =
  | { type: 'ready'; journalMode: string; synchronous: string }
  | { type: 'appended'; id: number; inserted: boolean }
  | { type: 'failed'; id: number; error: { message: string; code?: string } }
  | { type: 'open-failed'; error: { message: string; code?: string } };

/** How the store's writes reach the disk: what the worker logs and the tests check. */
export interface SqliteDurability {
  journalMode: string;
  /** `full`: a commit is fsynced before the append resolves. */
  synchronous: string;
  /** Where the writes run: a thread of their own, or (`:memory:`) inline. */
  writer: 'thread' | 'inline';
}

interface Pending {
  resolve(inserted: boolean): void;
  reject(error: unknown): void;
}

const SYNCHRONOUS_NAMES: Record<string, string> = { '0': 'off', '1': 'normal', '2': 'full', '3': 'extra' };

/** The error the thread sent, as an error with its SQLite code, for {@link sqliteFailure}. */
function rebuilt({ message, code }: { message: string; code?: string }): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

/**
 * The writer thread of one database file. Started on the first append; holds the process
 * open only while entries are in flight. Messages are handled in order, so entries reach
 * the file in the order `append` was called (the audit lane's chain order).
 */
export class SqliteWriterThread {
  private worker: Worker | undefined;
  private ready: Promise<SqliteDurability> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs: number,
  ) {}

  /** Inserts the row (unless its idempotency key is stored); resolves once it is committed. */
  async append(row: AuditInsertRow): Promise<boolean> {
    if (this.closed) {
      throw new AuditStoreError(ActivityErrorCode.AUDIT_STORE_CLOSED, `Could not append an audit entry to ${this.file}: the store was closed.`, this.file);
    }
    const worker = this.start();
    const id = this.nextId++;
    const inserted = new Promise<boolean>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    worker.ref();
    worker.postMessage({ type: 'append', id, row } satisfies WriterRequest);
    return inserted;
  }

  /** The thread's journal mode and sync setting, as its connection reports them. */
  durability(): Promise<SqliteDurability> {
    this.start();
    return this.ready ?? Promise.reject(new Error('the writer thread did not start'));
  }

  /** Lets the entries sent so far be written, then ends the thread. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage({ type: 'close' } satisfies WriterRequest);
    await exited;
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(join(__dirname, 'sqlite-writer-thread.js'), { workerData: { file: this.file, busyTimeoutMs: this.busyTimeoutMs } });
    worker.unref();
    this.worker = worker;
    this.ready = new Promise<SqliteDurability>((resolve, reject) => {
      worker.on('message', (reply: WriterReply) => {
        switch (reply.type) {
          case 'ready':
            resolve({ journalMode: reply.journalMode, synchronous: SYNCHRONOUS_NAMES[reply.synchronous] ?? reply.synchronous, writer: 'thread' });
            return;
          case 'open-failed':
            reject(sqliteFailure(rebuilt(reply.error), this.file, 'open the audit database'));
            return;
          case 'appended':
            this.settle(reply.id, (p) => p.resolve(reply.inserted));
            return;
          case 'failed':
            this.settle(reply.id, (p) => p.reject(sqliteFailure(rebuilt(reply.error), this.file, 'append an audit entry to')));
            return;
        }
      });
    });
    // Nobody may be waiting for `ready`: its failure reaches the appends through `exit`.
    this.ready.catch(() => undefined);
    worker.on('error', (err) => this.failAll(sqliteFailure(err, this.file, 'append an audit entry to')));
    worker.on('exit', () => {
      this.failAll(new AuditStoreError(ActivityErrorCode.AUDIT_STORE_UNAVAILABLE, `Could not append an audit entry to ${this.file}: its writer thread stopped.`, this.file));
      // A thread that died is started again by the next append (a closed store stays closed).
      if (this.worker === worker) this.worker = undefined;
    });
    return worker;
  }

  private settle(id: number, how: (pending: Pending) => void): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    how(pending);
    // Idle: the thread no longer keeps the process alive.
    if (this.pending.size === 0) this.worker?.unref();
  }

  private failAll(error: unknown): void {
    for (const [id, pending] of [...this.pending]) {
      this.pending.delete(id);
      pending.reject(error);
    }
  }
}
