/**
 * Checks of a plan's routing the schema cannot express: names that must exist elsewhere in
 * the plan (channels, units, people, groups, roles), and secrets written into the plan
 * where only their names belong. Like the other cross-checks they read the raw document,
 * so they report even when the schema fails elsewhere.
 */
import { PlanProblemCode, type Finding as AnyFinding, type PathSegment } from './problems';
import { personRoleSchema } from './unit-schema';

type Finding = AnyFinding<PlanProblemCode>;
type Raw = Record<string, unknown>;

const isRaw = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const get = (value: unknown, key: string): unknown => (isRaw(value) ? value[key] : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The robots' channel types: only they can post to a unit's group. */
const ROBOT_TYPES = ['wecom', 'dingtalk'];

/**
 * Keys that hold a credential itself. Settings that *name* a secret end in `Secret`
 * (`passwordSecret`, `keySecret`) and are allowed; `password`, `token`, `key` … are not.
 */
const SECRET_KEY = /^(?:.*[-_])?(?:password|passwd|pwd|pass|secret|token|access[-_]?token|api[-_]?key|key|sign|signature|credentials?|private[-_]?key)$/i;
const NAMES_A_SECRET = /Secret$/;

/** Query parameters that carry credentials in robot and webhook URLs (企业微信 `key`, 钉钉 `access_token`, …). */
const SECRET_PARAMS = new Set(['key', 'access_token', 'accesstoken', 'token', 'sign', 'secret', 'password', 'signature', 'api_key', 'apikey']);

/** A value that looks like a credential rather than a name: a 钉钉 加签 secret (SEC…), or a long run of hex. */
const SECRET_VALUE = /^(?:SEC[0-9a-f]{32,}|[0-9a-f]{32,})$/i;

const FIX_NAME = 'Write the NAME of a secret in a …Secret field (e.g. passwordSecret: xihu-smtp) and set its value as DUBAN_SECRET_XIHU_SMTP, or in a file named by DUBAN_SECRET_XIHU_SMTP_FILE.';

/** A URL with a password or a credential in its query. */
function urlCredential(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.password !== '') return 'a password in the URL';
  for (const name of url.searchParams.keys()) if (SECRET_PARAMS.has(name.toLowerCase())) return `a ${name}= parameter in the URL`;
  return undefined;
}

/**
 * Every secret written into the document: keys named like credentials, credentials in URLs,
 * secret values in …Secret fields. It walks every value of the plan, so the path is one list
 * grown and shrunk on the way (copied only into a finding), not a new list per value.
 */
