/**
 * What a campaign keeps outside its payloads, so that neither its start input nor the
 * state it carries across continue-as-new grows with the number of its tasks: the plan as
 * launched (stored once, content-addressed, read by the worker a batch of tasks at a
 * time) and the campaign's snapshot (board, roster, amendments: saved before it continues
 * as new, loaded by the next run). Both are JSON texts stored in parts, each part far
 * under Temporal's payload limits. Pure functions and types, no Temporal APIs: the client
 * builds the stored plan, the worker starts tasks from it, the campaign saves and restores
 * its snapshot with them. Importing this module never loads workflow code.
 */
import canonicalize from 'canonicalize';
import { taskWorkflowId } from '@duban/common';
import type { AmendmentRecord, BoardTask, BreakGlassAct, Bulletin, BulletinHeadline, EscalationMove } from './campaign-definitions';
import type { Person, TaskWorkflowInput, Unit } from './task/definitions';

/**
 * The largest part of a stored text, in UTF-8 bytes: far under Temporal's 2 MiB payload
 * limit and its 512 KiB warning, with room for the rest of the activity's input.
 */
export const STORED_PART_BYTES = 256 * 1024;

/**
 * Tasks one `startTaskBatch` activity starts. An activity's input and result stay a few
 * KB whatever the plan's size, and a campaign can continue as new between two batches.
 */
export const TASK_BATCH_SIZE = 100;

// ---------------------------------------------------------------------------------------
// The stored plan

/** Where a campaign's plan is stored: the campaign's start input carries this, never the plan. */
export interface StoredPlanRef {
  /** SHA-256 (hex) of the stored plan's text: its canonical JSON (RFC 8785). */
  hash: string;
  /** How many parts the text was stored in (each at most {@link STORED_PART_BYTES}). */
  parts: number;
  /** The text's size in UTF-8 bytes. */
  bytes: number;
  /** How many tasks the plan starts. */
  tasks: number;
}

/**
 * One task of a stored plan: its workflow input without what every task shares
 * (`StoredPlan.shared`), its people and units as positions in the plan's roster and unit
 * list, so the roster is stored once however many tasks name a person.
 */
export type StoredTask = Partial<Omit<TaskWorkflowInput, 'people' | 'units'>> & {
  taskNumber: number;
  people: number[];
  units: number[];
};

/** A plan as a campaign launches it: every task's workflow input, with the roster and units once. */
export interface StoredPlan {
  version: 1;
  planId: string;
  /** Every unit of the plan, in plan order. */
  units: Unit[];
  /** The roster of record at launch: every person with roles and public keys, in plan order. */
  roster: Person[];
  /** The fields of the task inputs that are the same for every task (policy, identity, zone, issuer, …). */
  shared: Partial<TaskWorkflowInput>;
  /** The tasks in plan order. */
  tasks: StoredTask[];
}

/** The sections of a stored plan the campaign reads a slice of at a time. */
export type StoredPlanSection = 'units' | 'roster';

/**
 * A plan's task inputs as one stored plan: fields equal in every task go to `shared`,
 * people and units become positions in the roster and unit list. `taskInputOf` gives
 * each input back as it was given (`buildTaskInput`'s output, field for field).
 *
 * @throws Error when a task names a person or unit the roster or unit list lacks: the
 *   inputs were not built from this roster.
 */
export function storedPlanOf(planId: string, units: readonly Unit[], roster: readonly Person[], inputs: readonly TaskWorkflowInput[]): StoredPlan {
  const json = (value: unknown) => canonicalize(value) ?? 'undefined';
  const perTask = new Set<string>(['taskNumber', 'people', 'units']);
  const first = inputs[0];
  const shared: Record<string, unknown> = {};
  if (first !== undefined) {
    for (const [key, value] of Object.entries(first)) {
      if (perTask.has(key) || value === undefined) continue;
      const text = json(value);
      if (inputs.every((input) => Object.prototype.hasOwnProperty.call(input, key) && json((input as unknown as Record<string, unknown>)[key]) === text)) shared[key] = value;
    }
  }
  const personAt = new Map(roster.map((p, i) => [p.id, i]));
  const unitAt = new Map(units.map((u, i) => [u.code, i]));
  const position = (map: Map<string, number>, key: string, what: string, taskNumber: number): number => {
    const at = map.get(key);
    if (at === undefined) throw new Error(`Task ${taskNumber} names ${what} ${key}, which the stored plan's list lacks.`);
    return at;
  };
  const tasks = inputs.map((input): StoredTask => {
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) if (!(key in shared) && key !== 'people' && key !== 'units') rest[key] = value;
    return {
      ...(rest as Omit<StoredTask, 'people' | 'units'>),
      taskNumber: input.taskNumber,
      people: input.people.map((p) => position(personAt, p.id, 'person', input.taskNumber)),
      units: input.units.map((u) => position(unitAt, u.code, 'unit', input.taskNumber)),
    };
  });
  return { version: 1, planId, units: [...units], roster: [...roster], shared: shared as Partial<TaskWorkflowInput>, tasks };
}

/**
 * The workflow input of the stored plan's task at `index` (plan order). People and units
 * are copies: a caller may change them without changing the plan it holds.
 */
