/**
 * What a campaign keeps beside the audit trail so its payloads stay small: the plans it
 * was launched from (the `plans` table, content-addressed: a part is stored once per
 * hash) and the snapshots it saves before continuing as new (`campaign_snapshots`, one
 * per run). Both are JSON texts in parts; the tables come with the stores' migrations
 * (SQLite and PostgreSQL, `duban_` prefixed there). The activities that read and write
 * them are {@link createCampaignStoreActivities}.
 */
import { createHash } from 'node:crypto';
import type {
  CampaignSnapshotPartInput,
  CampaignSnapshotPartRef,
  CampaignStoreActivities,
  StorePlanPartRequest,
  StoredPlanSectionRequest,
  StoredPlanSectionResult,
} from './contract';
import { ActivityErrorCode, AuditStoreError, DubanActivityError, toApplicationFailure } from './errors';
import type { PostgresDatabase } from './postgres';
import { openSqliteDatabase, sqliteFailure, type OpenSqliteOptions, type SqliteDatabase } from './sqlite';

/** One part of a stored text. */
export interface StoredPart {
  /** Position, from 0. */
  part: number;
  /** How many parts the whole text has. */
  parts: number;
  body: string;
}

/** Where plans and campaign snapshots are kept. Every write is idempotent on its key. */
export interface CampaignStore {
  /** Stores a part of plan text `hash` unless stored already; true when it was inserted. */
  putPlanPart(planId: string, hash: string, part: StoredPart): Promise<boolean>;
  /** The stored parts of plan text `hash`, in order (possibly not all of them yet). */
  planParts(hash: string): Promise<StoredPart[]>;
  putSnapshotPart(workflowId: string, runId: string, part: StoredPart): Promise<boolean>;
  snapshotPart(workflowId: string, runId: string, part: number): Promise<StoredPart | undefined>;
  /** Removes the workflow's snapshots except run `keepRunId`'s; returns how many parts went. */
  pruneSnapshots(workflowId: string, keepRunId: string): Promise<number>;
  close(): Promise<void>;
}

interface PartRow {
  part: number | string;
  parts: number | string;
  body: string;
}

const toPart = (row: PartRow): StoredPart => ({ part: Number(row.part), parts: Number(row.parts), body: row.body });

/**
 * The tables in the duban SQLite database. Usually taken from the audit store
 * (`auditStore.campaignStore()`, same file and connection); `open` gives one with its own.
 */
export class SqliteCampaignStore implements CampaignStore {
  private constructor(
    private readonly db: SqliteDatabase,
    readonly file: string,
    private readonly ownsConnection: boolean,
  ) {}

  /** On an audit store's connection (which the store closes). */
  static onConnection(db: SqliteDatabase, file: string): SqliteCampaignStore {
    return new SqliteCampaignStore(db, file, false);
  }

  /** Opens (creating and migrating when needed) the database at `file` on a connection of its own. */
  static open(file: string, options: OpenSqliteOptions = {}): SqliteCampaignStore {
    const db = openSqliteDatabase(file, options);
    return new SqliteCampaignStore(db, db.name, true);
  }

  async putPlanPart(planId: string, hash: string, part: StoredPart): Promise<boolean> {
    return this.run('store a plan part in', () =>
      this.db
        .prepare('INSERT INTO plans (hash, part, parts, plan_id, body, stored_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash, part) DO NOTHING')
        .run(hash, part.part, part.parts, planId, part.body, new Date().toISOString()).changes === 1,
    );
  }

  async planParts(hash: string): Promise<StoredPart[]> {
    return this.run('read a stored plan from', () => (this.db.prepare('SELECT part, parts, body FROM plans WHERE hash = ? ORDER BY part').all(hash) as PartRow[]).map(toPart));
  }

  async putSnapshotPart(workflowId: string, runId: string, part: StoredPart): Promise<boolean> {
    return this.run('store a campaign snapshot in', () =>
      this.db
        .prepare(
          'INSERT INTO campaign_snapshots (workflow_id, run_id, part, parts, body, stored_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workflow_id, run_id, part) DO NOTHING',
        )
        .run(workflowId, runId, part.part, part.parts, part.body, new Date().toISOString()).changes === 1,
    );
  }

  async snapshotPart(workflowId: string, runId: string, part: number): Promise<StoredPart | undefined> {
    return this.run('read a campaign snapshot from', () => {
      const row = this.db.prepare('SELECT part, parts, body FROM campaign_snapshots WHERE workflow_id = ? AND run_id = ? AND part = ?').get(workflowId, runId, part) as PartRow | undefined;
      return row === undefined ? undefined : toPart(row);
    });
  }

