/**
 * `verifyAuditTrail` over chains built with `linkAuditEntry`, as a store returns them,
 * then tampered with the way a person with write access to the store could: a row
 * altered (with or without its hash recomputed), deleted, inserted or moved. Each time
 * the verifier names the first row at fault, and only in the chain that was touched.
 */
import { InMemoryAuditStore, verifyAuditTrail, type AuditChainReference, type AuditEntryInput, type AuditRecord } from '@duban/activities';
import { AUDIT_CHAIN_GENESIS, auditEntryHash, linkAuditEntry } from '@duban/identity';
import { TASK_EVENTS, chainOf } from './chains';

const TASK_3 = 'duban/xihu-2020/task-3';
const TASK_4 = 'duban/xihu-2020/task-4';

/** The entries as a store gives them back: ids in insertion order, the two chains interleaved. */
async function stored(...chains: AuditEntryInput[][]): Promise<AuditRecord[]> {
  const store = new InMemoryAuditStore();
  const longest = Math.max(...chains.map((c) => c.length));
  for (let i = 0; i < longest; i += 1) for (const chain of chains) if (chain[i]) await store.append(chain[i] as AuditEntryInput);
  const records = await store.list();
  await store.close();
  return records;
}

function rowOf(records: AuditRecord[], workflowId: string, seq: number): AuditRecord {
  const row = records.find((r) => r.workflowId === workflowId && r.chain?.seq === seq);
  if (!row) throw new Error(`no row ${workflowId} seq ${seq}`);
  return row;
}

function problemOf(records: AuditRecord[], references?: Map<string, AuditChainReference>, workflowId = TASK_3) {
  return verifyAuditTrail(records, references).chains.find((c) => c.workflowId === workflowId)?.problem;
}

/** The head a workflow would report for `entries`. */
function headOf(entries: AuditEntryInput[]): { seq: number; hash: string } {
  const last = entries[entries.length - 1]?.chain;
  if (!last) throw new Error('no chain');
  return { seq: last.seq, hash: last.hash };
}

let task3: AuditEntryInput[];
let task4: AuditEntryInput[];
let records: AuditRecord[];
beforeEach(async () => {
  task3 = chainOf(TASK_3, TASK_EVENTS);
  task4 = chainOf(TASK_4, TASK_EVENTS, { taskNumber: 4 });
  records = await stored(task3, task4);
});

test('untouched chains are whole, with every entry counted and each chain\'s last link reported', () => {
  const report = verifyAuditTrail(records, new Map([[TASK_3, { head: headOf(task3) }]]));
  expect(report).toMatchObject({ ok: true, entries: 10, linked: 10, unlinked: 0 });
  expect(report.chains.map((c) => [c.workflowId, c.linked, c.last?.seq, c.problem])).toEqual([
    [TASK_3, 5, 5, undefined],
    [TASK_4, 5, 5, undefined],
  ]);
  expect(report.chains[0]?.compared).toEqual({ head: true, history: false });
});

test('entries written before chains existed are unverifiable, not errors, and the chain after them verifies', async () => {
  const legacy = chainOf(TASK_3, TASK_EVENTS, { unlinked: 2 });
  expect(legacy[2]?.chain?.prevHash).toBe(AUDIT_CHAIN_GENESIS);
  const report = verifyAuditTrail(await stored(legacy));
  expect(report).toMatchObject({ ok: true, linked: 3, unlinked: 2 });
});

test('a reviewer and score changed in place: the row is named as altered, its content no longer matching its hash', () => {
  const approved = rowOf(records, TASK_3, 5);
  approved.details = { ...approved.details, reviewer: 'supervisor-2', score: 100 };
  const report = verifyAuditTrail(records);
  expect(report.ok).toBe(false);
  expect(report.chains[0]).toMatchObject({
    workflowId: TASK_3,
    problem: { kind: 'altered', reason: 'content', row: { id: approved.id, seq: 5, idempotencyKey: `${TASK_3}:5:review.approved`, event: 'review.approved' } },
  });
  // The other chain is untouched and says so.
  expect(report.chains.find((c) => c.workflowId === TASK_4)?.problem).toBeUndefined();
});

