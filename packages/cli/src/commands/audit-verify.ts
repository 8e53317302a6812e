import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { AuditChainProblem, AuditChainReference, AuditRowRef, AuditVerification } from '@duban/activities';
import type { DubanClient } from '@duban/client';
import { DEFAULT_PATHS, DubanError, ENV, ErrorCode, campaignWorkflowId, isDubanError } from '@duban/common';
import { openAuditStoreForCli, type AuditStoreFlags } from '../audit-store';
import { connectDuban, connectionSettings, globalOptions, type GlobalOptions } from '../connection';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { paint } from '../output';
import { t, type Lang, type MessageKey } from '../i18n';

export interface AuditVerifyOptions extends GlobalOptions, AuditStoreFlags {
  /** Only this plan's chains; also what lets verify ask the workflows (heads and histories). */
  planId?: string;
  json?: boolean;
  /**
   * How long a chain whose tail is missing may take to catch up before it is reported, in
   * ms: the workflow's head counts entries still on their way to the store. Default 10000.
   */
  settleMs?: number;
}

/** The report `audit verify --json` prints, and {@link runAuditVerify} returns. */
export interface AuditVerifyReport extends AuditVerification {
  /** The store, as it may be shown (a URL without its password). */
  store: string;
  /** Whether the workflows were asked, and how many answered with a head or a history. */
  temporal: { asked: boolean; reachable: boolean; address?: string; heads: number; histories: number };
}

/** Runs at most this many workflows' look-ups at once: a plan has tens of tasks, the server one shard. */
const LOOKUP_CONCURRENCY = 4;
/** Runs of one workflow walked back through continue-as-new for `appendAudit` inputs. */
const MAX_RUNS = 20;
/** A query needs a worker; closed workflows and stopped workers must not hang the command. */
const QUERY_DEADLINE_MS = 5_000;
const APPEND_AUDIT = 'appendAudit';

/** An entry's place in its chain, as the `appendAudit` input carries it. */
type AuditLink = NonNullable<AuditChainReference['history']>['links'][number];

/**
 * `duban audit verify`: checks the audit trail in the store against its hash chains and,
 * with `--plan` and a reachable server, against what the workflows wrote (each chain's
 * head, and the `appendAudit` inputs in their histories). Names the first altered,
 * deleted, inserted or reordered row of each broken chain.
 *
 * @throws DubanError `AUDIT_TRAIL_BROKEN` (exit 1) when a chain is broken; the store's errors.
 */
export async function runAuditVerify(ctx: CommandContext, options: AuditVerifyOptions): Promise<AuditVerifyReport> {
  const { verifyAuditTrail } = await import('@duban/activities');
  const store = await openAuditStoreForCli(ctx, options);
  let report: AuditVerifyReport;
  try {
    const query = options.planId === undefined ? {} : { planId: options.planId };
    let records = await store.list(query);
    const temporal: AuditVerifyReport['temporal'] = { asked: false, reachable: false, heads: 0, histories: 0 };
    const references = new Map<string, AuditChainReference>();
    let duban: DubanClient | undefined;
    if (options.planId !== undefined) {
      temporal.asked = true;
      temporal.address = (await connectionSettings(options.profile, ctx.env)).address;
      try {
        duban = await connectDuban(ctx, options);
        temporal.reachable = true;
      } catch (error) {
        if (!(isDubanError(error) && error.code === ErrorCode.SERVER_UNREACHABLE)) throw error;
        ctx.output.error(t(options.lang, 'verify.unreachable', { address: temporal.address }));
      }
    }
    try {
      const lookUp = async (ids: Iterable<string>): Promise<void> => {
        if (!duban || options.planId === undefined) return;
        for (const [id, reference] of await workflowReferences(duban.client, options.planId, [...ids])) references.set(id, reference);
      };
      // Each round reads the store, asks the workflows, then reads the store again: a row
      // the history shows written is then in the second read, and a row of the first read
      // was scheduled before the history was fetched. Only what a live system can explain
      // is looked at again: entries the head counts that are still on their way (the
      // audit lane waits out a store that is down), and rows newer than the history.
      let before = records;
      if (duban && options.planId !== undefined) {
        const planId = options.planId;
        await lookUp(new Set([...records.map((r) => r.workflowId), campaignWorkflowId(planId), ...(await boardWorkflowIds(duban.client, planId))]));
        records = await store.list(query);
      }
      let verification = verifyAuditTrail(records, references);
      const deadline = Date.now() + (options.settleMs ?? 10_000);
      for (;;) {
        const pending = stillArriving(verification, new Set(before.map((r) => r.id)));
        if (pending.length === 0 || Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
        before = records;
        await lookUp(pending);
        records = await store.list(query);
        verification = verifyAuditTrail(records, references);
      }
      for (const reference of references.values()) {
        if (reference.head) temporal.heads += 1;
        if (reference.history) temporal.histories += 1;
      }
      report = { ...verification, store: store.location, temporal };
    } finally {
      await duban?.close();
    }
  } finally {
    await store.close();
  }
  print(ctx, options, report);
  const broken = report.chains.filter((c) => c.problem !== undefined);
  if (broken.length > 0) {
    throw new DubanError(ErrorCode.AUDIT_TRAIL_BROKEN, t(options.lang, 'verify.broken', { count: broken.length, chains: report.chains.length }), {
      details: { store: report.store, broken: broken.map((c) => ({ workflowId: c.workflowId, ...c.problem })) },
    });
  }
  return report;
}

/**
 * The chains whose problem a running system explains, to look at again: a tail the
 * workflow's head counts but the store lacks yet, or a row written after the history was
 * fetched (not in the `earlier` read).
 */
function stillArriving(verification: AuditVerification, earlier: ReadonlySet<number>): string[] {
  return verification.chains
    .filter(({ problem }) => {
      if (problem?.kind === 'truncated' && problem.reason === 'head') return true;
      return problem?.kind === 'inserted' && problem.reason === 'history' && problem.row !== undefined && !earlier.has(problem.row.id);
    })
    .map((c) => c.workflowId);
}

// ------------------------------------------------------------------ the workflows' side

/** The task workflows the campaign's board lists: tasks whose every row was deleted are still verified. */
async function boardWorkflowIds(client: Client, planId: string): Promise<string[]> {
  // Loaded here, when a server is asked: `audit export` shares this module and never connects.
  const { boardQuery } = await import('@duban/workflows');
  try {
    const board = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => client.workflow.getHandle(campaignWorkflowId(planId)).query(boardQuery));
    return board.tasks.map((task) => task.workflowId);
  } catch {
    // No campaign (tasks started on their own), or no worker to answer: the store's workflow IDs serve.
    return [];
  }
}

