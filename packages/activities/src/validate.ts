import { NOTICE_KINDS, messageOf, type NoticeKind } from '@duban/common';
import type { AuditEntryInput, NotificationInput } from './contract';
import { ActivityErrorCode, DubanActivityError } from './errors';

/** An ISO 8601 instant that names its offset: a bare local time would be ambiguous in the trail. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Longest idempotency key accepted; Temporal IDs are at most 1,000 characters and keys add an event. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 2000;

function invalid(what: string, field: string, problem: string, key?: unknown): DubanActivityError {
  return new DubanActivityError(ActivityErrorCode.INVALID_INPUT, `Invalid ${what}: ${field} ${problem}.`, {
    details: { field, ...(typeof key === 'string' ? { idempotencyKey: key } : {}) },
  });
}

function requireString(what: string, value: unknown, field: string, key: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(what, field, 'must be a non-empty string', key);
  return value;
}

/** Parses an ISO instant with offset to epoch ms; throws `INVALID_INPUT` naming `field`. */
export function parseInstant(what: string, value: unknown, field: string, key?: unknown): number {
  const text = requireString(what, value, field, key);
  const ms = Date.parse(text);
  if (!ISO_WITH_OFFSET.test(text) || !Number.isFinite(ms)) {
    throw invalid(what, field, `must be an ISO instant with an offset, e.g. 2020-09-30T09:00:00+08:00 (got ${JSON.stringify(text)})`, key);
  }
  return ms;
}

function requireKey(what: string, value: unknown): string {
  const key = requireString(what, value, 'idempotencyKey', undefined);
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw invalid(what, 'idempotencyKey', `is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  return key;
}

function requireTaskNumber(what: string, value: unknown, key: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(what, 'taskNumber', 'must be a non-negative integer', key);
  }
  return value;
}

/** Checks an audit entry from the workflow; returns its `at` in epoch ms and its details as JSON. */
export function validateAuditEntry(entry: AuditEntryInput): { atMs: number; detailsJson: string } {
  const what = 'audit entry';
  const key = requireKey(what, entry?.idempotencyKey);
  const atMs = parseInstant(what, entry.at, 'at', key);
  requireString(what, entry.planId, 'planId', key);
  requireTaskNumber(what, entry.taskNumber, key);
  requireString(what, entry.workflowId, 'workflowId', key);
  requireString(what, entry.actor, 'actor', key);
  requireString(what, entry.event, 'event', key);
  const details: unknown = entry.details ?? {};
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw invalid(what, 'details', 'must be an object', key);
  }
  let detailsJson: string;
  try {
    detailsJson = JSON.stringify(details);
  } catch (err) {
    throw invalid(what, 'details', `cannot be written as JSON (${messageOf(err)})`, key);
  }
  if (entry.chain !== undefined && entry.chain !== null) validateLink(what, entry.chain, key);
  return { atMs, detailsJson };
}

/** A sha-256 in lower-case hex, as `@duban/identity` writes it. */
const HASH_HEX = /^[0-9a-f]{64}$/;

/**
 * The link's shape only: whether the hash fits the entry is `audit verify`'s question.
 * Refusing a mismatched hash here would stall the task's audit lane for good, and the
 * entry would be lost instead of reported.
 */
function validateLink(what: string, link: unknown, key: string): void {
  if (typeof link !== 'object' || link === null) throw invalid(what, 'chain', 'must be an object with seq, prevHash and hash', key);
  const { seq, prevHash, hash } = link as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw invalid(what, 'chain.seq', 'must be a positive integer', key);
  if (typeof prevHash !== 'string' || !HASH_HEX.test(prevHash)) throw invalid(what, 'chain.prevHash', 'must be 64 lower-case hex digits', key);
  if (typeof hash !== 'string' || !HASH_HEX.test(hash)) throw invalid(what, 'chain.hash', 'must be 64 lower-case hex digits', key);
}

/** Checks a notification from the workflow. */
export function validateNotification(notification: NotificationInput): void {
  const what = 'notification';
  const key = requireKey(what, notification?.idempotencyKey);
  parseInstant(what, notification.at, 'at', key);
  requireString(what, notification.planId, 'planId', key);
  requireTaskNumber(what, notification.taskNumber, key);
  requireString(what, notification.workflowId, 'workflowId', key);
  if (!Array.isArray(notification.recipients)) throw invalid(what, 'recipients', 'must be an array', key);
  const notice: unknown = notification.notice;
  if (typeof notice !== 'object' || notice === null || !isNoticeKind((notice as { kind?: unknown }).kind)) {
    throw invalid(what, 'notice.kind', `must be one of ${NOTICE_KINDS.join(', ')}`, key);
  }
}

function isNoticeKind(kind: unknown): kind is NoticeKind {
  return (NOTICE_KINDS as readonly unknown[]).includes(kind);
}