test('the actor changed and the row\'s hash recomputed to match: the next row still points to the original, so the altered row is named', () => {
  const acknowledged = rowOf(records, TASK_3, 2);
  acknowledged.actor = 'someone-else';
  if (!acknowledged.chain) throw new Error('no chain');
  acknowledged.chain.hash = auditEntryHash(2, acknowledged.chain.prevHash, acknowledged);
  expect(problemOf(records)).toMatchObject({ kind: 'altered', reason: 'rehashed', row: { id: acknowledged.id, seq: 2 }, other: { seq: 3 } });
});

test('a middle row deleted: the missing seq is named, with the row after the gap', () => {
  const reported = rowOf(records, TASK_3, 3);
  const after = rowOf(records, TASK_3, 4);
  expect(problemOf(records.filter((r) => r !== reported))).toEqual({
    kind: 'deleted',
    reason: 'gap',
    row: expect.objectContaining({ id: after.id, seq: 4 }),
    other: expect.objectContaining({ seq: 2 }),
    missing: { from: 3, to: 3 },
  });
});

test('the first row deleted: the chain no longer begins at its start', () => {
  const assigned = rowOf(records, TASK_3, 1);
  expect(problemOf(records.filter((r) => r !== assigned))).toMatchObject({ kind: 'deleted', reason: 'start', row: { seq: 2 }, missing: { to: 1 } });
});

test('the last row deleted: invisible in the links alone, named as a cut-off tail against the workflow\'s head', () => {
  const approved = rowOf(records, TASK_3, 5);
  const cut = records.filter((r) => r !== approved);
  // The links alone cannot tell a deleted last entry from one never written.
  expect(problemOf(cut)).toBeUndefined();
  expect(problemOf(cut, new Map([[TASK_3, { head: headOf(task3) }]]))).toMatchObject({
    kind: 'truncated',
    reason: 'head',
    row: { seq: 4 },
    missing: { from: 5, to: 5 },
    expected: { seq: 5, hash: headOf(task3).hash },
  });
  // And against the history, which shows it written.
  const history = { links: task3.map((e) => e.chain).filter((c) => c !== undefined), written: [1, 2, 3, 4, 5] };
  expect(problemOf(cut, new Map([[TASK_3, { history }]]))).toMatchObject({ kind: 'truncated', reason: 'history', missing: { from: 5, to: 5 } });
});

test('a forged row that copies a real row\'s link under a new key is named as inserted, repeating that seq', () => {
  const approved = rowOf(records, TASK_3, 5);
  const forged: AuditRecord = { ...approved, id: 99, idempotencyKey: `${TASK_3}:5:review.approved#2`, details: { ...approved.details, score: 60 } };
  expect(problemOf([...records, forged])).toMatchObject({ kind: 'inserted', reason: 'duplicate', row: { id: 99, seq: 5 }, other: { id: approved.id } });
});

test('a forged row without a link after the chain began is named as inserted, not counted as a legacy entry', () => {
  const { chain: _chain, ...approved } = rowOf(records, TASK_3, 5);
  const forged: AuditRecord = { ...approved, id: 99, idempotencyKey: 'forged', event: 'review.approved', details: { score: 100 } };
  const report = verifyAuditTrail([...records, forged]);
  expect(report.chains[0]?.problem).toMatchObject({ kind: 'inserted', reason: 'unlinked', row: { id: 99, idempotencyKey: 'forged' } });
  expect(report.chains[0]?.problem?.row?.seq).toBeUndefined();
});

test('a forged row with a valid link slipped in between two rows is named, and the row that belongs there too', () => {
  const submitted = rowOf(records, TASK_3, 4);
  const reported = rowOf(records, TASK_3, 3);
  // Someone who knows the hash function links a fake seq 4 after seq 3 and gives it an id before the real one.
  const fake = { ...submitted, actor: 'impostor', idempotencyKey: `${TASK_3}:4:task.submitted-fake` };
  const chain = linkAuditEntry(reported.chain, fake, 4);
  const forged: AuditRecord = { ...fake, chain, id: reported.id + 0.5 };
  expect(problemOf([...records, forged])).toMatchObject({ kind: 'inserted', reason: 'forged', row: { idempotencyKey: fake.idempotencyKey }, other: { id: submitted.id } });
});

