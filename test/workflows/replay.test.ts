import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../harness';

// Histories recorded from the time-skipping tests (DUBAN_RECORD_HISTORIES=1). A change to
// workflow code that breaks one of them needs `patched()`, not a new recording.
const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('recorded workflow histories', () => {
  it('are committed for the main paths of a task and a campaign', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'approved-before-deadline.json',
        'deadline-before-approval.json',
        'returned-then-approved.json',
        'four-rungs-then-caught-up.json',
        'extensions.json',
        'rejections.json',
        'seed-task-15-milestones.json',
        // Recorded since the delivery lanes and the audit chain (audit-chain, delivery-lanes tests).
        'webhook-rejected.json',
        'chained-continue-as-new.json',
        'campaign-chained.json',
        // Recorded since the trimmed bookkeeping (bookkeeping test, dev server): one timer, upserts of what changed.
        'task-bookkeeping.json',
        'task-timer-fired-early.json',
        // A campaign launched from a stored plan (scale test, dev server): the launch and its snapshot, the run that restores it.
        'campaign-stored-plan-launch.json',
        'campaign-stored-plan-restored.json',
      ]),
    );
  });

  it('replay without nondeterminism on the current workflow code', async () => {
    const histories = files.map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as { workflowId: string; history: unknown });
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
