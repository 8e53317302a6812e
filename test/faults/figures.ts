/**
 * The fault suite's figures, as the note quotes them: faults injected by type,
 * requests acknowledged, audit entries checked, lost and doubled, notifications delivered
 * and recorded failed, the seed and the wall time. Printed in the test output and written
 * as JSON (`DUBAN_FAULT_FIGURES`, else under the system temp directory, kept after the run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RequestCounts } from './actors';
import type { NotificationFigures, TrailFigures } from './checks';
import type { FaultCounts } from './rig';

export interface PhaseFigures {
  phase: string;
  /** The fault injected while the actors ran. */
  fault: string;
  requests: number;
  /** From the phase's first request until everything it caused was delivered and checked. */
  durationMs: number;
  /** Of which: waiting for deliveries still on their way once the actors were answered. */
  settledInMs: number;
  /** The longest one request waited for its answer (from its first send). */
  longestAnswerMs: number;
  /** Answers that came with `auditPending: true`. */
  auditPending: number;
  audit: TrailFigures;
  notifications: NotificationFigures;
}

export interface FaultFigures {
  seed: number;
  store: string;
  /** The tasks the actors drove, of the campaign's. */
  tasks: { driven: number[]; total: number };
  faults: FaultCounts & { auditStoreLockedMs: number; webhook500WindowMs: number; workerOutageMs: number; serverOutageMs: number };
  requests: RequestCounts;
  audit: TrailFigures;
  notifications: NotificationFigures;
  /** Activities whose attempts failed with AUDIT_STORE_UNAVAILABLE and later succeeded, by activity (workflow histories). */
  storeRetries: Record<string, number>;
  /** `duban audit verify`: exit codes before and after one row was altered, and the row it named. */
  verify: { cleanExit?: number; alteredRow?: string; alteredExit?: number; namedExactlyThatRow?: boolean };
  phases: PhaseFigures[];
  wallTimeMs: number;
  /** Where this JSON was written. */
  file?: string;
}

/** Where the figures go: `DUBAN_FAULT_FIGURES`, else `<tmp>/duban-faults/figures-<store>-seed-<seed>.json`. */
export function figuresFile(figures: Pick<FaultFigures, 'seed' | 'store'>, env: NodeJS.ProcessEnv = process.env): string {
  const given = env.DUBAN_FAULT_FIGURES?.trim();
  if (given) return given;
  return join(tmpdir(), 'duban-faults', `figures-${figures.store}-seed-${figures.seed}.json`);
}

/** Writes the figures as JSON and returns the lines to print. */
export function writeFigures(figures: FaultFigures): string[] {
  const file = figuresFile(figures);
  mkdirSync(dirname(file), { recursive: true });
  figures.file = file;
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  const f = figures.faults;
  const r = figures.requests;
  const n = figures.notifications;
  return [
    `duban fault suite (${figures.store}), seed ${figures.seed} (DUBAN_FAULT_SEED), wall time ${(figures.wallTimeMs / 1000).toFixed(1)} s`,
    `  faults injected: worker SIGKILL ${f.workerSigkill} (${f.workerOutageMs} ms without a worker), dev server SIGKILL+restart ${f.serverSigkill} (${f.serverOutageMs} ms down), ` +
      `webhook 500 ${f.webhook500} answers (${f.webhook500WindowMs} ms), ` +
      `webhook 400 ${f.webhook400} notifications, webhook slow ${f.webhookSlow} notifications, audit store locked ${f.auditStoreLocked}× (${f.auditStoreLockedMs} ms), ` +
      `answers lost ${r.answersLost}, audit row altered ${f.auditRowAltered}`,
    `  requests acknowledged: ${r.acknowledged} (tasks ${figures.tasks.driven.join(',')} of ${figures.tasks.total}; ${r.sends} sends, ${r.retried} retried, ` +
      `${r.answeredAlreadyApplied} answered already applied, ${r.auditPending} answered audit pending, ${r.throughOutages ?? 0} in flight through an outage)`,
    `  audit entries checked: ${figures.audit.entries} in ${figures.audit.chains} chains; lost ${figures.audit.lost}, doubled ${figures.audit.doubled}; ` +
      `writes held off and retried: ${JSON.stringify(figures.storeRetries)}`,
    `  notifications: ${n.produced} produced, ${n.delivered} delivered, ${n.recordedFailed} recorded as notification.failed; ${n.webhookRequests} webhook requests`,
    `  audit verify: clean exit ${figures.verify.cleanExit ?? '-'}; after altering ${figures.verify.alteredRow ?? '-'}: exit ${figures.verify.alteredExit ?? '-'}, ` +
      `named exactly that row: ${figures.verify.namedExactlyThatRow ?? '-'}`,
    ...figures.phases.map(
      (p) =>
        `  phase ${p.phase} (${p.fault}): ${p.requests} requests (longest answer ${(p.longestAnswerMs / 1000).toFixed(1)} s, ${p.auditPending} audit pending), ` +
        `${(p.durationMs / 1000).toFixed(1)} s (settled in ${(p.settledInMs / 1000).toFixed(1)} s), ` +
        `${p.audit.entries} entries, lost ${p.audit.lost}, doubled ${p.audit.doubled}, notifications ${p.notifications.delivered} delivered / ${p.notifications.recordedFailed} failed`,
    ),
    `  figures: ${file}`,
  ];
}
