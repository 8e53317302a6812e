/**
 * How the worker is given the plans it routes: `DUBAN_PLANS` (files, separated like PATH),
 * loaded and checked before anything starts; a plan with problems, or a secret its
 * channels name that is not set, stops the worker at start with the reason.
 */
import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { readWorkerSettings, workerMain, createDubanWorker } from '@duban/worker';
import { InMemoryAuditStore } from '@duban/activities';
import { loadPlanFile } from '@duban/plan';
import { removeTemporaryDirectories, SEED_PLAN_PATH, temporaryDirectory } from '../harness';

afterAll(removeTemporaryDirectories);

test('DUBAN_PLANS lists the plan files whose routing the worker follows', () => {
  const settings = readWorkerSettings({ DUBAN_PLANS: ['plans/xihu-2020.yaml', ' ', 'plans/other.yaml'].join(delimiter) });
  expect(settings.plans).toEqual(['plans/xihu-2020.yaml', 'plans/other.yaml']);
  expect(readWorkerSettings({}).plans).toBeUndefined();
});

test('a routed plan with problems stops the worker before it connects, naming the file and the problem', async () => {
  const broken = join(temporaryDirectory('duban-worker-plans-'), 'broken.yaml');
  const seed = await import('node:fs').then((fs) => fs.readFileSync(SEED_PLAN_PATH, 'utf8'));
  writeFileSync(broken, seed.replace('passwordSecret: xihu-smtp', 'password: "hunter2"'));
  // Nothing listens there: had it connected first, the error would be another.
  const failure = await workerMain({ env: { DUBAN_PLANS: broken, TEMPORAL_ADDRESS: '127.0.0.1:1' }, signals: [] }).catch((err: unknown) => err);
  expect(failure).toMatchObject({ code: 'WORKER_CONFIG_INVALID' });
  expect(String((failure as Error).message)).toContain('SECRET_IN_PLAN routing.channels.hq-mail.password');
  expect(String((failure as Error).message)).not.toContain('hunter2');
});

test("a secret the plan's channels name that is not set stops the worker at start", async () => {
  const plan = await loadPlanFile(SEED_PLAN_PATH);
  const failure = await createDubanWorker({ auditStore: new InMemoryAuditStore(), plans: [plan], workflowBundle: { code: '' }, address: '127.0.0.1:1' }).catch((err: unknown) => err);
  expect(failure).toMatchObject({ code: 'SECRET_NOT_FOUND' });
  expect(String((failure as Error).message)).toContain('DUBAN_SECRET_XIHU_SMTP');
});
