import type { Command } from 'commander';
import type { Keyring, RosterKey } from '@duban/client';
import { ENV, isDubanError, ErrorCode } from '@duban/common';
import type { Plan } from '@duban/plan';
import { globalOptions, withDuban } from '../connection';
import type { CommandContext } from '../context';
import { t } from '../i18n';
import { printedAsJson, table } from '../output';
import { keyStore } from '../signing';
import { campaignRoster, runKeysChange, type KeysAction, type KeysChangeOptions } from './keys-change';
import { runKeysGenerate, runKeysRegister } from './keys-own';
import { readPlanOrFail } from './plan-validate';
import { examplesHelp, planJsonCommand, type PlanJsonOptions } from './register';
import { collect, localTime } from './task-common';

export type KeysListOptions = PlanJsonOptions;

/** One row of `keys list`: a person with one key (or none yet). */
export interface KeysListRow {
  person: string;
  name: string;
  roles: string[];
  keyId?: string;
  issuedAt?: string;
  revokedAt?: string;
}

export interface KeysListReport {
  planId: string;
  /** `campaign`: the running campaign's roster of record; `keyring`: the local keyring, before launch. */
  source: 'campaign' | 'keyring';
  rows: KeysListRow[];
}

function rowsOf(people: readonly { id: string; name: string; roles: readonly string[] }[], keysOf: (person: string) => readonly RosterKey[]): KeysListRow[] {
  return people.flatMap((p) => {
    const person = { person: p.id, name: p.name, roles: [...p.roles] };
    const keys = keysOf(p.id);
    if (keys.length === 0) return [person];
    return keys.map((k) => ({ ...person, keyId: k.keyId, issuedAt: k.issuedAt, ...(k.revokedAt !== undefined ? { revokedAt: k.revokedAt } : {}) }));
  });
}

async function keyringRows(ctx: CommandContext, plan: Plan): Promise<KeysListRow[]> {
  const keyring: Keyring = await keyStore(ctx).keyring(plan.id);
  return rowsOf(plan.people, (person) => keyring[person] ?? []);
}

/**
 * `duban keys list PLAN`: who holds which key. From the running campaign's roster of
 * record when there is one (what the workflows check), else from the local keyring.
 */
export async function runKeysList(ctx: CommandContext, options: KeysListOptions): Promise<KeysListReport> {
  const plan = await readPlanOrFail(ctx, options.file, options.json === true);
  let report: KeysListReport;
  try {
    report = await withDuban(ctx, options, async (duban) => {
      const roster = await campaignRoster(duban, plan.id);
      if (roster === undefined) return { planId: plan.id, source: 'keyring' as const, rows: await keyringRows(ctx, plan) };
      return { planId: plan.id, source: 'campaign' as const, rows: rowsOf(roster, (person) => roster.find((p) => p.id === person)?.keys ?? []) };
    });
  } catch (error) {
    if (!isDubanError(error) || error.code !== ErrorCode.SERVER_UNREACHABLE) throw error;
    report = { planId: plan.id, source: 'keyring', rows: await keyringRows(ctx, plan) };
  }
  if (printedAsJson(ctx.output, options.json, report)) return report;
  const { lang } = options;
  ctx.output.line(
    report.source === 'campaign' ? t(lang, 'keys.listCampaign', { plan: plan.id }) : t(lang, 'keys.listKeyring', { plan: plan.id, file: keyStore(ctx).keyringPath(plan.id) }),
  );
  ctx.output.line('');
  const headers = (['label.person', 'label.name', 'label.roles', 'label.keyId', 'label.issued', 'label.revoked'] as const).map((key) => t(lang, key));
  const when = (iso: string | undefined) => localTime(iso, plan.timeZone);
  ctx.output.line(table(headers, report.rows.map((r) => [r.person, r.name, r.roles.join(', '), r.keyId ?? '—', when(r.issuedAt), when(r.revokedAt)])));
  return report;
}

interface ChangeFlags {
  person?: string[];
  all?: boolean;
  key?: string;
  as?: string;
  reason?: string;
  json?: boolean;
}

function changeCommand(keys: Command, ctx: CommandContext, action: KeysAction, description: string, examples: string[]): Command {
  return keys
    .command(action)
    .description(description)
    .argument('<plan>', 'the plan file (YAML)')
    .option('--person <person>', 'a person id from the plan roster (repeatable)', collect)
    .option('--as <person>', `when the campaign runs: the HQ office member whose key signs the change (default $${ENV.actingAs})`)
    .option('--reason <text>', 'the reason recorded with the amendment')
    .option('--json', 'print what changed as JSON')
    .addHelpText('after', examplesHelp(examples))
    .action(async (file: string, o: ChangeFlags, command: Command) => {
      const options: KeysChangeOptions = {
        ...globalOptions(command, ctx),
        file,
        action,
        persons: o.person ?? [],
        ...(o.all !== undefined ? { all: o.all } : {}),
        ...(o.key !== undefined ? { keyId: o.key } : {}),
        ...(o.as !== undefined ? { as: o.as } : {}),
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        json: o.json,
      };
      await runKeysChange(ctx, options);
    });
}

