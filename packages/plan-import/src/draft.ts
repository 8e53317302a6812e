/**
 * The draft an import makes: a format-2 plan's fields, each value that the text did not
 * state outright carrying a note for the reviewer (`review`, keyed by field name), and
 * the findings: what the import could not place, with the line it stands on.
 */
import type { Rule } from './dates';
import type { DraftUnit } from './units';

/** Notes for the reviewer, by field name: written as `# 待核: …` beside the field. */
export type Review = Record<string, string>;

export interface DraftDeadline {
  date?: string;
  rule?: Rule;
  source: string;
}

export interface DraftFiling {
  with: string;
  source: string;
  date?: string;
  rule?: Rule;
}

export interface DraftTask {
  number: number;
  printed: string;
  title: string;
  description: string;
  lead: string[];
  leadPrimary?: boolean;
  responsible: string[];
  responsibleSource?: string;
  cooperating?: string[];
  supports?: string[];
  milestones: string[];
  deadline?: DraftDeadline;
  nodes?: { id: string; date: string; rule: Rule; source: string; what?: string }[];
  recurring?: { id: string; every: 'month' | 'quarter' | 'week' | 'year'; day?: number; rule: Rule; duty: 'report' | 'dispatch' | 'check'; by?: string; source: string; from?: string; until?: string }[];
  /** A phase that opens later than the campaign: the work cannot begin before it. */
  start?: { date: string; source: string };
  /** One filing, or several (报…备案 twice). */
  filing?: DraftFiling | DraftFiling[];
  /** One supervising body, or several. */
  supervisor?: string | string[];
  dispatcher?: string;
  targets?: { description: string; kind?: 'exact' | 'rate' | 'approx' | 'relative'; quantity?: number; unit?: string; percent?: number; relation?: string }[];
  line: number;
  review: Review;
}

export interface DraftSection {
  /** Only top-level sections are numbered for duban. */
  number?: number;
  printed?: string;
  title: string;
  preamble?: string;
  tasks: DraftTask[];
  sections: DraftSection[];
  line: number;
  review: Review;
}

export interface DraftMilestone {
  id: string;
  source: string;
  due: string;
  rule: Rule;
  focusActions: number[];
  en: string;
  focus?: string;
  line: number;
  review: Review;
}

export interface DraftPerson {
  id: string;
  name: string;
  unit: string;
  roles: ('unit-head' | 'supervisor' | 'hq-office')[];
  example: true;
}

export interface DraftOrganization {
  headquarters: { name: string; en: string; leaders: string[] };
  office?: { name: string; en: string; hostUnit: string };
  groups: { code: string; duty: 'publicity' | 'supervision' | 'accountability' | 'other'; name: string; en: string; members: string[] }[];
  subHeadquarters: { action: number; name: string; en: string; leads: string[] }[];
  line: number;
  review: Review;
}

export interface DraftPlan {
  id: string;
  title: string;
  campaign: { start: string; end: string };
  units: (DraftUnit & { review: Review })[];
  people: DraftPerson[];
  milestones: DraftMilestone[];
  sections: DraftSection[];
  organization?: DraftOrganization;
  review: Review;
}

/**
 * What an import could not place or had to guess at plan level, each with its line (in a
 * .docx, the paragraph) so a person can look it up. The CLI words them in zh and en.
 */
export type FindingCode =
  /** A numbered item in the task part with no units: not made a task. */
  | 'item-without-units'
  /** Units given where no numbered item stands: not attached to anything. */
  | 'units-without-item'
  /** A task whose units name no lead (牵头单位): its responsible units are made leads. */
  | 'no-lead'
  /** A collective (各街道) whose members the text does not name. */
  | 'collective-without-members'
  /** A date the import cannot read (a lunar holiday, 春节前). */
  | 'date-unread'
  /** A date without its year: the campaign's year is assumed. */
  | 'year-assumed'
  /** The campaign's span is not stated: taken from the dates of the tasks, or the year of import. */
  | 'campaign-guessed'
  /** A headquarters or leading group (指挥部, 领导小组) is set up: not imported (format 2 keeps it optional). */
  | 'organization-not-imported'
  /** Text outside the tasks that carries no date or role: left out. */
  | 'text-left-out'
  /** Units are people's roles only (unit heads): the roster is left to fill in. */
  | 'roster-empty';

export interface Finding {
  code: FindingCode;
  line: number;
  /** The words concerned, as the text has them (shortened). */
  text: string;
}

/** Source words quoted in a finding or a review note: cut at `max` characters so each stays one line. */
export const shorten = (text: string, max = 40): string => ([...text].length > max ? `${[...text].slice(0, max).join('')}…` : text);