function secretFindings(node: unknown, path: PathSegment[], findings: Finding[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      path.push(i);
      secretFindings(item, path, findings);
      path.pop();
    });
    return;
  }
  if (!isRaw(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const at = () => [...path, key];
    if (SECRET_KEY.test(key) && !NAMES_A_SECRET.test(key) && value !== null && value !== undefined && value !== '') {
      findings.push({
        code: PlanProblemCode.SECRET_IN_PLAN,
        path: at(),
        message: `"${key}" holds a credential, and a plan is committed, shown and logged: credentials never go in it.`,
        fix: FIX_NAME,
      });
      continue;
    }
    const text = str(value);
    if (text !== undefined && NAMES_A_SECRET.test(key) && SECRET_VALUE.test(text)) {
      findings.push({
        code: PlanProblemCode.SECRET_IN_PLAN,
        path: at(),
        message: `"${key}" should name a secret, but its value looks like the secret itself.`,
        fix: FIX_NAME,
      });
      continue;
    }
    const inUrl = text === undefined ? undefined : urlCredential(text);
    if (inUrl !== undefined) {
      findings.push({
        code: PlanProblemCode.SECRET_IN_PLAN,
        path: at(),
        message: `"${key}" has ${inUrl}: robot keys, tokens and passwords never go in the plan.`,
        fix: `Give the URL without its credentials; the channel's …Secret field names the secret. ${FIX_NAME}`,
      });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    path.push(key);
    secretFindings(value, path, findings);
    path.pop();
  }
}

/** Names the rest of the plan defines, for the routing's references. */
interface Known {
  units: Set<string>;
  people: Set<string>;
  groups: Set<string>;
  channels: Map<string, string | undefined>;
}

function known(data: unknown): Known {
  const routing = get(data, 'routing');
  const channels = new Map<string, string | undefined>();
  const configured = get(routing, 'channels');
  if (isRaw(configured)) for (const [name, config] of Object.entries(configured)) channels.set(name, str(get(config, 'type')));
  const codes = (items: unknown, key: string) => new Set(list(items).map((item) => str(get(item, key))).filter((v): v is string => v !== undefined));
  return {
    units: codes(get(data, 'units'), 'code'),
    people: codes(get(data, 'people'), 'id'),
    groups: codes(get(get(data, 'organization'), 'groups'), 'code'),
    channels,
  };
}

function unknownChannel(name: string, path: PathSegment[], k: Known): Finding {
  return {
    code: PlanProblemCode.UNKNOWN_CHANNEL,
    path,
    message: `Channel "${name}" is not defined under routing.channels.`,
    fix: `Use one of ${[...k.channels.keys()].join(', ') || '(none yet)'}, or define "${name}" under routing.channels.`,
  };
}

function checkRobots(routing: unknown, k: Known, findings: Finding[]): void {
  const robots = get(routing, 'robots');
  if (!isRaw(robots)) return;
  for (const [unit, channel] of Object.entries(robots)) {
    const at: PathSegment[] = ['routing', 'robots', unit];
    if (!k.units.has(unit)) {
      findings.push({ code: PlanProblemCode.UNKNOWN_UNIT, path: at, message: `Unknown unit code "${unit}" under routing.robots.`, fix: 'Use a code listed under units.' });
    }
    const name = str(channel);
    if (name === undefined) continue;
    if (!k.channels.has(name)) findings.push(unknownChannel(name, at, k));
    else if (!ROBOT_TYPES.includes(k.channels.get(name) ?? '')) {
      findings.push({
        code: PlanProblemCode.CHANNEL_TYPE_MISMATCH,
        path: at,
        message: `Channel "${name}" is of type ${k.channels.get(name) ?? '?'}, but a unit's robot must be wecom or dingtalk.`,
        fix: "Name the unit's 企业微信 or 钉钉 group robot channel here.",
      });
    }
  }
}

const ROLES = new Set<string>(personRoleSchema.options);

function checkAudience(value: string, path: PathSegment[], k: Known, findings: Finding[]): void {
  const [kind, ...rest] = value.split(':');
  const name = rest.join(':');
  if (kind === 'person' && !k.people.has(name)) {
    findings.push({ code: PlanProblemCode.UNKNOWN_PERSON, path, message: `The route names "${name}", who is not in the roster (people).`, fix: 'Use a person id listed under people.' });
  } else if (kind === 'group' && !k.groups.has(name)) {
    findings.push({
      code: PlanProblemCode.UNKNOWN_AUDIENCE,
      path,
      message: `The route names group "${name}", which the organization does not have.`,
      fix: `Use one of the groups under organization.groups (${[...k.groups].join(', ')}).`,
    });
  } else if (kind === 'role' && !ROLES.has(name)) {
    findings.push({ code: PlanProblemCode.UNKNOWN_AUDIENCE, path, message: `"${name}" is not a role.`, fix: `Use one of the roles ${[...ROLES].join(', ')}.` });
  }
}

function checkRoutes(routing: unknown, k: Known, findings: Finding[]): void {
  const robots = get(routing, 'robots');
  const hasRobots = isRaw(robots) && Object.keys(robots).length > 0;
  list(get(routing, 'routes')).forEach((route, r) => {
    const base: PathSegment[] = ['routing', 'routes', r];
    const via = str(get(route, 'via'));
    if (via === 'unit-robot') {
      if (!hasRobots) {
        findings.push({
          code: PlanProblemCode.UNKNOWN_CHANNEL,
          path: [...base, 'via'],
          message: 'The route goes to the units\' robots, but no unit has one (routing.robots is empty).',
          fix: "List each unit's robot channel under routing.robots (unit code: channel name).",
        });
      }
    } else if (via !== undefined && !k.channels.has(via)) {
      findings.push(unknownChannel(via, [...base, 'via'], k));
    }
    list(get(route, 'to')).forEach((audience, a) => {
      const value = str(audience);
      if (value !== undefined) checkAudience(value, [...base, 'to', a], k, findings);
    });
  });
}

/** The routing's references, and every secret written anywhere in the plan. */
export function routingFindings(data: unknown): Finding[] {
  const findings: Finding[] = [];
  secretFindings(data, [], findings);
  const routing = get(data, 'routing');
  if (isRaw(routing)) {
    const k = known(data);
    checkRobots(routing, k, findings);
    checkRoutes(routing, k, findings);
  }
  return findings;
}
