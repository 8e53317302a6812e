import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntryInput, NotificationInput, NotifierLogger } from '@duban/activities';
import type { Notice, NoticeKind, NoticeNames, NoticeTask, RungNotice } from '@duban/common';

let counter = 0;

/** What every activity input of task 3 starts with; the key is unique per call. */
function taskInput(what: string): Pick<AuditEntryInput, 'idempotencyKey' | 'at' | 'planId' | 'taskNumber' | 'workflowId'> {
  counter += 1;
  return {
    idempotencyKey: `duban-xihu-2020-task-3/${what}-${counter}`,
    at: '2020-09-01T09:00:00+08:00',
    planId: 'xihu-2020',
    taskNumber: 3,
    workflowId: 'duban-xihu-2020-task-3',
  };
}

/** A valid audit entry; `overrides` replace fields. Keys are unique per call unless given. */
export function auditEntry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    ...taskInput('event'),
    actor: 'chengguan-head',
    event: 'task.acknowledged',
    details: { note: '签收' },
    ...overrides,
  };
}

/** A valid notification (a 催办 by default); `overrides` replace fields. */
export function notification(overrides: Partial<NotificationInput> = {}): NotificationInput {
  return {
    ...taskInput('notify'),
    recipients: [{ unit: 'chengguan', role: 'lead' }],
    notice: NOTICES.reminder,
    ...overrides,
  };
}

const task: NoticeTask = {
  planId: 'xihu-2020',
  planTitle: '西湖区人居环境整治',
  taskNumber: 3,
  title: { zh: '河湖水环境整治', en: 'River and lake clean-up' },
};
const names: NoticeNames = {
  units: { chengguan: '区城管局', shuili: '区水利局', beishan: '北山街道' },
  people: { 'chengguan-head': '王建国', 'hq-director': '李明' },
};
/** 2021-01-01 00:00 in Asia/Shanghai: a deadline whose local date differs from its UTC date. */
export const DEADLINE = '2020-12-31T16:00:00.000Z';
const about = { task, names };
const rung: Omit<RungNotice, 'kind'> = { ...about, level: 1, reasons: ['behind-schedule'], percent: 40, light: 'yellow', deadlineAt: DEADLINE };

/** One notice of every kind, as workflow code builds them. */
export const NOTICES = {
  assignment: {
    ...about,
    kind: 'assignment',
    primaryLead: 'chengguan',
    assistingLeads: ['shuili'],
    responsible: ['beishan'],
    deadlineAt: DEADLINE,
    acknowledgementWindowMs: 48 * 3_600_000,
  },
  reminder: { ...rung, kind: 'reminder' },
  'supervision-notice': { ...rung, kind: 'supervision-notice', level: 2 },
  interview: { ...rung, kind: 'interview', level: 3, reasons: ['overdue'], light: 'red' },
  accountability: { ...rung, kind: 'accountability', level: 4, reasons: ['overdue', 'stalled'], light: 'red' },
  'review-requested': { ...about, kind: 'review-requested', submittedBy: 'chengguan-head', summary: '已完成清淤', reviewDueAt: DEADLINE },
  'review-overdue': { ...about, kind: 'review-overdue', submittedBy: 'chengguan-head', submittedAt: '2020-12-20T02:00:00.000Z', reviewDueAt: DEADLINE },
  returned: { ...about, kind: 'returned', reasons: ['缺少验收报告', '照片不清'] },
  commendation: { ...about, kind: 'commendation', score: 95 },
  'extension-requested': { ...about, kind: 'extension-requested', requestedBy: 'chengguan-head', deadlineAt: DEADLINE, reason: '汛期施工受阻' },
  'extension-decided': { ...about, kind: 'extension-decided', decision: 'approved', deadlineAt: DEADLINE, reason: '同意' },
  cancelled: { ...about, kind: 'cancelled', reason: '并入其他任务' },
  amended: { ...about, kind: 'amended', reason: '责任调整', deadlineAt: DEADLINE, primaryLead: 'shuili' },
  'notification-failed': {
    ...about,
    kind: 'notification-failed',
    undelivered: { kind: 'reminder', idempotencyKey: 'duban/xihu-2020/task-3:7:notify.reminder', at: DEADLINE, recipients: [{ person: 'chengguan-head', unit: 'chengguan' }, { unit: 'beishan' }] },
    reason: 'rejected',
    code: 'WEBHOOK_REJECTED',
  },
  'duty-due': { ...about, kind: 'duty-due', check: 'recurring:monthly-dispatch:2020-12-31', duty: 'dispatch', by: 'chengguan', dueAt: DEADLINE, label: '每月调度' },
  bulletin: {
    kind: 'bulletin',
    plan: { id: 'xihu-2020', title: '西湖区人居环境整治' },
    names,
    bulletin: {
      number: 3,
      at: '2020-12-27T01:00:00.000Z',
      periodStart: '2020-12-20T01:00:00.000Z',
      periodEnd: '2020-12-27T01:00:00.000Z',
      overdue: [{ rank: 1, unit: 'chengguan', tasks: [{ taskNumber: 3, title: '河湖水环境整治', light: 'red', percent: 40, deadlineAt: DEADLINE, escalationLevel: 3 }] }],
      atRisk: [{ rank: 1, unit: 'shuili', tasks: [{ taskNumber: 5, title: '污水管网改造', light: 'yellow', percent: 55, deadlineAt: DEADLINE, escalationLevel: 1 }] }],
      escalationsOpened: [{ taskNumber: 3, unit: 'chengguan', at: '2020-12-22T01:00:00.000Z' }],
      escalationsClosed: [],
      totals: { tasks: 12, green: 9, yellow: 1, red: 1, approved: 1, cancelled: 0 },
    },
  },
} satisfies Record<NoticeKind, Notice>;

/** The error a promise rejects with, checked to be of `type` (it fails the test if the promise resolves). */
export async function rejectionOf<E>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
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