test('a forged row linked after the last one: named against the workflow\'s head and against its history', () => {
  const approved = rowOf(records, TASK_3, 5);
  const extra = { ...approved, idempotencyKey: `${TASK_3}:6:review.approved`, details: { score: 100 } };
  const forged: AuditRecord = { ...extra, id: 99, chain: linkAuditEntry(approved.chain, extra, 6) };
  const tampered = [...records, forged];
  expect(problemOf(tampered)).toBeUndefined();
  expect(problemOf(tampered, new Map([[TASK_3, { head: headOf(task3) }]]))).toMatchObject({ kind: 'inserted', reason: 'head', row: { id: 99, seq: 6 }, expected: { seq: 5 } });
  const history = { links: task3.map((e) => e.chain).filter((c) => c !== undefined), written: [1, 2, 3, 4, 5] };
  expect(problemOf(tampered, new Map([[TASK_3, { history }]]))).toMatchObject({ kind: 'inserted', reason: 'history', row: { id: 99 }, expected: { seq: 5 } });
});

test('two rows swapped (each keeps its id, the contents trade places): named as reordered', () => {
  const reported = rowOf(records, TASK_3, 3);
  const submitted = rowOf(records, TASK_3, 4);
  const swapped = records.map((r) => (r === reported ? { ...submitted, id: reported.id } : r === submitted ? { ...reported, id: submitted.id } : r));
  expect(problemOf(swapped)).toMatchObject({ kind: 'reordered', reason: 'order', row: { id: reported.id, seq: 4 }, other: { id: submitted.id, seq: 3 } });
});

test('a whole tail rewritten with consistent links: the first rewritten row is named against the history, the last against the head', () => {
  // Rewrite seq 3..5 with another note and recompute every link after it.
  let prev = rowOf(records, TASK_3, 2).chain;
  for (const seq of [3, 4, 5]) {
    const row = rowOf(records, TASK_3, seq);
    row.details = { ...row.details, note: 'rewritten' };
    row.chain = linkAuditEntry(prev, row, seq);
    prev = row.chain;
  }
  expect(problemOf(records)).toBeUndefined();
  const history = { links: task3.map((e) => e.chain).filter((c) => c !== undefined), written: [1, 2, 3, 4, 5] };
  expect(problemOf(records, new Map([[TASK_3, { history, head: headOf(task3) }]]))).toMatchObject({
    kind: 'altered',
    reason: 'history',
    row: { seq: 3 },
    expected: { seq: 3, hash: task3[2]?.chain?.hash },
  });
  expect(problemOf(records, new Map([[TASK_3, { head: headOf(task3) }]]))).toMatchObject({ kind: 'altered', reason: 'head', row: { seq: 5 } });
});

test('a workflow whose every row was deleted is still reported, from its head', () => {
  const report = verifyAuditTrail(
    records.filter((r) => r.workflowId !== TASK_4),
    new Map([[TASK_4, { planId: 'xihu-2020', taskNumber: 4, head: headOf(task4) }]]),
  );
  expect(report.ok).toBe(false);
  expect(report.chains[0]).toMatchObject({ workflowId: TASK_4, planId: 'xihu-2020', taskNumber: 4, linked: 0, problem: { kind: 'truncated', reason: 'head', missing: { to: 5 } } });
  expect(report.chains[0]?.problem?.row).toBeUndefined();
});

test('only the first problem of a chain is named, and broken chains come first', () => {
  const task4Assigned = rowOf(records, TASK_4, 2);
  task4Assigned.details = { note: 'changed' };
  const task4Approved = rowOf(records, TASK_4, 5);
  const report = verifyAuditTrail(records.filter((r) => r !== task4Approved));
  expect(report.chains.map((c) => c.workflowId)).toEqual([TASK_4, TASK_3]);
  expect(report.chains[0]?.problem).toMatchObject({ kind: 'altered', row: { seq: 2 } });
});
