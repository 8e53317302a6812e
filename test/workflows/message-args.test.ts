/**
 * One definition per message argument: the workflow checks the form with plain functions
 * (`parseArgs`, no zod in the workflow bundle), clients with the zod schema derived from
 * the same form (`messageArgSchemas`). The two must give the same verdict, the same
 * parsed value and the same issues.
 */
import { messageArgSchemas, parseMessageArgs, TASK_MESSAGES, type MessageName } from '@duban/workflows';
import { workflowBundle } from '../harness';

const proof = { signer: 'chengjian-head', keyId: 'ab12', issuedAt: '2026-05-01T09:30:00+08:00', signature: 'ff'.repeat(64) };

/** Arguments each message should take or refuse, as senders get them wrong. */
const CASES: Array<[MessageName, unknown]> = [
  ['acknowledge', { requestId: 'r-1', actor: 'chengjian-staff' }],
  ['acknowledge', { requestId: '  r-1  ', actor: ' chengjian-staff ', note: '  收到  ', extra: 'dropped' }],
  ['acknowledge', { requestId: 'r-1', actor: 'chengjian-staff', proof }],
  ['acknowledge', { requestId: 'r-1', actor: 'chengjian-staff', proof: { ...proof, breakGlass: { reason: '出差' } } }],
  ['acknowledge', { requestId: 'r-1', actor: 'chengjian-staff', proof: { ...proof, keyId: 'not hex', issuedAt: '2026-05-01' } }],
  ['acknowledge', { requestId: '   ', actor: 5 }],
  ['acknowledge', { actor: 'chengjian-staff' }],
  ['acknowledge', 'acknowledge'],
  ['acknowledge', null],
  ['acknowledge', ['r-1']],
  ['reportProgress', { requestId: 'r-2', actor: 'chengjian-staff', percent: 40, note: '过半', evidence: ['https://example.org/a'] }],
  ['reportProgress', { requestId: 'r-2', actor: 'chengjian-staff', percent: 40.5, note: '过半' }],
  ['reportProgress', { requestId: 'r-2', actor: 'chengjian-staff', percent: 101, note: '' }],
  ['reportProgress', { requestId: 'r-2', actor: 'chengjian-staff', percent: -1, note: 'x', evidence: ['ftp://example.org/a', 'https://ok.example.org'] }],
  ['reportProgress', { requestId: 'r-2', actor: 'chengjian-staff', percent: '40', note: 'x', evidence: 'https://example.org/a' }],
  ['reportProgress', { requestId: 'r-2', actor: 'chengjian-staff', percent: 40, note: 'x'.repeat(5000) }],
  ['submit', { requestId: 'r-3', actor: 'chengjian-head', summary: '牵头汇总' }],
  ['submit', { requestId: 'r 3', actor: 'chengjian-head', summary: '牵头汇总' }],
  ['review', { requestId: 'r-4', actor: 'supervisor-1', decision: 'approve', score: 92, note: '提前完成' }],
  ['review', { requestId: 'r-4', actor: 'supervisor-1', decision: 'return', reasons: ['证据不足'] }],
  ['review', { requestId: 'r-4', actor: 'supervisor-1', decision: 'return', reasons: [] }],
  ['review', { requestId: 'r-4', actor: 'supervisor-1', decision: 'approve', score: -3 }],
  ['review', { requestId: 'r-4', actor: 'supervisor-1', decision: 'maybe', score: 90 }],
  ['review', { requestId: 'r-4', actor: 'supervisor-1' }],
  ['requestExtension', { requestId: 'r-5', actor: 'chengjian-head', deadlineAt: '2027-03-01T00:00:00Z', reason: '雨季' }],
  ['requestExtension', { requestId: 'r-5', actor: 'chengjian-head', deadlineAt: '2027-02-29T00:00:00+08:00', reason: '雨季' }],
  ['requestExtension', { requestId: 'r-5', actor: 'chengjian-head', deadlineAt: '2027-03-01T08:00:00.123+08:00', reason: '雨季' }],
  ['requestExtension', { requestId: 'r-5', actor: 'chengjian-head', deadlineAt: '2027-03-01T08:00:00', reason: '雨季' }],
  ['decideExtension', { requestId: 'r-6', actor: 'hq-1', decision: 'approve' }],
  ['decideExtension', { requestId: 'r-6', actor: 'hq-1', decision: 'approve', deadlineAt: '2027-04-01T00:00:00Z', reason: '同意' }],
  ['decideExtension', { requestId: 'r-6', actor: 'hq-1', decision: 'refuse' }],
  ['cancel', { requestId: 'r-7', actor: 'hq-1', reason: '计划调整' }],
  ['cancel', { requestId: 'r-7', actor: 'hq-1', reason: ' ' }],
];

const sorted = (issues: Array<{ path: PropertyKey[]; message: string }>) => issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).sort();

describe.each(CASES)('%s %j', (name, raw) => {
  test('the workflow and the client agree on it', () => {
    const message = TASK_MESSAGES.find((m) => m.name === name);
    if (!message) throw new Error(`no message ${name}`);
    const inWorkflow = parseMessageArgs(message, raw, { limits: true });
    const inClient = messageArgSchemas[name].safeParse(raw);
    expect(inWorkflow.success).toBe(inClient.success);
    if (inWorkflow.success && inClient.success) expect(inWorkflow.data).toEqual(inClient.data);
    if (!inWorkflow.success && !inClient.success) expect(sorted(inWorkflow.issues)).toEqual(sorted(inClient.error.issues));
  });
});

test('the forms trim texts and drop unknown keys, as the handler relies on', () => {
  const message = TASK_MESSAGES.find((m) => m.name === 'acknowledge');
  if (!message) throw new Error('no acknowledge');
  expect(parseMessageArgs(message, { requestId: ' r ', actor: ' a ', note: ' n ', extra: 1 }, { limits: false })).toEqual({
    success: true,
    data: { requestId: 'r', actor: 'a', note: 'n' },
  });
});

test('the workflow bundle carries no zod', async () => {
  const { code } = await workflowBundle();
  const modules = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"$/gm)].map((m) => m[1] ?? '');
  expect(modules.length).toBeGreaterThan(50);
  expect(modules.filter((m) => /node_modules\/zod\//.test(m))).toEqual([]);
});
