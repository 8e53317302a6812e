/**
 * `audit verify` as a pure function: the records of a store, grouped by chain (workflow
 * ID), checked against their own hash links and, where the caller could reach them,
 * against what the workflows say they wrote (the head of each chain, the `appendAudit`
 * inputs in their histories). It names the first row of each broken chain; the CLI puts
 * the words to it.
 */
import { AUDIT_CHAIN_GENESIS, auditEntryHash, type AuditLink } from '@duban/identity';
import type { AuditRecord } from './audit-store';

/** What happened to a chain, as a person would say it. */
export type AuditProblemKind = 'altered' | 'deleted' | 'inserted' | 'reordered' | 'truncated';

/**
 * How the problem shows, which picks the sentence people read:
 * - `content`: the row's fields no longer match its own hash;
 * - `rehashed`: the row's hash was recomputed after a change (the next row still points to the old one);
 * - `history`: the row (or the missing rows) differ from the `appendAudit` inputs in the workflow history;
 * - `head`: the chain's end differs from the head the workflow reports;
 * - `gap`: seqs are missing between two rows;
 * - `start`: the chain does not begin at its first entry;
 * - `duplicate`: the row repeats a seq another row holds;
 * - `forged`: the row takes a place in the chain that another row fits;
 * - `unlinked`: a row without a link, stored after the chain began;
 * - `order`: the row is stored before a row of a lower seq.
 */
export type AuditProblemReason = 'content' | 'rehashed' | 'history' | 'head' | 'gap' | 'start' | 'duplicate' | 'forged' | 'unlinked' | 'order';

/** A stored row, as a person finds it again: row id, idempotency key, seq. */
export interface AuditRowRef {
  id: number;
  idempotencyKey: string;
  /** Absent for a row without a link. */
  seq?: number;
  event: string;
  at: string;
}

/** The first thing wrong with a chain. */
export interface AuditChainProblem {
  kind: AuditProblemKind;
  reason: AuditProblemReason;
  /** The row to look at; absent when the chain has no stored row at all. */
  row?: AuditRowRef;
  /** The row on the other side: the next row, the row it duplicates, the row it was stored before. */
  other?: AuditRowRef;
  /** The seqs missing (`from` absent when the chain's start is unknown). */
  missing?: { from?: number; to: number };
  /** What the workflow says, when its history or head was asked: the seq (and hash) it wrote there, or its chain's end. */
  expected?: { seq: number; hash?: string };
}

/** What the workflow says about its chain, when the caller could ask it. */
export interface AuditChainReference {
  planId?: string;
  taskNumber?: number;
  /** The chain's head: `auditChain` of the workflow's state query (or the last link its history wrote). */
  head?: { seq: number; hash: string };
  /**
   * The `appendAudit` inputs in the workflow's history (this run and the runs before it
   * that could be fetched): every link scheduled, and the seqs whose activity completed,
   * which the store must hold.
   */
  history?: { links: readonly AuditLink[]; written: readonly number[] };
}

export interface AuditChainReport {
  workflowId: string;
  planId: string;
  taskNumber: number;
  /** Entries with a link. */
  linked: number;
  /** Entries written before chains existed: no link, so they cannot be verified. */
  unlinked: number;
  /** The last linked row stored (insertion order). */
  last?: { id: number; seq: number; hash: string };
  /** What the chain was compared with besides its own links. */
  compared: { head: boolean; history: boolean };
  /** Absent when the chain is whole. */
  problem?: AuditChainProblem;
}

export interface AuditVerification {
  /** True when no chain has a problem (unverifiable entries are not problems). */
  ok: boolean;
  entries: number;
  linked: number;
  unlinked: number;
  /** Every chain, broken ones first, then by plan, task number and workflow ID. */
  chains: AuditChainReport[];
}

type Linked = AuditRecord & { chain: AuditLink };

function isLinked(record: AuditRecord): record is Linked {
  return record.chain !== undefined && record.chain !== null;
}

function ref(record: AuditRecord): AuditRowRef {
  return {
    id: record.id,
    idempotencyKey: record.idempotencyKey,
    ...(isLinked(record) ? { seq: record.chain.seq } : {}),
    event: record.event,
    at: record.at,
  };
}

/** Whether the row's fields and link still give its hash. */
function fitsOwnHash(record: Linked): boolean {
  return auditEntryHash(record.chain.seq, record.chain.prevHash, record) === record.chain.hash;
}

