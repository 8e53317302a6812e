/**
 * Route resolution: from a notification (kind, the people the task chose) and the plan's
 * routing to deliveries, each one message on one channel to one addressee: a person's
 * mailbox, a unit's group robot, or a channel's group or receiver. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import type { NoticeKind, NoticeLang } from '@duban/common';
import type { ChannelRecipient, ChannelType } from '../channels';
import type { NotificationInput } from '../contract';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../validate';
import { UNIT_ROBOT, type RoutedPerson, type RoutedPlan, type RouteSettings } from './types';

/** One message on one channel to one addressee. */
export interface Delivery {
  /** The delivery's idempotency key, derived from the notification's: the outbox records it once sent. */
  key: string;
  channel: string;
  type: ChannelType;
  /** A person id (email), a unit code (a unit's robot), or `*` (a robot's group or a webhook's receiver as a whole). */
  addressee: string;
  recipients: ChannelRecipient[];
  /** The ids of the people it reaches (to count and to log; never their addresses). */
  people: string[];
  /** The language to write it in, when a person or the routing chose one. */
  lang?: NoticeLang | undefined;
  /** For a message to one person alone (email): that person, whose digest choice applies. */
  person?: RoutedPerson | undefined;
}

/** Someone a route should reach but cannot: they are logged, and the rest is sent. */
export interface Unreachable {
  channel: string;
  /** A person id or unit code. */
  who: string;
  why: 'no-email' | 'no-robot' | 'not-in-roster';
}

export interface Resolution {
  /** False when no route carries this kind (and level): the notification is only logged. */
  routed: boolean;
  deliveries: Delivery[];
  unreachable: Unreachable[];
}

/** A person of the roster, or a unit with nobody on it (the task names the unit then). */
type Target = { person: RoutedPerson } | { unit: string };

/** Characters that cannot travel in a header are percent-encoded. */
function headerSafe(text: string): string {
  return text.replace(/[^\x21-\x7e]|%/g, (c) => encodeURIComponent(c));
}

/**
 * The key of the delivery of `notificationKey` on `channel` to `addressee`:
 * `<notification key>><channel>><addressee>`, readable in the outbox and on the wire;
 * hashed when it would be too long.
 */
export function deliveryKey(notificationKey: string, channel: string, addressee: string): string {
  const key = `${headerSafe(notificationKey)}>${headerSafe(channel)}>${headerSafe(addressee)}`;
  if (key.length <= MAX_IDEMPOTENCY_KEY_LENGTH) return key;
  const digest = createHash('sha256').update(key).digest('hex');
  return `${key.slice(0, MAX_IDEMPOTENCY_KEY_LENGTH - 66)}>${digest}`;
}

/** The level of an escalation rung's notice; undefined for other kinds. */
function levelOf(notification: NotificationInput): number | undefined {
  const level: unknown = (notification.notice as { level?: unknown }).level;
  return typeof level === 'number' ? level : undefined;
}

/** The routes that carry this notification's kind (and rung level). */
export function routesFor(plan: RoutedPlan, kind: NoticeKind, level: number | undefined): RouteSettings[] {
  return (plan.routing?.routes ?? []).filter(
    (route) =>
      (route.kinds === undefined || route.kinds.includes(kind)) && (route.levels === undefined || level === undefined || route.levels.includes(level)),
  );
}

class Audience {
  private readonly byId: Map<string, RoutedPerson>;
  constructor(
    private readonly plan: RoutedPlan,
    private readonly notification: NotificationInput,
    private readonly missing: (who: string) => void,
  ) {
    this.byId = new Map(plan.people.map((p) => [p.id, p]));
  }

  /** The people (or bare units) one audience entry names. */
  targets(entry: string): Target[] {
    const [kind, ...rest] = entry.split(':');
    const name = rest.join(':');
    switch (kind) {
      case 'recipients':
        return this.notification.recipients.flatMap((r): Target[] => {
          if (r.person !== undefined) {
            const person = this.byId.get(r.person);
            if (person === undefined) this.missing(r.person);
            return person === undefined ? [] : [{ person }];
          }
          if (r.role !== undefined && r.unit === undefined) return this.withRole(r.role);
          return r.unit === undefined ? [] : [{ unit: r.unit }];
        });
      case 'role':
        return this.withRole(name);
      case 'group':
        return (this.plan.organization?.groups.find((g) => g.code === name)?.members ?? []).flatMap((id): Target[] => {
          const person = this.byId.get(id);
          return person === undefined ? [] : [{ person }];
        });
      case 'person': {
        const person = this.byId.get(name);
        if (person === undefined) this.missing(name);
        return person === undefined ? [] : [{ person }];
      }
      default:
        return [];
    }
  }

