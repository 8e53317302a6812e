/**
 * Signed instructions from the command line, on one dev server with a worker in this
 * process: the README's key commands exactly as written there (an operator issues keys to
 * the seed roster, the plan is launched, the lead acknowledges, reports and submits, a
 * supervisor approves with their key, the key is rotated and listed), then what the CLI
 * and the workflows refuse: no key file, another person's key, a revoked key, break-glass
 * by someone outside the HQ office, and an amendment from a forged plan file.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DubanClient, KeyStore, newKeyFile, type KeyFile } from '@duban/client';
import { ErrorCode } from '@duban/common';
import { freePort } from '@duban/servers';
import type { TaskState } from '@duban/workflows';
import { serverAddress, serverPerFile, startDevServerWithWorker, temporaryDirectory } from '../harness';
import { duban as run, expectRun, repoRoot, type Run } from '../cli/run';

const YEAR = new Date().getFullYear() + 1;
const dir = temporaryDirectory('duban-identity-cli-');
const env = serverPerFile(() => startDevServerWithWorker(join(dir, 'audit.sqlite')));
/** The operator's keys directory, where the README's `keys issue` writes. */
const keysDir = join(dir, 'keys');
const store = new KeyStore(keysDir);

/** `duban ARGS…` against this file's server, with the operator's keys unless `keys` names another directory. */
function duban(args: string[], keys = keysDir): Promise<Run> {
  return run(args, { env: { TEMPORAL_ADDRESS: serverAddress(env()), TEMPORAL_NAMESPACE: 'default', DUBAN_KEYS_DIR: keys } });
}

/** A command line of the README as the shell would split it (double quotes only, as the README uses). */
function argv(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/**
 * The README's lines under "Signed instructions", in order, re-dated to a campaign year to
 * come: each line as the duban commands it runs (`A && B` runs both; a `for X in …; do …;
 * done` line runs its body once per value; comment lines run nothing).
 */
function readmeKeyLines(): Array<{ line: string; runs: string[][] }> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split('## Signed instructions')[1] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const commandOf = (text: string) => {
    const words = argv(text.replace('--campaign-year 2027', `--campaign-year ${YEAR}`));
    expect(words.slice(0, 2)).toEqual(['pnpm', 'duban']);
    return words.slice(2);
  };
  return block
    .trimEnd()
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => {
      const loop = /^for (\w+) in ([^;]+); do (.+); done$/.exec(line);
      if (!loop) return { line, runs: line.split(' && ').map(commandOf) };
      const [, name = '', values = '', body = ''] = loop;
      return { line, runs: values.trim().split(/\s+/).flatMap((value) => body.replaceAll(`$${name}`, value).split(' && ').map(commandOf)) };
    });
}

/** A keys directory holding only `file`'s key, under `person`'s name, with `edit` applied to its content. */
function keysDirWith(name: string, from: string, person: string, edit: (file: KeyFile) => KeyFile = (f) => f): string {
  const other = new KeyStore(join(dir, name));
  mkdirSync(other.planDir('xihu-2020'), { recursive: true, mode: 0o700 });
  const file = JSON.parse(readFileSync(store.keyFilePath('xihu-2020', from), 'utf8')) as KeyFile;
  writeFileSync(other.keyFilePath('xihu-2020', person), JSON.stringify(edit(file)), { mode: 0o600 });
  return other.dir;
}

/** Runs `args` until `until` holds (a roster change reaches the tasks by signal, a moment after the amendment). */
async function eventually(args: string[], keys: string, until: (run: Run) => boolean): Promise<Run> {
  let last: Run = await duban(args, keys);
  for (let attempt = 0; attempt < 20 && !until(last); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    last = await duban(args, keys);
  }
  return last;
}

async function taskState(n: number): Promise<TaskState> {
  return new DubanClient(env().client).task('xihu-2020', n).state();
}

