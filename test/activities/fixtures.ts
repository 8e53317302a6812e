import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntryInput, NotificationInput, NotifierLogger } from '@duban/activities';

let counter = 0;

/** A valid audit entry; `overrides` replace fields. Keys are unique per call unless given. */
export function auditEntry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  counter += 1;
  return {
    idempotencyKey: `duban-xihu-2020-task-3/event-${counter}`,
    at: '2020-09-01T09:00:00+08:00',
    planId: 'xihu-2020',
    taskNumber: 3,
    workflowId: 'duban-xihu-2020-task-3',
    actor: 'chengguan-head',
    event: 'task.acknowledged',
    details: { note: '签收' },
    ...overrides,
  };
}

export function notification(overrides: Partial<NotificationInput> = {}): NotificationInput {
  counter += 1;
  return {
    idempotencyKey: `duban-xihu-2020-task-3/notify-${counter}`,
    at: '2020-09-01T09:00:00+08:00',
    planId: 'xihu-2020',
    taskNumber: 3,
    workflowId: 'duban-xihu-2020-task-3',
    kind: 'reminder',
    recipients: [{ unit: 'chengguan', role: 'lead' }],
    subject: '催办: 河湖水环境整治',
    body: 'Task 3 is behind its expected progress.',
    ...overrides,
  };
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'duban-activities-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1. `answer` decides each response from the number of
 * requests seen so far (1-based); returning `'hang'` never answers.
 */
export async function startWebhook(
  answer: (n: number, req: ReceivedRequest) => { status: number; headers?: Record<string, string>; body?: string } | 'hang' = () => ({ status: 200 }),
): Promise<{ url: string; requests: ReceivedRequest[]; close: () => Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      const reply = answer(requests.length, received);
      if (reply === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/duban`,
    requests,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A logger that keeps what it was given, to assert on and to check nothing secret leaks. */
export function memoryLogger(): NotifierLogger & { lines: Array<{ level: string; message: string; meta?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; meta?: Record<string, unknown> }> = [];
  return {
    lines,
    info: (message, meta) => lines.push({ level: 'info', message, ...(meta === undefined ? {} : { meta }) }),
    warn: (message, meta) => lines.push({ level: 'warn', message, ...(meta === undefined ? {} : { meta }) }),
  };
}
