/**
 * The whole seed campaign with everyone on time, from the launch to the last approval:
 * 20 tasks approved, no rung of the ladder fired, and the run's files written (the audit
 * trail, the ledger, a self-contained HTML report, the notification log).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { removeTemporaryDirectories } from '../harness';
import { repoRoot } from '../cli/run';
import { fixture, outcomeOf, simulateCli, YEAR } from './helpers';

afterAll(removeTemporaryDirectories);

it('everyone on time: 20 tasks approved, no escalation, before the campaign ends', async () => {
  const run = await simulateCli(['--scenario', fixture('seed-on-time.yaml'), '--json']);
  expect(run.stderr).not.toContain('duban:');
  expect(run.code).toBe(0);
  const outcome = outcomeOf(run);
  expect(outcome.totals).toMatchObject({ tasks: 20, approved: 20, open: 0, late: 0, escalated: 0, rungs: 0 });
  expect(outcome.escalations).toEqual([]);
  expect(outcome.endedBy).toBe('all-finished');
  expect(outcome.stoppedOn <= `${YEAR + 1}-12-31`).toBe(true);
  for (const task of outcome.tasks) {
    expect(task).toMatchObject({ status: 'approved', light: 'green', returns: 0 });
    expect(task.approvedOn && task.approvedOn <= task.deadline).toBe(true);
  }
  // Each of the three milestones' tasks was approved before it or checked green at it.
  expect(outcome.milestones.map((m) => [m.id, m.yellow + m.red, m.doneBefore + m.green === m.concerns])).toEqual([
    ['national-day-2020', 0, true],
    ['new-year-2021', 0, true],
    ['end-2021', 0, true],
  ]);
  expect(outcome.milestones.find((m) => m.id === 'end-2021')?.concerns).toBe(20);
  expect(outcome.units.every((u) => u.approved === u.tasks && u.rungs === 0)).toBe(true);
  // The weekly dispatch ran every week of it.
  expect(outcome.bulletins.count).toBeGreaterThan(90);
  expect(outcome.people.refusals).toEqual([]);

  // Paths inside the repository are shown relative to it, others (this test's temporary directory) as they are.
  const file = (path: string) => (isAbsolute(path) ? path : join(repoRoot, path));
  const report = readFileSync(file(outcome.files.report ?? ''), 'utf8');
  expect(report).toContain('<svg');
  // Self-contained: no script, stylesheet, image or font from anywhere else.
  expect(report).not.toMatch(/<script|<link|<img|src=|url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  const ledger = readFileSync(file(outcome.files.ledger ?? ''), 'utf8').trim().split('\n');
  expect(ledger).toHaveLength(21);
  expect(ledger.slice(1).every((row) => row.includes('approved'))).toBe(true);
  expect(existsSync(file(outcome.files.auditDb))).toBe(true);
  expect(readFileSync(file(outcome.files.auditCsv ?? ''), 'utf8')).toContain('review.approved');
  const notifications = readFileSync(file(outcome.files.notifications), 'utf8').trim().split('\n');
  expect(notifications.filter((l) => l.includes('"kind":"bulletin"')).length).toBe(outcome.bulletins.count);
}, 900_000);