  private withRole(role: string): Target[] {
    return this.plan.people.filter((p) => p.roles.includes(role)).map((person) => ({ person }));
  }
}

/** The addressee as a channel of this type addresses them: only the fields its protocol uses. */
function recipientFor(type: ChannelType, person: RoutedPerson): ChannelRecipient {
  const c = person.contact ?? {};
  const base = { id: person.id, name: person.name };
  switch (type) {
    case 'email':
      return { ...base, ...(c.email === undefined ? {} : { email: c.email }) };
    case 'wecom':
      return { ...base, ...(c.mobile === undefined ? {} : { mobile: c.mobile }), ...(c.wecomUserId === undefined ? {} : { userId: c.wecomUserId }) };
    case 'dingtalk':
      return { ...base, ...(c.mobile === undefined ? {} : { mobile: c.mobile }), ...(c.dingtalkUserId === undefined ? {} : { userId: c.dingtalkUserId }) };
    case 'webhook':
      return { ...base, ...(c.email === undefined ? {} : { email: c.email }), ...(c.mobile === undefined ? {} : { mobile: c.mobile }) };
  }
}

/**
 * The deliveries of a notification under its plan's routing: every route that carries
 * its kind contributes; a person or unit reached by two routes on the same channel gets
 * one message. Email goes to each person alone (their language, their digest); a unit's
 * robot posts once to its group, @-mentioning the unit's people; a named robot or webhook
 * gets one message naming everyone it is for.
 */
export function resolveDeliveries(notification: NotificationInput, plan: RoutedPlan, channelTypes: ReadonlyMap<string, ChannelType>): Resolution {
  const routing = plan.routing;
  const routes = routesFor(plan, notification.notice.kind, levelOf(notification));
  const unreachable: Unreachable[] = [];
  const deliveries = new Map<string, Delivery>();
  const unitNames = new Map(plan.units.map((u) => [u.code, u.name]));

  const add = (channel: string, type: ChannelType, addressee: string, person: RoutedPerson | undefined, recipient: ChannelRecipient | undefined, alone = false) => {
    const id = `${channel}\u0000${addressee}`;
    let delivery = deliveries.get(id);
    if (delivery === undefined) {
      const lang = (alone ? person?.contact?.lang : undefined) ?? routing?.lang;
      delivery = {
        key: deliveryKey(notification.idempotencyKey, channel, addressee),
        channel,
        type,
        addressee,
        recipients: [],
        people: [],
        ...(lang === undefined ? {} : { lang }),
        ...(alone && person !== undefined ? { person } : {}),
      };
      deliveries.set(id, delivery);
    }
    if (recipient !== undefined && !delivery.recipients.some((r) => r.id === recipient.id)) delivery.recipients.push(recipient);
    if (person !== undefined && !delivery.people.includes(person.id)) delivery.people.push(person.id);
  };

  for (const route of routes) {
    const audience = new Audience(plan, notification, (who) => unreachable.push({ channel: route.via, who, why: 'not-in-roster' }));
    const targets = (route.to ?? ['recipients']).flatMap((entry) => audience.targets(entry));
    for (const target of targets) {
      const person = 'person' in target ? target.person : undefined;
      if (route.via === UNIT_ROBOT) {
        const unit = person?.unit ?? ('unit' in target ? target.unit : '');
        const robot = routing?.robots?.[unit];
        const type = robot === undefined ? undefined : channelTypes.get(robot);
        if (robot === undefined || type === undefined) unreachable.push({ channel: UNIT_ROBOT, who: unit, why: 'no-robot' });
        else add(robot, type, unit, person, person === undefined ? undefined : recipientFor(type, person));
        continue;
      }
      const type = channelTypes.get(route.via);
      if (type === undefined) continue;
      if (person === undefined) {
        // A unit with nobody on the roster: a group channel can still tell it; a mailbox cannot.
        const unit = 'unit' in target ? target.unit : '';
        if (type === 'email') unreachable.push({ channel: route.via, who: unit, why: 'no-email' });
        else add(route.via, type, '*', undefined, type === 'webhook' ? { id: unit, name: unitNames.get(unit) ?? unit } : undefined);
      } else if (type === 'email') {
        if (person.contact?.email === undefined) unreachable.push({ channel: route.via, who: person.id, why: 'no-email' });
        else add(route.via, type, person.id, person, recipientFor(type, person), true);
      } else {
        add(route.via, type, '*', person, recipientFor(type, person));
      }
    }
  }
  return { routed: routes.length > 0, deliveries: [...deliveries.values()], unreachable };
}
