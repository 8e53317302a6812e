/**
 * `duban users invite` and `duban serve` through `main`, in this process: the invitation
 * link printed once (its token stored only hashed, the person's key sealed under it),
 * refused for someone not in the plan or without a key; `serve` without a plan says how
 * to name one. The workspace itself is exercised in accounts.test.ts and instructions.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Accounts } from '@duban/web';
import { removeTemporaryDirectories, SEED_PLAN_PATH, temporaryDirectory } from '../harness';
import { keysPerFile } from '../harness/keys';
import { duban } from '../cli/run';

const keys = keysPerFile();
afterAll(removeTemporaryDirectories);

describe('duban users invite', () => {
  it('prints a one-time link whose token is stored only hashed, carrying the person’s sealed key', async () => {
    const db = join(temporaryDirectory('duban-web-cli-'), 'workspace.sqlite');
    const run = await duban(['users', 'invite', 'chengguan-head', '--plan', SEED_PLAN_PATH, '--db', db, '--url', 'https://duban.example.gov.cn/', '--json'], { env: keys().env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { person: string; name: string; link: string; plans: string[]; expiresAt: string };
    expect(report).toMatchObject({ person: 'chengguan-head', name: '城管办主任（示例）', plans: ['xihu-2020'] });
    expect(report.link).toMatch(/^https:\/\/duban\.example\.gov\.cn\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(report.expiresAt) - Date.now()).toBeGreaterThan(71 * 3_600_000);
    const token = report.link.split('/').pop() as string;
    const file = readFileSync(db);
    expect(file.includes(Buffer.from(token))).toBe(false);
    expect(file.includes(Buffer.from((await keys().key('chengguan-head')).privateKey))).toBe(false);
    const accounts = Accounts.open(db);
    try {
      const opened = await accounts.invitationContents(token, Date.now());
      expect(opened.keys).toEqual([expect.objectContaining({ planId: 'xihu-2020', privateKey: (await keys().key('chengguan-head')).privateKey })]);
    } finally {
      accounts.close();
    }
  });

  it('refuses a person who is not in the plan, and one whose key is not on this machine', async () => {
    const db = join(temporaryDirectory('duban-web-cli-'), 'workspace.sqlite');
    const unknown = await duban(['--lang', 'zh', 'users', 'invite', 'nobody', '--plan', SEED_PLAN_PATH, '--db', db], { env: keys().env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UNKNOWN_PERSON');
    const keyless = await duban(['users', 'invite', 'chengguan-head', '--plan', SEED_PLAN_PATH, '--db', db], { env: { DUBAN_KEYS_DIR: temporaryDirectory('duban-no-keys-') } });
    expect(keyless.code).not.toBe(0);
    expect(keyless.stderr).toContain('KEY_FILE_MISSING');
  });
});

describe('duban serve', () => {
  it('asks for the plans to serve when none is named', async () => {
    const run = await duban(['serve'], { env: { DUBAN_PLANS: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--plan');
  });
});