/** What each workflow says about its chain: the head (running workflows) and the history's `appendAudit` inputs. */
async function workflowReferences(client: Client, planId: string, workflowIds: readonly string[]): Promise<Map<string, AuditChainReference>> {
  const references = new Map<string, AuditChainReference>();
  for (let i = 0; i < workflowIds.length; i += LOOKUP_CONCURRENCY) {
    const batch = workflowIds.slice(i, i + LOOKUP_CONCURRENCY);
    const found = await Promise.all(batch.map((id) => workflowReference(client, planId, id)));
    batch.forEach((id, j) => {
      const reference = found[j];
      if (reference) references.set(id, reference);
    });
  }
  return references;
}

async function workflowReference(client: Client, planId: string, workflowId: string): Promise<AuditChainReference | undefined> {
  const { WorkflowNotFoundError } = await import('@temporalio/client');
  const handle = client.workflow.getHandle(workflowId);
  let running: boolean;
  try {
    running = (await handle.describe()).status.name === 'RUNNING';
  } catch (error) {
    // Never started, or deleted after the namespace's retention: only the links can speak.
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  const reference: AuditChainReference = { planId };
  const history = await historyLinks(client, workflowId);
  if (history) reference.history = history;
  if (running) {
    const head = await chainHead(client, planId, workflowId);
    if (head) reference.head = head;
  }
  return reference;
}

/** `auditChain` of the workflow's state query, when a worker answers in time. */
async function chainHead(client: Client, planId: string, workflowId: string): Promise<{ seq: number; hash: string } | undefined> {
  const { boardQuery, taskStateQuery } = await import('@duban/workflows');
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, async () =>
      workflowId === campaignWorkflowId(planId) ? (await handle.query(boardQuery)).auditChain : (await handle.query(taskStateQuery)).auditChain,
    );
  } catch {
    // No worker polls, or the run predates the query field: the history still speaks.
    return undefined;
  }
}

/**
 * The links of the `appendAudit` activities in the workflow's history, this run and the
 * runs it continued from (up to {@link MAX_RUNS}): every link scheduled, and the seqs
 * whose activity completed.
 */
async function historyLinks(client: Client, workflowId: string): Promise<AuditChainReference['history'] | undefined> {
  const converter = client.options.loadedDataConverter.payloadConverter;
  const links: AuditLink[] = [];
  const written: number[] = [];
  let runId: string | undefined;
  for (let run = 0; run < MAX_RUNS; run += 1) {
    let events;
    try {
      events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    } catch (error) {
      if (run > 0) break; // An earlier run past retention: what was read still counts.
      throw error;
    }
    const scheduled = new Map<string, number>();
    let previousRun: string | undefined;
    for (const event of events) {
      const started = event.workflowExecutionStartedEventAttributes;
      if (started?.continuedExecutionRunId) previousRun = started.continuedExecutionRunId;
      const attributes = event.activityTaskScheduledEventAttributes;
      if (attributes?.activityType?.name === APPEND_AUDIT) {
        const payload = attributes.input?.payloads?.[0];
        const entry = payload ? converter.fromPayload<{ chain?: AuditLink }>(payload) : undefined;
        if (entry?.chain) {
          links.push(entry.chain);
          scheduled.set(String(event.eventId), entry.chain.seq);
        }
      }
      const completed = event.activityTaskCompletedEventAttributes;
      const seq = completed ? scheduled.get(String(completed.scheduledEventId)) : undefined;
      if (seq !== undefined) written.push(seq);
    }
    if (!previousRun) break;
    runId = previousRun;
  }
  return { links, written };
}