  async pruneSnapshots(workflowId: string, keepRunId: string): Promise<number> {
    return this.run('remove old campaign snapshots from', () => this.db.prepare('DELETE FROM campaign_snapshots WHERE workflow_id = ? AND run_id <> ?').run(workflowId, keepRunId).changes);
  }

  async close(): Promise<void> {
    if (this.ownsConnection && this.db.open) this.db.close();
  }

  private run<T>(doing: string, work: () => T): T {
    if (!this.db.open) throw new AuditStoreError(ActivityErrorCode.AUDIT_STORE_CLOSED, `Could not ${doing} ${this.file}: the store was closed.`, this.file);
    try {
      return work();
    } catch (err) {
      throw sqliteFailure(err, this.file, doing);
    }
  }
}

/** The tables in the duban PostgreSQL database, on the audit store's pool (`auditStore.campaignStore()`). */
export class PostgresCampaignStore implements CampaignStore {
  constructor(private readonly db: PostgresDatabase) {}

  async putPlanPart(planId: string, hash: string, part: StoredPart): Promise<boolean> {
    const result = await this.db.query(
      'INSERT INTO duban_plans (hash, part, parts, plan_id, body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash, part) DO NOTHING',
      [hash, part.part, part.parts, planId, part.body],
      'store a plan part in',
    );
    return result.rowCount === 1;
  }

  async planParts(hash: string): Promise<StoredPart[]> {
    const { rows } = await this.db.query<PartRow>('SELECT part, parts, body FROM duban_plans WHERE hash = $1 ORDER BY part', [hash], 'read a stored plan from');
    return rows.map(toPart);
  }

  async putSnapshotPart(workflowId: string, runId: string, part: StoredPart): Promise<boolean> {
    const result = await this.db.query(
      'INSERT INTO duban_campaign_snapshots (workflow_id, run_id, part, parts, body) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workflow_id, run_id, part) DO NOTHING',
      [workflowId, runId, part.part, part.parts, part.body],
      'store a campaign snapshot in',
    );
    return result.rowCount === 1;
  }

  async snapshotPart(workflowId: string, runId: string, part: number): Promise<StoredPart | undefined> {
    const { rows } = await this.db.query<PartRow>(
      'SELECT part, parts, body FROM duban_campaign_snapshots WHERE workflow_id = $1 AND run_id = $2 AND part = $3',
      [workflowId, runId, part],
      'read a campaign snapshot from',
    );
    return rows[0] === undefined ? undefined : toPart(rows[0]);
  }

  async pruneSnapshots(workflowId: string, keepRunId: string): Promise<number> {
    const result = await this.db.query('DELETE FROM duban_campaign_snapshots WHERE workflow_id = $1 AND run_id <> $2', [workflowId, keepRunId], 'remove old campaign snapshots from');
    return result.rowCount ?? 0;
  }

  /** The pool belongs to the audit store, which closes it. */
  async close(): Promise<void> {}
}

/** Plans and snapshots in memory: for tests and embedding without a database; lost with the process. */
export class InMemoryCampaignStore implements CampaignStore {
  private readonly plans = new Map<string, Map<number, StoredPart>>();
  private readonly snapshots = new Map<string, Map<string, Map<number, StoredPart>>>();

  async putPlanPart(_planId: string, hash: string, part: StoredPart): Promise<boolean> {
    const parts = this.plans.get(hash) ?? new Map<number, StoredPart>();
    this.plans.set(hash, parts);
    if (parts.has(part.part)) return false;
    parts.set(part.part, { ...part });
    return true;
  }

  async planParts(hash: string): Promise<StoredPart[]> {
    return [...(this.plans.get(hash)?.values() ?? [])].sort((a, b) => a.part - b.part).map((p) => ({ ...p }));
  }

  async putSnapshotPart(workflowId: string, runId: string, part: StoredPart): Promise<boolean> {
    const runs = this.snapshots.get(workflowId) ?? new Map<string, Map<number, StoredPart>>();
    this.snapshots.set(workflowId, runs);
    const parts = runs.get(runId) ?? new Map<number, StoredPart>();
    runs.set(runId, parts);
    if (parts.has(part.part)) return false;
    parts.set(part.part, { ...part });
    return true;
  }