/**
 * Walks one chain's rows in insertion order: every row must carry the hash of the one
 * before it and the next seq, the first must start at the genesis hash, and no row
 * without a link may follow a linked one.
 */
function walk(rows: readonly AuditRecord[]): AuditChainProblem | undefined {
  let prev: Linked | undefined;
  let first: Linked | undefined;
  const bySeq = new Map<number, Linked>();
  for (const [index, row] of rows.entries()) {
    // Only once something is wrong: which row is at fault depends on the rows after it.
    const later = () => rows.slice(index + 1).filter(isLinked);
    if (!isLinked(row)) {
      // Entries before the chain began have no link; one after it cannot be a legacy entry.
      if (first) return { kind: 'inserted', reason: 'unlinked', row: ref(row), other: ref(first) };
      continue;
    }
    const { seq, prevHash } = row.chain;
    const holder = bySeq.get(seq);
    if (holder) {
      // Two rows claim one seq. The one the chain goes on from is genuine: if that is this
      // later row, the earlier one was slipped in before it.
      const continues = fitsOwnHash(row) && rows.some((g) => isLinked(g) && g.chain.seq === seq + 1 && g.chain.prevHash === row.chain.hash);
      if (continues) return { kind: 'inserted', reason: 'forged', row: ref(holder), other: ref(row) };
      return { kind: 'inserted', reason: 'duplicate', row: ref(row), other: ref(holder) };
    }
    if (!fitsOwnHash(row)) return { kind: 'altered', reason: 'content', row: ref(row) };
    if (!prev) {
      if (prevHash !== AUDIT_CHAIN_GENESIS) {
        const start = later().find((g) => g.chain.prevHash === AUDIT_CHAIN_GENESIS && g.chain.seq < seq);
        if (start) return { kind: 'reordered', reason: 'order', row: ref(row), other: ref(start) };
        return { kind: 'deleted', reason: 'start', row: ref(row), missing: { to: seq - 1 } };
      }
    } else {
      const expected = prev.chain.seq + 1;
      if (seq === expected && prevHash !== prev.chain.hash) {
        const fits = later().find((g) => g.chain.seq === expected && g.chain.prevHash === prev?.chain.hash && fitsOwnHash(g));
        if (fits) return { kind: 'inserted', reason: 'forged', row: ref(row), other: ref(fits) };
        return { kind: 'altered', reason: 'rehashed', row: ref(prev), other: ref(row) };
      }
      if (seq > expected) {
        const skipped = later().filter((g) => g.chain.seq >= expected && g.chain.seq < seq).sort((a, b) => a.chain.seq - b.chain.seq)[0];
        if (skipped) return { kind: 'reordered', reason: 'order', row: ref(row), other: ref(skipped) };
        return { kind: 'deleted', reason: 'gap', row: ref(row), other: ref(prev), missing: { from: expected, to: seq - 1 } };
      }
      if (seq < expected) {
        // A seq the chain has passed without seeing: the row was put in after the ones that follow it.
        return { kind: 'inserted', reason: 'forged', row: ref(row), other: ref(prev) };
      }
    }
    first ??= row;
    bySeq.set(seq, row);
    prev = row;
  }
  return undefined;
}

/** The stored rows (whole as walked) against the workflow history's `appendAudit` inputs. */
function againstHistory(linked: readonly Linked[], history: NonNullable<AuditChainReference['history']>): AuditChainProblem | undefined {
  const scheduled = new Map<number, string>();
  for (const link of history.links) scheduled.set(link.seq, link.hash);
  let lastScheduled = 0;
  for (const seq of scheduled.keys()) lastScheduled = Math.max(lastScheduled, seq);
  for (const row of linked) {
    const hash = scheduled.get(row.chain.seq);
    if (hash !== undefined && hash !== row.chain.hash) return { kind: 'altered', reason: 'history', row: ref(row), expected: { seq: row.chain.seq, hash } };
    // Beyond anything the workflow asked to write. Earlier runs may be out of reach, so
    // only rows above the last scheduled seq count, and only when the history shows any.
    if (hash === undefined && scheduled.size > 0 && row.chain.seq > lastScheduled) {
      return { kind: 'inserted', reason: 'history', row: ref(row), expected: { seq: lastScheduled } };
    }
  }
  const last = linked[linked.length - 1];
  const written = history.written.filter((seq) => last === undefined || seq > last.chain.seq).sort((a, b) => a - b);
  const firstMissing = written[0];
  const lastMissing = written[written.length - 1];
  if (firstMissing !== undefined && lastMissing !== undefined) {
    return {
      kind: 'truncated',
      reason: 'history',
      ...(last ? { row: ref(last) } : {}),
      missing: { from: firstMissing, to: lastMissing },
      expected: { seq: lastMissing, ...(scheduled.has(lastMissing) ? { hash: scheduled.get(lastMissing) } : {}) },
    };
  }
  return undefined;
}

