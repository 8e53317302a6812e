/**
 * What routing reads of a plan: the roster with its contacts, the organization's groups,
 * and the routing block. Written as plain shapes so that a plan loaded by `@duban/plan`
 * fits them as it is, without this package depending on the plan package (the worker
 * loads plans; activities only route).
 */
import type { NoticeKind, NoticeLang } from '@duban/common';
import type { ChannelConfig } from '../channels';

/** How a person is reached, as the plan's roster gives it (`people[].contact`). */
export interface RoutedContact {
  email?: string | undefined;
  mobile?: string | undefined;
  /** 企业微信 userid, @-mentioned by 企业微信 robots. */
  wecomUserId?: string | undefined;
  /** 钉钉 userId, @-mentioned by 钉钉 robots. */
  dingtalkUserId?: string | undefined;
  /** The language of this person's messages; default the routing's. */
  lang?: NoticeLang | undefined;
  /** `daily`: the person's non-urgent email comes once a day, as one digest. */
  digest?: 'daily' | undefined;
}

export interface RoutedPerson {
  id: string;
  name: string;
  unit: string;
  roles: readonly string[];
  contact?: RoutedContact | undefined;
}

export interface RouteSettings {
  /** The kinds this route carries; every kind when absent. */
  kinds?: readonly NoticeKind[] | undefined;
  /** Escalation rungs only: the ladder levels (1 = first rung) it carries; every level when absent. */
  levels?: readonly number[] | undefined;
  /** A channel name, or `unit-robot`: the group robot of each unit the audience belongs to. */
  via: string;
  /** `recipients` (whom the task chose), `role:<role>`, `group:<code>`, `person:<id>`. Default `['recipients']`. */
  to?: readonly string[] | undefined;
}

/** The plan's `routing` block. */
export interface RoutingSettings {
  lang?: NoticeLang | undefined;
  /** Named channels; secrets by name (`…Secret` fields). */
  channels: Readonly<Record<string, ChannelConfig>>;
  /** Unit code → the channel of its group robot. */
  robots?: Readonly<Record<string, string>> | undefined;
  routes: readonly RouteSettings[];
  /** Plan local time, `HH:MM`; non-urgent messages to people wait until `to`. */
  quietHours?: { from: string; to: string } | undefined;
  /** When the daily digests go out, plan local `HH:MM`. Default 08:30. */
  digest?: { at?: string | undefined } | undefined;
}

/** A plan as routing needs it; `Plan` from `@duban/plan` fits. */
export interface RoutedPlan {
  id: string;
  timeZone: string;
  units: ReadonlyArray<{ code: string; name: string }>;
  people: readonly RoutedPerson[];
  /** Absent when the plan sets up no headquarters (a format-2 plan may not): no groups to route to. */
  organization?: { groups: ReadonlyArray<{ code: string; members: readonly string[] }> } | undefined;
  routing?: RoutingSettings | undefined;
}

/** The pseudo-channel of routes that go to each unit's own robot. */
export const UNIT_ROBOT = 'unit-robot';

/** When the daily digest goes out when the plan does not say. */
export const DEFAULT_DIGEST_AT = '08:30';