async function taskStarted(n: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (await taskState(n).then(() => true, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`task ${n} did not start`);
}

const revokedKeys = join(dir, 'revoked');

describe("the README's key commands", () => {
  const lines = readmeKeyLines();
  // What each command prints, by its first words.
  const says: Record<string, Array<string | RegExp>> = {
    'keys issue': [/Issued key [0-9a-f]{16} to supervisor-li: /, 'Plan xihu-2020 has no campaign yet', 'Hand each person their own key file'],
    launch: ['Launched plan xihu-2020'],
    'task ack': [/acknowledge applied to task 8 .*: now (assigned|acknowledged|in progress)/],
    'task report': ['reportProgress applied to task 8'],
    'task submit': ['now submitted'],
    'task review': ['now approved'],
    'keys rotate': [/Revoked key [0-9a-f]{16} of supervisor-li\./, 'Registered with the running campaign of plan xihu-2020'],
    'keys list': ['Keys of plan xihu-2020 in the roster of record', 'supervisor-li'],
  };
  const commandOf = (args: string[]) => (args[0] === 'launch' ? 'launch' : args.slice(0, 2).join(' '));

  it('are commands this test knows how to check', () => {
    expect(lines.flatMap((l) => l.runs.map(commandOf)).filter((c) => !(c in says))).toEqual([]);
  });

  it.each(lines.map((l) => [l.line, l.runs] as const))('%s', async (_line, runs) => {
    for (const args of runs) {
      const command = commandOf(args);
      // Keep supervisor-li's old key to try it once it is revoked.
      if (command === 'keys rotate') {
        mkdirSync(join(revokedKeys, 'xihu-2020'), { recursive: true, mode: 0o700 });
        copyFileSync(store.keyFilePath('xihu-2020', 'supervisor-li'), join(revokedKeys, 'xihu-2020', 'supervisor-li.key.json'));
      }
      const result = await duban(args);
      expect(result.stderr).toBe('');
      expectRun(result, 0, 'stdout', says[command] ?? []);
      // The campaign starts its tasks a moment after the launch returns; a person at a terminal is slower.
      if (command === 'launch') await taskStarted(8);
    }
  });

  it('recorded who signed each step: the approval carries supervisor-li’s signature and key id', async () => {
    const state = await taskState(8);
    expect(state.status).toBe('approved');
    const approved = state.timeline.find((e) => e.kind === 'review.approved');
    expect(approved?.actor).toBe('supervisor-li');
    expect(approved?.details).toMatchObject({ proof: { signer: 'supervisor-li', keyId: expect.stringMatching(/^[0-9a-f]{16}$/), signature: expect.any(String) } });
  });

  it('lists the keys of the roster of record: supervisor-li’s old key revoked, the new one active', async () => {
    const listed = await duban(['keys', 'list', 'plans/xihu-2020.yaml', '--json']);
    const rows = (JSON.parse(listed.stdout) as { source: string; rows: Array<{ person: string; keyId?: string; revokedAt?: string }> });
    expect(rows.source).toBe('campaign');
    const li = rows.rows.filter((r) => r.person === 'supervisor-li');
    expect(li).toHaveLength(2);
    expect(li.filter((r) => r.revokedAt === undefined).map((r) => r.keyId)).toEqual([(await store.keyFile('xihu-2020', 'supervisor-li')).keyId]);
  });
});

describe('refusals', () => {
  const plan = 'plans/xihu-2020.yaml';

  it('without a key file the CLI refuses and says how to get one (exit 1, KEY_FILE_MISSING)', async () => {
    expectRun(await duban(['task', 'ack', plan, '3', '--as', 'chengguan-head'], join(dir, 'no-keys')), 1, 'stderr', [
      'No key of chengguan-head for plan xihu-2020 on this machine',
      'An operator issues one with `pnpm duban keys issue PLAN --person chengguan-head`',
      '[KEY_FILE_MISSING]',
    ]);
  });

  it("another person's key file under one's own name is refused: by the CLI as it is, by the workflow once relabelled", async () => {
    const copied = keysDirWith('copied', 'chengguan-staff', 'chengjian-head');
    expectRun(await duban(['task', 'ack', plan, '3', '--as', 'chengjian-head'], copied), 1, 'stderr', ['holds the key of chengguan-staff', '[KEY_FILE_INVALID]']);
    const relabelled = keysDirWith('relabelled', 'chengguan-staff', 'chengjian-head', (f) => ({ ...f, person: 'chengjian-head' }));
    expectRun(await duban(['task', 'ack', plan, '3', '--as', 'chengjian-head'], relabelled), 1, 'stderr', ['is not a key of chengjian-head in the roster of record', '[KEY_UNKNOWN]']);
    expect((await taskState(3)).timeline.some((e) => e.kind === 'task.acknowledged')).toBe(false);
  });

  it("signing with one's own key for another actor is ACTING_FOR_ANOTHER", async () => {
    const staff = await store.signingKey('xihu-2020', 'chengguan-staff');
    await expect(new DubanClient(env().client).task('xihu-2020', 3).as(staff).acknowledge({ actor: 'chengjian-head' })).rejects.toMatchObject({ code: ErrorCode.ACTING_FOR_ANOTHER });
  });

  it('break-glass by someone outside the HQ office is refused; by the HQ office it is applied with both identities recorded', async () => {
    const breakGlass = (operator: string) => ['task', 'ack', plan, '3', '--as', 'chengjian-head', '--break-glass', '主任出差, 电话授权', '--operator', operator];
    expectRun(await duban(breakGlass('chengguan-staff')), 1, 'stderr', ['[BREAK_GLASS_NOT_ALLOWED]']);
    expectRun(await duban(['task', 'ack', plan, '3', '--as', 'chengjian-head', '--break-glass', 'x']), 2, 'stderr', ['--break-glass REASON and --operator PERSON go together']);
    expectRun(await duban(breakGlass('hq-office-clerk')), 0, 'stdout', ['acknowledge applied to task 3']);
    const ack = (await taskState(3)).timeline.find((e) => e.kind === 'task.acknowledged');
    expect(ack?.actor).toBe('chengjian-head');
    expect(ack?.details).toMatchObject({ proof: { signer: 'hq-office-clerk', breakGlass: { reason: '主任出差, 电话授权' } } });
  });

  it('a revoked key is refused (KEY_REVOKED); the rotated key signs', async () => {
    const cancel = ['task', 'cancel', plan, '5', '--as', 'supervisor-li', '--reason', 'x'];
    expectRun(await eventually(cancel, revokedKeys, (r) => r.stderr.includes('[KEY_REVOKED]')), 1, 'stderr', ['[KEY_REVOKED]']);
    // The identity check passes with the new key: what is left is the rule that supervisors do not cancel.
    expectRun(await eventually(cancel, keysDir, (r) => r.stderr.includes('[WRONG_ROLE]')), 1, 'stderr', ['[WRONG_ROLE]']);
  });

  it('a forged plan file giving a staff member the HQ office does not authorise their amendment (NOT_AUTHORISED)', async () => {
    const forged = join(dir, 'forged.yaml');
    writeFileSync(forged, readFileSync(join(repoRoot, plan), 'utf8').replace('unit: chengguan, roles: [staff],', 'unit: chengguan, roles: [staff, hq-office],'));
    expect(readFileSync(forged, 'utf8')).toContain('{ id: chengguan-staff, name: 城管办干事（示例）, unit: chengguan, roles: [staff, hq-office]');
    const amendment = join(dir, 'forged-amendment.yaml');
    writeFileSync(amendment, `plan: xihu-2020\nid: forged-1\nissuedBy: chengguan-staff\nreason: 调整\nmoveDeadlines:\n  - task: 7\n    deadline: { date: 2021-06-30, rule: by, source: s }\n    reason: r\n`);
    expectRun(await duban(['amend', forged, amendment, '--as', 'chengguan-staff']), 1, 'stderr', ['[NOT_AUTHORISED]']);
    const board = await new DubanClient(env().client).campaign('xihu-2020').board();
    expect(board.amendments.map((a) => a.amendmentId)).not.toContain('forged-1');
  });

  it('a key change to a running campaign needs an HQ signer (--as), and names only people of the plan', async () => {
    expectRun(await duban(['keys', 'revoke', plan, '--person', 'chengguan-staff']), 2, 'stderr', ['say which HQ office member signs this key change with --as PERSON']);
    expectRun(await duban(['keys', 'issue', plan, '--person', 'ghost-supervisor']), 2, 'stderr', ['ghost-supervisor is not a person of plan xihu-2020']);
    expectRun(await duban(['keys', 'revoke', plan, '--person', 'chengguan-staff', '--as', 'chengguan-staff']), 1, 'stderr', ['[NOT_AUTHORISED]']);
  });
});

describe('each person holds only their own key: `keys generate` on theirs, `keys register` on the operator’s', () => {
  const plan = 'plans/xihu-2020.yaml';
  /** Two machines: community-a-head's, and an operator's holding only hq-office-clerk's key. */
  const personKeys = join(dir, 'community-a-head-machine');
  let operatorKeys: string;
  let generated: { person: string; keyId: string; publicKey: string };

  beforeAll(() => {
    operatorKeys = keysDirWith('operator-machine', 'hq-office-clerk', 'hq-office-clerk');
  });

  it('keys generate writes the key file (0600 in a 0700 directory), prints the public key, and refuses to overwrite it without --force', async () => {
    const result = await duban(['keys', 'generate', plan, '--person', 'community-a-head', '--json'], personKeys);
    expectRun(result, 0, 'stdout', ['"publicKey"']);
    generated = JSON.parse(result.stdout) as typeof generated;
    expect(generated).toEqual({ person: 'community-a-head', keyId: expect.stringMatching(/^[0-9a-f]{16}$/), publicKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const store = new KeyStore(personKeys);
    expect((await store.keyFile('xihu-2020', 'community-a-head')).publicKey).toBe(generated.publicKey);
    expect(statSync(store.keyFilePath('xihu-2020', 'community-a-head')).mode & 0o777).toBe(0o600);
    expect(statSync(store.planDir('xihu-2020')).mode & 0o777).toBe(0o700);
    expect(existsSync(store.keyringPath('xihu-2020'))).toBe(false);
    expectRun(await duban(['keys', 'generate', plan, '--person', 'community-a-head'], personKeys), 2, 'stderr', ['already holds a key of community-a-head', '--force', '[USAGE]']);
    expect((await store.keyFile('xihu-2020', 'community-a-head')).keyId).toBe(generated.keyId);
  });

  it('keys generate without --json says which command registers the key', async () => {
    const other = join(dir, 'community-b-head-machine');
    expectRun(await duban(['keys', 'generate', plan, '--person', 'community-b-head'], other), 0, 'stdout', [
      /Generated key [0-9a-f]{16} of community-b-head: /,
      /pnpm duban keys register plans\/xihu-2020\.yaml --person community-b-head --public-key [0-9a-f]{64} --as HQ_OFFICE_PERSON/,
    ]);
  });

  it('the operator registers the public key with the running campaign, signed by the HQ office; the person then acknowledges with their own key', async () => {
    const registered = await duban(['keys', 'register', plan, '--person', 'community-a-head', '--public-key', generated.publicKey, '--as', 'hq-office-clerk'], operatorKeys);
    expectRun(registered, 0, 'stdout', [`Registered public key ${generated.keyId} of community-a-head`, 'Registered with the running campaign of plan xihu-2020']);
    const ack = await eventually(['task', 'ack', plan, '1', '--as', 'community-a-head'], personKeys, (r) => r.code === 0);
    expectRun(ack, 0, 'stdout', ['acknowledge applied to task 1']);
    const event = (await taskState(1)).timeline.find((e) => e.kind === 'task.acknowledged' && e.actor === 'community-a-head');
    expect(event?.details).toMatchObject({ proof: { signer: 'community-a-head', keyId: generated.keyId } });
  });

  it("the operator's machine holds no private key of the person", async () => {
    const operator = new KeyStore(operatorKeys);
    expect(readdirSync(operator.planDir('xihu-2020')).sort()).toEqual(['hq-office-clerk.key.json', 'keyring.json']);
    const secret = (await new KeyStore(personKeys).keyFile('xihu-2020', 'community-a-head')).privateKey;
    for (const name of readdirSync(operator.planDir('xihu-2020'))) expect(readFileSync(join(operator.planDir('xihu-2020'), name), 'utf8')).not.toContain(secret);
    expect((await operator.keyring('xihu-2020'))['community-a-head']?.map((k) => k.keyId)).toEqual([generated.keyId]);
  });

  it('a malformed --public-key is a usage error naming the flag (exit 2)', async () => {
    expectRun(await duban(['keys', 'register', plan, '--person', 'community-a-head', '--public-key', 'abc123', '--as', 'hq-office-clerk'], operatorKeys), 2, 'stderr', ['--public-key', '64 hex digits', '[USAGE]']);
  });
});

describe('with no server answering', () => {
  const plan = 'plans/xihu-2020.yaml';
  const offline = new KeyStore(join(dir, 'offline'));

  /** `duban ARGS…` against a port nobody listens on, with the `offline` keys. */
  async function unreachable(args: string[]): Promise<Run> {
    return run(args, { env: { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, TEMPORAL_NAMESPACE: 'default', DUBAN_KEYS_DIR: offline.dir } });
  }

  beforeAll(async () => {
    const at = new Date().toISOString();
    await offline.commit('xihu-2020', { issued: [newKeyFile('xihu-2020', 'chengguan-staff', at), newKeyFile('xihu-2020', 'hq-office-clerk', at)], revoked: [] }, at);
  });

  it.each(['revoke', 'rotate'])('keys %s fails (exit 1, SERVER_UNREACHABLE) and keeps the key file and the keyring as they were', async (action) => {
    const keyFile = readFileSync(offline.keyFilePath('xihu-2020', 'chengguan-staff'), 'utf8');
    const keyring = readFileSync(offline.keyringPath('xihu-2020'), 'utf8');
    const result = await unreachable(['keys', action, plan, '--person', 'chengguan-staff', '--as', 'hq-office-clerk']);
    expectRun(result, 1, 'stderr', [`Cannot ${action} keys of plan xihu-2020: No Temporal server answers at`, 'could not be told, so nothing was changed', '[SERVER_UNREACHABLE]']);
    expect(result.stdout).toBe('');
    expect(readFileSync(offline.keyFilePath('xihu-2020', 'chengguan-staff'), 'utf8')).toBe(keyFile);
    expect(readFileSync(offline.keyringPath('xihu-2020'), 'utf8')).toBe(keyring);
  });

  it('keys issue writes the keyring only, and says so', async () => {
    const result = await unreachable(['keys', 'issue', plan, '--person', 'supervisor-zhou']);
    expectRun(result, 0, 'stdout', [/Issued key [0-9a-f]{16} to supervisor-zhou: /, 'No Temporal server answers at', 'the public keys are in', 'only']);
    expect((await offline.keyring('xihu-2020'))['supervisor-zhou']).toHaveLength(1);
  });

  it('keys register records the public key in the keyring for the launch, and writes no key file', async () => {
    const own = new KeyStore(join(dir, 'accountability-officer-machine'));
    const generated = JSON.parse((await run(['keys', 'generate', plan, '--person', 'accountability-officer', '--json'], { env: { DUBAN_KEYS_DIR: own.dir } })).stdout) as { keyId: string; publicKey: string };
    const result = await unreachable(['keys', 'register', plan, '--person', 'accountability-officer', '--public-key', generated.publicKey.toUpperCase()]);
    expectRun(result, 0, 'stdout', [`Registered public key ${generated.keyId} of accountability-officer`, 'No Temporal server answers at', 'only']);
    expect((await offline.keyring('xihu-2020'))['accountability-officer']).toEqual([expect.objectContaining({ keyId: generated.keyId, publicKey: generated.publicKey })]);
    expect(existsSync(offline.keyFilePath('xihu-2020', 'accountability-officer'))).toBe(false);
  });
});
