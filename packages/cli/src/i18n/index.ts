/**
 * The CLI's one catalogue of labels and messages, one file per language (`en.ts`,
 * `zh.ts`). Task and unit names are never translated: they are printed as the plan writes
 * them. The words of the domain (statuses, lights, rungs, unit roles) are keyed by the
 * vocabulary of `@duban/common`, so a new status without a label fails to compile.
 *
 * @example
 * ```ts
 * t('zh', 'msg.ledgerWritten', { count: 20, file: '台账.csv' }); // '已将 20 项任务的台账写入 台账.csv。'
 * statusLabel('zh', 'approved'); // '已办结'
 * ```
 */
import type { Rung, TaskStatus, TrafficLight, UnitRole } from '@duban/common';
import { en } from './en';
import { zh } from './zh';

export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export type MessageKey = keyof typeof en;

/** A task's status on the board and in the ledger: a workflow's status, or not launched yet. */
export type ShownStatus = TaskStatus | 'not-launched';

const catalogues: Record<Lang, Record<MessageKey, string>> = { en, zh };

/** `zh` when LC_ALL (or else LANG) starts with `zh`, English otherwise. */
export function defaultLang(env: NodeJS.ProcessEnv): Lang {
  const locale = env.LC_ALL || env.LANG || '';
  return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/** A label or message in `lang`, with `{name}` placeholders filled from `params`. */
export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return catalogues[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

// The label functions below are the vocabulary check: `status.${ShownStatus}` must be a
// MessageKey, so a status, light, rung or role added to @duban/common without a label
// fails to compile here.
export function statusLabel(lang: Lang, status: ShownStatus): string {
  return t(lang, `status.${status}`);
}

export function lightLabel(lang: Lang, light: TrafficLight): string {
  return t(lang, `light.${light}`);
}

export function rungLabel(lang: Lang, rung: Rung): string {
  return t(lang, `rung.${rung}`);
}

export function roleLabel(lang: Lang, role: UnitRole): string {
  return t(lang, `role.${role}`);
}
