/**
 * Who gave a task message, and whether its request id was seen before. The proof is
 * verified only in the update validator (validators do not run on replay, so histories
 * recorded before signatures existed keep replaying); the handler records the proof it
 * was given, already verified, in the timeline and the audit entry.
 */
import type { Instruction, Proof } from '@duban/identity';
import { checkSender } from '../identity-check';
import { fail } from '../failure';
import { TaskErrorCode, type ProcessedRequest, type TaskWorkflowInput } from './definitions';

/**
 * The authority rules (self decision, conflict of interest, extensions within the
 * campaign, a reason for approving unfinished work) and the request-id digest run in the
 * handler only for histories recorded since they exist: an older history replays as it ran.
 */
export const AUTHORITY_RULES_PATCH = 'duban-task-authority-rules';

/**
 * How many applied request ids a task remembers (the newest; carried across
 * continue-as-new, whose input is one payload and must stay small). A task takes a
 * handful of messages a day, so 500 ids reach back weeks, while a signed instruction is
 * accepted only for `maxAgeMs` (minutes) after it was issued: an id that has left the
 * window comes back only with a signature too old to accept (INSTRUCTION_EXPIRED).
 * Unsigned messages of a legacy task (no keys in its roster) have no such guard: an id
 * older than the window would be applied again.
 */
export const REMEMBERED_REQUESTS = 500;

/** Refuses the message unless its proof shows `actor` gave it (or HQ office, break-glass); a proof sent unasked is checked too. */
export function verifyProof(input: TaskWorkflowInput, instruction: Instruction, proof: Proof | undefined, actor: string): void {
  // A legacy task (launched unsigned, nobody holding a key yet) takes unsigned messages until an amendment registers keys.
  const checked = checkSender({ instruction, proof, actor, roster: input.people, identity: input.identity, nowMs: Date.now() });
  if (!checked.ok) fail(checked.code, checked.message, checked.details);
}

/** What the timeline and the audit entry keep of a proof: enough to verify it again later. */
export function proofDetails(proof: Proof): Record<string, unknown> {
  const { signer, keyId, signature, issuedAt, breakGlass } = proof;
  return { signer, keyId, signature, issuedAt, ...(breakGlass ? { breakGlass: { reason: breakGlass.reason } } : {}) };
}

/** Whether the proof is an HQ office member's act for someone else (the validator checked the signer may). */
export function isBreakGlass(proof: Proof | undefined, actor: string): proof is Proof & { breakGlass: { reason: string } } {
  return proof?.breakGlass !== undefined && proof.signer !== actor;
}

/** The request ids a task applied, newest last, at most {@link REMEMBERED_REQUESTS}. */
export class RequestLog {
  private readonly entries: Record<string, ProcessedRequest | string>;

  constructor(carried: Record<string, ProcessedRequest | string> = {}) {
    this.entries = { ...carried };
    this.prune();
  }

  /**
   * Whether `requestId` was already applied as this very instruction (a retry, answered
   * `applied: false`); refuses a reuse for another message or, when `compareContent`, other
   * content. Ids remembered by runs before digests existed compare by message only.
   */
  isRetry(requestId: string, message: string, digest: string, compareContent: boolean): boolean {
    const seen = this.entries[requestId];
    if (seen === undefined) return false;
    const used = typeof seen === 'string' ? { message: seen, digest: undefined } : seen;
    if (used.message !== message) {
      fail(TaskErrorCode.REQUEST_ID_REUSED, `Request id ${requestId} was already used for ${used.message}; use a fresh id for ${message}.`, {
        requestId,
        usedFor: used.message,
      });
    }
    if (compareContent && used.digest !== undefined && used.digest !== digest) {
      fail(
        TaskErrorCode.REQUEST_ID_REUSED,
        `Request id ${requestId} was already used for another ${message} (other arguments or actor); use a fresh id for a new instruction.`,
        { requestId, usedFor: used.message },
      );
    }
    return true;
  }

  remember(requestId: string, entry: ProcessedRequest): void {
    this.entries[requestId] = entry;
    this.prune();
  }

  /** The window as carried across continue-as-new. */
  carried(): Record<string, ProcessedRequest | string> {
    return this.entries;
  }

  private prune(): void {
    const ids = Object.keys(this.entries);
    if (ids.length <= REMEMBERED_REQUESTS) return;
    // Oldest first; ids carried in the legacy shape have no seq and count as oldest.
    const seqOf = (id: string) => {
      const entry = this.entries[id];
      return typeof entry === 'object' ? entry.seq : -1;
    };
    const oldest = ids.sort((a, b) => seqOf(a) - seqOf(b)).slice(0, ids.length - REMEMBERED_REQUESTS);
    for (const id of oldest) delete this.entries[id];
  }
}