/** `duban keys …`: operators issue, rotate, revoke, register and list the roster's signing keys; a person generates their own. */
export function registerKeys(program: Command, ctx: CommandContext): void {
  const keys = program
    .command('keys')
    .description("Issue, rotate, revoke and list people's signing keys (every instruction is signed; --as picks the key)")
    .addHelpText(
      'after',
      `\nPrivate keys: <keys dir>/<plan>/<person>.key.json (0600); keys dir: $${ENV.keysDir}, else $XDG_CONFIG_HOME/duban/keys, else ~/.config/duban/keys.\n` +
        'The public keys: <keys dir>/<plan>/keyring.json, which `duban launch` puts into the roster of record.',
    );
  changeCommand(keys, ctx, 'issue', 'Issue keys to people who hold none (before launch: into the keyring; while the campaign runs: also as a signed amendment)', [
    'pnpm duban keys issue plans/xihu-2020.yaml --all',
    'pnpm duban keys issue plans/xihu-2020.yaml --person supervisor-zhou --as hq-office-clerk',
  ]).option('--all', 'every person of the plan');
  changeCommand(keys, ctx, 'rotate', "Replace a person's key: a new one is issued and the old ones revoked", [
    'pnpm duban keys rotate plans/xihu-2020.yaml --person supervisor-li --as hq-office-clerk',
  ]);
  changeCommand(keys, ctx, 'revoke', "Revoke a person's key (all active ones unless --key): it signs nothing from now on", [
    'pnpm duban keys revoke plans/xihu-2020.yaml --person chengguan-staff --as hq-office-clerk',
  ]).option('--key <id>', 'only this key id');
  keys
    .command('generate')
    .description('Generate your own key on your own machine (contacts no server): writes your key file and prints the public key and the command an operator runs to register it')
    .argument('<plan>', 'the plan file (YAML)')
    .requiredOption('--person <person>', 'your person id in the plan roster')
    .option('--force', 'replace a key file already there (have the old key revoked)')
    .option('--json', 'print { person, keyId, publicKey } as JSON')
    .addHelpText('after', examplesHelp(['pnpm duban keys generate plans/xihu-2020.yaml --person supervisor-zhou']))
    .action(async (file: string, o: { person: string; force?: boolean; json?: boolean }, command: Command) => {
      await runKeysGenerate(ctx, { ...globalOptions(command, ctx), file, person: o.person, ...(o.force !== undefined ? { force: o.force } : {}), json: o.json });
    });
  keys
    .command('register')
    .description("Register the public key a person generated with `keys generate` (while the campaign runs: a signed amendment; before launch: into the keyring). No private key is written")
    .argument('<plan>', 'the plan file (YAML)')
    .requiredOption('--person <person>', 'the person id the key belongs to')
    .requiredOption('--public-key <hex>', 'the Ed25519 public key `keys generate` printed (64 hex digits)')
    .option('--as <person>', `when the campaign runs: the HQ office member whose key signs the change (default $${ENV.actingAs})`)
    .option('--reason <text>', 'the reason recorded with the amendment')
    .option('--json', 'print what was registered as JSON')
    .addHelpText('after', examplesHelp(['pnpm duban keys register plans/xihu-2020.yaml --person supervisor-zhou --public-key 3b6a27bc…e6b1 --as hq-office-clerk']))
    .action(async (file: string, o: { person: string; publicKey: string; as?: string; reason?: string; json?: boolean }, command: Command) => {
      await runKeysRegister(ctx, {
        ...globalOptions(command, ctx),
        file,
        person: o.person,
        publicKey: o.publicKey,
        ...(o.as !== undefined ? { as: o.as } : {}),
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        json: o.json,
      });
    });
  planJsonCommand(keys, ctx, {
    name: 'list',
    description: "Who holds which key: the running campaign's roster of record, or the keyring before launch",
    argument: { name: '<plan>', description: 'the plan file (YAML)' },
    jsonHelp: 'print the rows as JSON',
    examples: ['pnpm duban keys list plans/xihu-2020.yaml'],
    run: runKeysList,
  });
}