// ------------------------------------------------------------------ words

function rowText(lang: Lang, row: AuditRowRef | undefined): string {
  if (!row) return '';
  return row.seq === undefined
    ? t(lang, 'verify.rowUnlinked', { id: row.id, event: row.event, key: row.idempotencyKey })
    : t(lang, 'verify.row', { id: row.id, seq: row.seq, event: row.event, key: row.idempotencyKey });
}

/** The sentence of each problem the verification reports; `.none` when the chain has no stored row. */
const PROBLEM_SENTENCES: Partial<Record<string, MessageKey>> = {
  'altered.content': 'verify.altered.content',
  'altered.rehashed': 'verify.altered.rehashed',
  'altered.history': 'verify.altered.history',
  'altered.head': 'verify.altered.head',
  'deleted.gap': 'verify.deleted.gap',
  'deleted.start': 'verify.deleted.start',
  'inserted.duplicate': 'verify.inserted.duplicate',
  'inserted.forged': 'verify.inserted.forged',
  'inserted.unlinked': 'verify.inserted.unlinked',
  'inserted.head': 'verify.inserted.head',
  'inserted.history': 'verify.inserted.history',
  'reordered.order': 'verify.reordered.order',
  'truncated.head': 'verify.truncated.head',
  'truncated.head.none': 'verify.truncated.head.none',
  'truncated.history': 'verify.truncated.history',
  'truncated.history.none': 'verify.truncated.history.none',
};

/** The sentence for a chain's first problem, in `lang`. */
export function describeProblem(lang: Lang, problem: AuditChainProblem): string {
  const key = PROBLEM_SENTENCES[`${problem.kind}.${problem.reason}${problem.row ? '' : '.none'}`] ?? 'verify.problem';
  return t(lang, key, {
    kind: problem.kind,
    reason: problem.reason,
    row: rowText(lang, problem.row),
    other: rowText(lang, problem.other),
    seq: problem.row?.seq ?? '',
    from: problem.missing?.from ?? '?',
    to: problem.missing?.to ?? '?',
    expectedSeq: problem.expected?.seq ?? '?',
    expectedHash: problem.expected?.hash?.slice(0, 16) ?? '?',
  });
}

function print(ctx: CommandContext, options: AuditVerifyOptions, report: AuditVerifyReport): void {
  const { lang } = options;
  if (options.json) {
    ctx.output.json(report);
    return;
  }
  ctx.output.line(
    t(lang, 'verify.summary', { entries: report.entries, chains: report.chains.length, store: report.store, unlinked: report.unlinked }),
  );
  const { temporal } = report;
  if (!temporal.asked) ctx.output.line(t(lang, 'verify.linksOnly'));
  else if (temporal.reachable) ctx.output.line(t(lang, 'verify.compared', { address: temporal.address ?? '', heads: temporal.heads, histories: temporal.histories }));
  for (const chain of report.chains) {
    if (!chain.problem) continue;
    ctx.output.line(`${paint(ctx.output, 'red', '✗')} ${chain.workflowId}: ${describeProblem(lang, chain.problem)}`);
  }
  if (report.ok) ctx.output.line(`${paint(ctx.output, 'green', '✓')} ${t(lang, 'verify.clean', { chains: report.chains.length })}`);
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--wait takes a number of seconds (0 or more), got "${value}".`);
  return seconds;
}

export function registerAuditVerify(audit: Command, ctx: CommandContext): void {
  audit
    .command('verify')
    .description('Check the audit trail against its hash chains (and, with --plan, the workflows): name the first altered, deleted, inserted or reordered row')
    .option('--plan <id>', "only this plan's chains, compared with its workflows when the Temporal server answers")
    .option('--audit-db <path>', `the worker's audit database (default: $${ENV.auditDb} or ${DEFAULT_PATHS.auditDb})`)
    .option('--audit-url <url>', `the workers' PostgreSQL audit store, postgres://USER:PASSWORD@HOST/DB (default: $${ENV.auditUrl})`)
    .option('--wait <seconds>', 'how long entries the workflows count but the store lacks yet may take to arrive', parseSeconds, 10)
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExit status 0 when every chain is whole, 1 when one is broken.\n\nExamples:\n  $ pnpm duban audit verify --plan xihu-2020\n  $ pnpm duban audit verify --audit-db /var/lib/duban/audit.sqlite --json\n  $ DUBAN_AUDIT_URL=postgres://duban@db.internal/duban pnpm duban audit verify --plan xihu-2020',
    )
    .action(async (o: { plan?: string; auditDb?: string; auditUrl?: string; wait: number; json?: boolean }, command: Command) => {
      await runAuditVerify(ctx, {
        ...globalOptions(command, ctx),
        settleMs: o.wait * 1000,
        ...(o.plan !== undefined ? { planId: o.plan } : {}),
        ...(o.auditDb !== undefined ? { auditDb: o.auditDb } : {}),
        ...(o.auditUrl !== undefined ? { auditUrl: o.auditUrl } : {}),
        json: o.json === true,
      });
    });
}
