/**
 * The body of a SQLite audit store's writer thread (`SqliteWriterThread`): its own
 * connection (WAL, `synchronous = FULL`), the entries that arrived while the last commit
 * ran inserted together in one transaction, one answer per entry once it is committed.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { AUDIT_INSERT_SQL, openSqliteDatabase, type AuditInsertRow, type SqliteDatabase } from './sqlite';
import type { WriterReply, WriterRequest } from './sqlite-writer';

type Append = Extract<WriterRequest, { type: 'append' }>;

function errorOf(err: unknown): { message: string; code?: string } {
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  return { message: err instanceof Error ? err.message : String(err), ...(code === undefined ? {} : { code }) };
}

function main(port: NonNullable<typeof parentPort>): void {
  const send = (reply: WriterReply) => port.postMessage(reply);
  const { file, busyTimeoutMs } = workerData as { file: string; busyTimeoutMs: number };
  let db: SqliteDatabase;
  try {
    db = openSqliteDatabase(file, { busyTimeoutMs });
  } catch (err) {
    send({ type: 'open-failed', error: errorOf(err) });
    return;
  }
  const insert = db.prepare(AUDIT_INSERT_SQL);
  const insertOne = (row: AuditInsertRow) => insert.run({ ...row, recordedAt: new Date().toISOString() }).changes === 1;
  const insertAll = db.transaction((rows: AuditInsertRow[]) => rows.map(insertOne));
  send({ type: 'ready', journalMode: String(db.pragma('journal_mode', { simple: true })), synchronous: String(db.pragma('synchronous', { simple: true })) });

  const write = (batch: Append[]) => {
    try {
      // One commit, one fsync, for every entry that arrived meanwhile.
      const inserted = insertAll(batch.map((a) => a.row));
      batch.forEach((a, i) => send({ type: 'appended', id: a.id, inserted: inserted[i] === true }));
    } catch {
      // The batch rolled back: each entry alone, so one that cannot be written does not fail the others.
      for (const a of batch) {
        try {
          send({ type: 'appended', id: a.id, inserted: insertAll([a.row])[0] === true });
        } catch (err) {
          send({ type: 'failed', id: a.id, error: errorOf(err) });
        }
      }
    }
  };

  port.on('message', (first: WriterRequest) => {
    const batch: Append[] = [];
    let closing = false;
    for (let request: WriterRequest | undefined = first; request !== undefined; request = (receiveMessageOnPort(port)?.message as WriterRequest | undefined)) {
      if (request.type === 'close') {
        closing = true;
        break;
      }
      batch.push(request);
    }
    if (batch.length > 0) write(batch);
    if (closing) {
      db.close();
      port.close();
    }
  });
}

if (parentPort) main(parentPort);