  async snapshotPart(workflowId: string, runId: string, part: number): Promise<StoredPart | undefined> {
    const found = this.snapshots.get(workflowId)?.get(runId)?.get(part);
    return found === undefined ? undefined : { ...found };
  }

  async pruneSnapshots(workflowId: string, keepRunId: string): Promise<number> {
    const runs = this.snapshots.get(workflowId);
    let removed = 0;
    for (const [runId, parts] of runs ?? []) {
      if (runId === keepRunId) continue;
      removed += parts.size;
      runs?.delete(runId);
    }
    return removed;
  }

  async close(): Promise<void> {}
}

// ---------------------------------------------------------------------------------------
// Reading a stored plan

/** A stored plan's parsed text, as the client wrote it (`StoredPlan` of `@duban/workflows`). */
export interface StoredPlanDocument {
  planId: string;
  units: unknown[];
  roster: unknown[];
  tasks: unknown[];
  [field: string]: unknown;
}

/** Plans a reader keeps parsed: a worker runs one or two launches at a time. */
const CACHED_PLANS = 2;

/**
 * Reads stored plans whole, checks them against their hash and keeps the last few parsed,
 * so the batches of one launch parse the plan once. One per campaign store
 * ({@link storedPlanReader}).
 */
export class StoredPlanReader {
  private readonly cache = new Map<string, Promise<StoredPlanDocument>>();

  constructor(private readonly store: CampaignStore) {}

  /**
   * The plan stored under `hash` in `parts` parts.
   *
   * @throws DubanActivityError `PLAN_NOT_STORED` (retryable) while parts are missing;
   *   `AUDIT_STORE_CORRUPT` when the stored text does not hash to `hash`.
   */
  load(hash: string, parts: number): Promise<StoredPlanDocument> {
    const cached = this.cache.get(hash);
    if (cached !== undefined) {
      // Most recently used last.
      this.cache.delete(hash);
      this.cache.set(hash, cached);
      return cached;
    }
    const loading = this.read(hash, parts);
    this.cache.set(hash, loading);
    // A failed read (parts still missing) is not remembered: the retry reads again.
    loading.catch(() => this.cache.delete(hash));
    while (this.cache.size > CACHED_PLANS) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return loading;
  }

  private async read(hash: string, parts: number): Promise<StoredPlanDocument> {
    const stored = await this.store.planParts(hash);
    if (stored.length < parts) {
      throw new DubanActivityError(
        ActivityErrorCode.PLAN_NOT_STORED,
        `Plan text ${hash.slice(0, 12)}… has ${stored.length} of its ${parts} parts in the audit database: the launch stores them through the worker (storePlanWorkflow). ` +
          'The campaign waits for them; if they never arrive, launch the plan again to store them again.',
        { details: { hash, parts, stored: stored.length } },
      );
    }
    const text = stored.map((p) => p.body).join('');
    const actual = createHash('sha256').update(text, 'utf8').digest('hex');
    if (actual !== hash || stored.some((p, i) => p.part !== i)) {
      throw new DubanActivityError(
        ActivityErrorCode.AUDIT_STORE_CORRUPT,
        `The stored plan ${hash.slice(0, 12)}… does not hash to its key (${actual.slice(0, 12)}…): the plans table was altered. Launch the plan again from its file.`,
        { details: { hash, actual } },
      );
    }
    const document = JSON.parse(text) as StoredPlanDocument;
    if (!Array.isArray(document.tasks) || !Array.isArray(document.roster) || !Array.isArray(document.units)) {
      throw new DubanActivityError(ActivityErrorCode.INVALID_INPUT, `The stored plan ${hash.slice(0, 12)}… is not a duban stored plan (no tasks, roster or units).`, { details: { hash } });
    }
    return document;
  }
}

const readers = new WeakMap<CampaignStore, StoredPlanReader>();

/** The one reader of `store`: the activities and the worker's task launcher share its cache. */
export function storedPlanReader(store: CampaignStore): StoredPlanReader {
  let reader = readers.get(store);
  if (reader === undefined) {
    reader = new StoredPlanReader(store);
    readers.set(store, reader);
  }
  return reader;
}

// ---------------------------------------------------------------------------------------
// The activities

const HASH_HEX = /^[0-9a-f]{64}$/;
/** A part is at most 256 KiB of UTF-8; a JS string of it has at most that many characters. */
const MAX_PART_CHARACTERS = 256 * 1024;
/** More parts than a 20 MiB plan file could make. */
const MAX_PARTS = 4096;
/** Most items of a section one call returns (a roster's page). */
const MAX_SECTION_ITEMS = 5000;

