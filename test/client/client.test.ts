/**
 * What the client refuses before it talks to a server, and what it says when no server
 * answers: every error is a `DubanError` with a registry code. No Temporal server runs
 * here; the SDK client's connection is lazy and never used by these refusals.
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { errorKind, isDubanError } from '@duban/common';
import { DubanClient, DubanClientError, DubanClientErrorCode, buildTaskInput } from '@duban/client';
import { loadPlanFile, type Amendment, type Plan } from '@duban/plan';

const seedPath = join(__dirname, '..', '..', 'plans', 'xihu-2020.yaml');

let plan: Plan;
let duban: DubanClient;
beforeAll(async () => {
  plan = await loadPlanFile(seedPath);
  duban = new DubanClient(new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }));
});

/** The error a call throws (or rejects with), for assertions on its fields. */
async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

test('a malformed message argument is refused before sending, as INVALID_ARGUMENT naming the field', async () => {
  const error = await caught(() => duban.task(plan.id, 3).reportProgress({ actor: 'chengguan-staff', percent: 140, note: '过半' }));
  expect(error).toBeInstanceOf(DubanClientError);
  expect(isDubanError(error)).toBe(true);
  expect(error).toMatchObject({ code: DubanClientErrorCode.INVALID_ARGUMENT, field: 'percent' });
  expect(errorKind((error as DubanClientError).code)).toBe('invalid');
});

test('a plan that cannot become workflow input is refused as a DubanError with the field at fault', () => {
  const broken: Plan = { ...plan, policies: { ...plan.policies, stallWindow: 'P0D' } };
  const error = (() => {
    try {
      return buildTaskInput(broken, 1);
    } catch (e) {
      return e;
    }
  })();
  expect(isDubanError(error)).toBe(true);
  expect(error).toMatchObject({ code: 'INVALID_PLAN', field: 'policies.stallWindow' });
});

test("amending a campaign with another plan's file is refused as PLAN_MISMATCH before any call", async () => {
  const amendment: Amendment = { plan: plan.id, id: 'a-1', issuedBy: 'hq-office-clerk', reason: '调整', addTasks: [], moveDeadlines: [], reassign: [] };
  const error = await caught(() => duban.campaign('another-plan').amend(plan, amendment));
  expect(error).toMatchObject({ code: DubanClientErrorCode.PLAN_MISMATCH, details: { planId: 'another-plan', given: plan.id } });
});

test('connecting where no server answers fails as SERVER_UNREACHABLE naming the address and how to fix it', async () => {
  const error = await caught(() => DubanClient.connect({ address: '127.0.0.1:1', connectionOptions: { connectTimeout: '1 second' } }));
  expect(error).toMatchObject({ code: 'SERVER_UNREACHABLE', details: { address: '127.0.0.1:1' } });
  expect((error as Error).message).toContain('duban dev');
  expect(errorKind((error as DubanClientError).code)).toBe('unavailable');
});
