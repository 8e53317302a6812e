/**
 * The shape of a language's words for the workspace's pages: one catalogue per language
 * (`zh.ts` first, `en.ts`), so a word added to one and missing from the other fails to
 * compile. Words only: the models arrive with names and local times already resolved.
 */
import type { Rung, TaskStatus, TrafficLight, UnitRole } from '@duban/common';
import type { AuditModel, BoardModel, InboxDuty, Lang, Notice } from '../../models';

export interface Words {
  /** The document's `lang` attribute. */
  htmlLang: string;
  app: string;
  /** The switch to the other language. */
  otherLanguage: { lang: Lang; label: string };
  nav: { main: string; inbox: string; board: string; bulletin: string; assessment: string; audit: string; logout: string; logoutAll: string; signedInAs: string };
  light: Record<TrafficLight, string>;
  status: Record<TaskStatus, string>;
  rung: Record<Rung, string>;
  ladder: { title: string; none: string; current: string };
  unitRole: Record<UnitRole, string>;
  duty: Record<InboxDuty, string>;
  notice: Record<Notice['kind'], string>;
  common: {
    task(number: number, printed?: string): string;
    percent: string;
    due: string;
    deadline: string;
    nextDeadline: string;
    overdue: string;
    status: string;
    light: string;
    unit: string;
    person: string;
    time: string;
    score: string;
    none: string;
    system: string;
    back: string;
    open: string;
    submit: string;
    requiredMark: string;
    onePerLine: string;
    linkHost(host: string): string;
    notALink: string;
  };
  login: { title: string; username: string; password: string; submit: string; locked: string; hint: string };
  invite: {
    title: string;
    welcome(name: string): string;
    plans: string;
    expires: string;
    password: string;
    password2: string;
    minLength(n: number): string;
    totpTitle: string;
    totpEnable: string;
    totpScan: string;
    totpQrAlt: string;
    totpCode: string;
    submit: string;
  };
  totp: { title: string; prompt(name: string): string; code: string; submit: string };
  inbox: { title: string; todo: string; nothing: string; watching: string; nothingWatching: string; role: string };
  task: {
    overview: string;
    section: string;
    deadlineWords: string;
    units: string;
    acknowledged: string;
    notAcknowledged: string;
    lastReport: string;
    reports: string;
    submissions: string;
    submittedBy: string;
    summary: string;
    evidence: string;
    reviewDue: string;
    decision: Record<'approved' | 'returned', string>;
    reviewedBy: string;
    reasons: string;
    extensions: string;
    requestedBy: string;
    extendFromTo(from: string, to: string): string;
    extensionDecision: Record<'approved' | 'refused' | 'pending', string>;
    decidedBy: string;
    timeline: string;
    earlierEvents(n: number): string;
    assessment: string;
    reviewerScore: string;
    deductions: string;
    commended: string;
    cancelled: string;
    cancelledBy(name: string, time: string): string;
    actions: string;
    noActions: string;
    actionsNote: string;
    acknowledge: { title: string; note: string; submit: string };
    report: { title: string; percent: string; note: string; evidence: string; submit: string };
    submit: { title: string; summary: string; evidence: string; submit: string };
    review: {
      title: string;
      approveTitle: string;
      score(max: number): string;
      note: string;
      noteRequired: string;
      approve: string;
      returnTitle: string;
      reasons: string;
      return: string;
    };
    requestExtension: { title: string; current: string; deadline: string; latest: string; reason: string; submit: string };
    decideExtension: { title: string; deadline: string; deadlineHint: string; reason: string; approve: string; refuse: string; refuseReason: string };
  };
  /** Timeline event kinds; a kind not listed is shown as it is. */
  events: Record<string, string>;
  board: {
    title: string;
    filters: string;
    allLights: string;
    allUnits: string;
    filter: string;
    clear: string;
    campaignYear(year: number): string;
    status: Record<BoardModel['status'], string>;
    updatedAt: string;
    byUnit: string;
    tasks: string;
    total: string;
    escalated: string;
    approved: string;
    cancelled: string;
    primaryLead: string;
    rung: string;
    noTasks: string;
    live: string;
    connecting: string;
    lost: string;
    reload: string;
  };
  bulletin: {
    title: string;
    latest(n: number): string;
    preview: string;
    period: string;
    issuedAt: string;
    overdue: string;
    atRisk: string;
    escalationsOpened: string;
    escalationsClosed: string;
    breakGlass: string;
    actedFor(signer: string, actor: string): string;
    reason: string;
    earlier: string;
    noneListed: string;
    rank: string;
  };
  totals: Record<'tasks' | TrafficLight | 'approved' | 'cancelled', string>;
  assessment: {
    title: string;
    final: string;
    provisional: string;
    tasks: string;
    approved: string;
    cancelled: string;
    averageScore: string;
    yellows: string;
    reds: string;
    rungs: string;
    commendations: string;
    ledger: string;
  };
  audit: {
    title: string;
    checkedAt: string;
    status: Record<AuditModel['status'], string>;
    chain: string;
    seq: string;
    hash: string;
    verified: string;
    verifiedYes: string;
    verifiedNo: string;
    verifiedUnknown: string;
    problems: string;
    campaign: string;
  };
  error: { title(status: number): string; back: string };
}