/** The stored chain's end against the head the workflow reports. */
function againstHead(linked: readonly Linked[], head: { seq: number; hash: string }): AuditChainProblem | undefined {
  const last = linked[linked.length - 1];
  const expected = { seq: head.seq, hash: head.hash };
  if (!last) return head.seq >= 1 ? { kind: 'truncated', reason: 'head', missing: { to: head.seq }, expected } : undefined;
  if (last.chain.seq > head.seq) {
    const beyond = linked.find((row) => row.chain.seq > head.seq) ?? last;
    return { kind: 'inserted', reason: 'head', row: ref(beyond), expected };
  }
  if (last.chain.seq === head.seq && last.chain.hash !== head.hash) return { kind: 'altered', reason: 'head', row: ref(last), expected };
  if (last.chain.seq < head.seq) return { kind: 'truncated', reason: 'head', row: ref(last), missing: { from: last.chain.seq + 1, to: head.seq }, expected };
  return undefined;
}

/**
 * Verifies the audit trail in `records` (any order; a store's `list()`): one chain per
 * workflow ID, rows in insertion order (`id`). For each chain it reports the FIRST
 * problem: a row altered, deleted, inserted or reordered, or a tail cut off. Entries
 * without a link (written before chains existed) are counted as unverifiable, not as
 * problems. `references` add what the workflows say (head, history) per workflow ID; a
 * workflow with a reference but no stored row is reported too.
 *
 * @example
 * ```ts
 * const report = verifyAuditTrail(await store.list({ planId: 'xihu-2020' }));
 * for (const chain of report.chains) if (chain.problem) console.log(chain.workflowId, chain.problem);
 * ```
 */
export function verifyAuditTrail(
  records: readonly AuditRecord[],
  references: ReadonlyMap<string, AuditChainReference> = new Map(),
): AuditVerification {
  const byWorkflow = new Map<string, AuditRecord[]>();
  for (const record of records) {
    const rows = byWorkflow.get(record.workflowId) ?? [];
    rows.push(record);
    byWorkflow.set(record.workflowId, rows);
  }
  for (const workflowId of references.keys()) if (!byWorkflow.has(workflowId)) byWorkflow.set(workflowId, []);

  const chains: AuditChainReport[] = [];
  for (const [workflowId, unordered] of byWorkflow) {
    const rows = [...unordered].sort((a, b) => a.id - b.id);
    const linked = rows.filter(isLinked);
    const reference = references.get(workflowId);
    let problem = walk(rows);
    if (!problem && reference?.history) problem = againstHistory(linked, reference.history);
    if (!problem && reference?.head) problem = againstHead(linked, reference.head);
    const last = linked[linked.length - 1];
    const sample = rows[0];
    chains.push({
      workflowId,
      planId: sample?.planId ?? reference?.planId ?? '',
      taskNumber: sample?.taskNumber ?? reference?.taskNumber ?? 0,
      linked: linked.length,
      unlinked: rows.length - linked.length,
      ...(last ? { last: { id: last.id, seq: last.chain.seq, hash: last.chain.hash } } : {}),
      compared: { head: reference?.head !== undefined, history: reference?.history !== undefined },
      ...(problem ? { problem } : {}),
    });
  }
  chains.sort(
    (a, b) =>
      Number(b.problem !== undefined) - Number(a.problem !== undefined) ||
      a.planId.localeCompare(b.planId) ||
      a.taskNumber - b.taskNumber ||
      a.workflowId.localeCompare(b.workflowId),
  );
  const linked = chains.reduce((n, c) => n + c.linked, 0);
  return { ok: chains.every((c) => c.problem === undefined), entries: records.length, linked, unlinked: records.length - linked, chains };
}