export function taskInputOf(plan: StoredPlan, index: number): TaskWorkflowInput {
  const task = plan.tasks[index];
  if (task === undefined) throw new RangeError(`The stored plan of ${plan.planId} has ${plan.tasks.length} tasks; there is none at ${index}.`);
  const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const pick = <T>(list: readonly T[], at: number, what: string): T => {
    const item = list[at];
    if (item === undefined) throw new RangeError(`Task ${task.taskNumber} of the stored plan of ${plan.planId} names ${what} ${at}, which it lacks.`);
    return copy(item);
  };
  return {
    ...copy(plan.shared),
    ...copy(task),
    people: task.people.map((at) => pick(plan.roster, at, 'person')),
    units: task.units.map((at) => pick(plan.units, at, 'unit')),
  } as TaskWorkflowInput;
}

/** The stored plan's text: its canonical JSON (RFC 8785), which its hash is taken of. */
export function storedPlanText(plan: StoredPlan): string {
  const text = canonicalize(plan);
  if (text === undefined) throw new Error(`The stored plan of ${plan.planId} cannot be written as JSON.`);
  return text;
}

/** What the board needs of a task to show it before the task reports: a line's fixed facts. */
export type BoardSeed = Pick<TaskWorkflowInput, 'taskNumber' | 'title' | 'actionNumber' | 'deadlineAt' | 'primaryLead' | 'assistingLeads'>;

/** The board seed of a task input. */
export function boardSeedOf(input: BoardSeed): BoardSeed {
  return {
    taskNumber: input.taskNumber,
    title: { zh: input.title.zh, en: input.title.en },
    actionNumber: input.actionNumber,
    deadlineAt: input.deadlineAt,
    primaryLead: input.primaryLead,
    assistingLeads: [...input.assistingLeads],
  };
}

// ---------------------------------------------------------------------------------------
// Parts

/** The UTF-8 size of a text (what a payload and a database column hold). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one character of four bytes.
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Cuts a text into parts of at most `maxBytes` UTF-8 bytes each, never inside a surrogate
 * pair (a lone half would not survive a UTF-8 database column). Joined, the parts are the text.
 */
export function splitIntoParts(text: string, maxBytes: number = STORED_PART_BYTES): string[] {
  if (maxBytes < 4) throw new RangeError(`A part must hold at least one character (4 bytes); ${maxBytes} given.`);
  const parts: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    const width = pair ? 2 : 1;
    if (bytes + size > maxBytes) {
      parts.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    i += width;
  }
  if (start < text.length || parts.length === 0) parts.push(text.slice(start));
  return parts;
}

// ---------------------------------------------------------------------------------------
// The campaign's snapshot (continue-as-new)

/** Where a run saved its snapshot before continuing as new: the next run loads it. */
export interface CampaignSnapshotRef {
  /** The run that saved it; with the campaign's workflow ID, the key of its parts. */
  runId: string;
  parts: number;
  bytes: number;
  /** Board lines in it. */
  tasks: number;
  /**
   * Summaries that arrived while it was saved, saved after it in rounds: the parts of each
   * round's list, under the key `<runId>/late-<round>`.
   */
  late?: number[];
}

/** A board line as the snapshot stores it: without its workflow ID (derived) and its zero values. */
export type StoredBoardLine = Partial<BoardTask> & Pick<BoardTask, 'taskNumber'>;

/** Everything of the campaign's state that grows with its tasks, people, units or amendments. */
export interface CampaignSnapshot {
  version: 1;
  board: StoredBoardLine[];
  roster: Person[];
  units: Unit[];
  amendments: AmendmentRecord[];
  weekOpened: EscalationMove[];
  weekClosed: EscalationMove[];
  breakGlassSeen: Record<string, number>;
  breakGlassPending: BreakGlassAct[];
  /** The latest bulletin in full (the bulletins query's `latest`); older ones are in the audit trail. */
  latestBulletin?: Bulletin;
  /** The headlines of the latest bulletins, oldest first. */
  headlines: BulletinHeadline[];
}

/** The values a board line leaves out of the snapshot when it has them. */
function lineDefaults(): Pick<BoardTask, 'percent' | 'escalationLevel' | 'rungs' | 'assistingLeads' | 'yellows' | 'reds' | 'escalationsStarted' | 'escalationsStopped'> {
  return { percent: 0, escalationLevel: 0, rungs: [], assistingLeads: [], yellows: 0, reds: 0, escalationsStarted: 0, escalationsStopped: 0 };
}

/** A board line as the snapshot stores it. */
export function storedBoardLine(line: BoardTask): StoredBoardLine {
  const { workflowId: _derived, ...rest } = line;
  const stored: Record<string, unknown> = { ...rest };
  for (const [key, value] of Object.entries(lineDefaults())) {
    const kept = stored[key];
    if (Array.isArray(value) ? Array.isArray(kept) && kept.length === 0 : kept === value) delete stored[key];
  }
  return stored as StoredBoardLine;
}

/** A board line back from the snapshot of plan `planId`'s campaign. */
export function boardLineOf(planId: string, stored: StoredBoardLine): BoardTask {
  return { ...lineDefaults(), ...stored, workflowId: taskWorkflowId(planId, stored.taskNumber) } as BoardTask;
}