function invalid(what: string, field: string, problem: string): DubanActivityError {
  return new DubanActivityError(ActivityErrorCode.INVALID_INPUT, `Invalid ${what}: ${field} ${problem}.`, { details: { field } });
}

function requireText(what: string, value: unknown, field: string, maxLength = 1000): string {
  if (typeof value !== 'string' || value === '' || value.length > maxLength) throw invalid(what, field, `must be a non-empty string of at most ${maxLength} characters`);
  return value;
}

function requireCount(what: string, value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw invalid(what, field, `must be an integer from ${min} to ${max}`);
  return value;
}

function requirePart(what: string, input: { part?: unknown; parts?: unknown; body?: unknown }): StoredPart {
  const parts = requireCount(what, input.parts, 'parts', 1, MAX_PARTS);
  const part = requireCount(what, input.part, 'part', 0, parts - 1);
  if (typeof input.body !== 'string' || input.body.length > MAX_PART_CHARACTERS) throw invalid(what, 'body', `must be a string of at most ${MAX_PART_CHARACTERS} characters`);
  return { part, parts, body: input.body };
}

function requireHash(what: string, value: unknown): string {
  if (typeof value !== 'string' || !HASH_HEX.test(value)) throw invalid(what, 'hash', 'must be a SHA-256 in 64 lower-case hex digits');
  return value;
}

async function boundary<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}

/**
 * The activities of stored plans and campaign snapshots. Each is idempotent: storing a
 * part again stores nothing, reading reads.
 */
export function createCampaignStoreActivities(store: CampaignStore): CampaignStoreActivities {
  const plans = storedPlanReader(store);
  return {
    storePlanPart: (input: StorePlanPartRequest) =>
      boundary(async () => {
        const what = 'plan part';
        const hash = requireHash(what, input?.hash);
        const planId = requireText(what, input.planId, 'planId');
        return { inserted: await store.putPlanPart(planId, hash, requirePart(what, input)) };
      }),
    loadStoredPlanSection: (input: StoredPlanSectionRequest) =>
      boundary(async (): Promise<StoredPlanSectionResult> => {
        const what = 'stored plan section';
        const hash = requireHash(what, input?.hash);
        const parts = requireCount(what, input.parts, 'parts', 1, MAX_PARTS);
        if (input.section !== 'units' && input.section !== 'roster') throw invalid(what, 'section', 'must be units or roster');
        const from = requireCount(what, input.from, 'from', 0, Number.MAX_SAFE_INTEGER);
        const count = requireCount(what, input.count, 'count', 1, MAX_SECTION_ITEMS);
        const list = (await plans.load(hash, parts))[input.section];
        return { items: list.slice(from, from + count), total: list.length };
      }),
    saveCampaignSnapshotPart: (input: CampaignSnapshotPartInput) =>
      boundary(async () => {
        const what = 'campaign snapshot part';
        const workflowId = requireText(what, input?.workflowId, 'workflowId');
        const runId = requireText(what, input.runId, 'runId');
        return { inserted: await store.putSnapshotPart(workflowId, runId, requirePart(what, input)) };
      }),
    loadCampaignSnapshotPart: (input: CampaignSnapshotPartRef) =>
      boundary(async () => {
        const what = 'campaign snapshot part';
        const workflowId = requireText(what, input?.workflowId, 'workflowId');
        const runId = requireText(what, input.runId, 'runId');
        const part = requireCount(what, input.part, 'part', 0, MAX_PARTS - 1);
        const found = await store.snapshotPart(workflowId, runId, part);
        if (found === undefined) {
          throw new DubanActivityError(
            ActivityErrorCode.CAMPAIGN_SNAPSHOT_MISSING,
            `Part ${part} of the snapshot that run ${runId} of ${workflowId} saved is not in the audit database: the campaign waits for it (restore the database), it does not start over without its board.`,
            { details: { workflowId, runId, part } },
          );
        }
        return found;
      }),
    pruneCampaignSnapshots: (input: { workflowId: string; keepRunId: string }) =>
      boundary(async () => {
        const what = 'campaign snapshot pruning';
        return { removed: await store.pruneSnapshots(requireText(what, input?.workflowId, 'workflowId'), requireText(what, input.keepRunId, 'keepRunId')) };
      }),
  };
}
