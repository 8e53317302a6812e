/**
 * The plan's routing block and roster contacts: the seed plan's routing loads, and each
 * broken routing is a located problem with its code, path and line, like the rest of the
 * plan. A credential written into the plan (a password, a token, a key in a URL, a secret
 * value where its name belongs) is refused as SECRET_IN_PLAN.
 */
import { readFileSync } from 'node:fs';
import { parsePlan, PlanProblemCode, type PlanProblem } from '@duban/plan';
import { SEED_PLAN_PATH } from '../harness';

const FILE = 'plans/broken.yaml';
const seed = readFileSync(SEED_PLAN_PATH, 'utf8');
const C = PlanProblemCode;

/** The seed with `find` (unique) replaced; returns the text and the 1-based line of the replacement. */
function edited(find: string, replace: string): { text: string; line: number } {
  const at = seed.indexOf(find);
  if (at < 0 || seed.indexOf(find, at + 1) >= 0) throw new Error(`not unique in the seed: ${find}`);
  const text = seed.slice(0, at) + replace + seed.slice(at + find.length);
  return { text, line: text.slice(0, at).split('\n').length };
}

function problemsOf(text: string): PlanProblem[] {
  const result = parsePlan(text, FILE);
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.problems;
}

test('the seed plan routes its notices: channels by name, robots of every unit, contacts in the roster', () => {
  const result = parsePlan(seed, 'plans/xihu-2020.yaml');
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  const { routing, people } = result.plan;
  expect(Object.keys(routing?.channels ?? {})).toEqual(
    expect.arrayContaining(['hq-mail', 'chengguan-robot', 'communities-robot', 'ops-hook']),
  );
  expect(routing?.channels['hq-mail']).toMatchObject({ type: 'email', passwordSecret: 'xihu-smtp' });
  expect(routing?.channels['communities-robot']).toMatchObject({ type: 'dingtalk', signSecret: 'communities-dingtalk-sign' });
  // Every unit that is given work has a robot.
  const assigned = new Set(result.plan.actions.flatMap((a) => a.tasks.flatMap((t) => [...t.lead, ...t.responsible])));
  expect([...assigned].filter((unit) => routing?.robots?.[unit] === undefined)).toEqual([]);
  expect(routing?.quietHours).toEqual({ from: '22:00', to: '07:30' });
  expect(routing?.digest).toEqual({ at: '08:30' });
  expect(people.find((p) => p.id === 'chengguan-head')?.contact).toEqual({ email: 'chengguan-head@example.gov.cn', mobile: '13800000021', wecomUserId: 'ChengGuanZhuRen' });
  expect(people.find((p) => p.id === 'supervisor-li')?.contact?.digest).toBe('daily');
  // 问责 only to HQ and the accountability group.
  expect(routing?.routes.find((r) => r.kinds?.includes('accountability'))).toEqual({ kinds: ['accountability'], via: 'hq-mail', to: ['role:hq-office', 'group:accountability'] });
});

type Case = [name: string, find: string, replace: string, code: PlanProblemCode, path: string];

const cases: Case[] = [
  ['a password written into an email channel', 'passwordSecret: xihu-smtp', 'password: "hunter2-smtp"', C.SECRET_IN_PLAN, 'routing.channels.hq-mail.password'],
  ['a robot token written instead of its name', 'accessTokenSecret: communities-dingtalk-token', 'accessToken: 3f1c0ffee5e1b2d7c9e8f0011223344', C.SECRET_IN_PLAN, 'routing.channels.communities-robot.accessToken'],
  [
    'a 加签 secret value where its name belongs',
    'signSecret: communities-dingtalk-sign',
    'signSecret: SEC7d1c0b5a3e4f29d8c6b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9',
    C.SECRET_IN_PLAN,
    'routing.channels.communities-robot.signSecret',
  ],
  [
    'a webhook URL that carries its key',
    'url: "https://ops.example.gov.cn/duban/notifications"',
    'url: "https://ops.example.gov.cn/duban/notifications?key=0f1e2d3c"',
    C.SECRET_IN_PLAN,
    'routing.channels.ops-hook.url',
  ],
  ['a URL with a password', 'url: "https://ops.example.gov.cn/duban/notifications"', 'url: "https://ops:pa55@ops.example.gov.cn/duban"', C.SECRET_IN_PLAN, 'routing.channels.ops-hook.url'],
  ['a route through a channel that is not defined', '{ kinds: [accountability], via: hq-mail', '{ kinds: [accountability], via: hq-mial', C.UNKNOWN_CHANNEL, 'routing.routes[2].via'],
  ["a unit's robot that is a mailbox", 'jingfa: jingfa-robot', 'jingfa: hq-mail', C.CHANNEL_TYPE_MISMATCH, 'routing.robots.jingfa'],
  ['a robot for a unit the plan does not have', 'shehui: shehui-robot', 'shehuii: shehui-robot', C.UNKNOWN_UNIT, 'routing.robots.shehuii'],
  ['a route to a person not in the roster', '"group:accountability"]', '"person:accountability-officr"]', C.UNKNOWN_PERSON, 'routing.routes[2].to[1]'],
  ['a route to a group the organization does not have', '"group:accountability"]', '"group:audit"]', C.UNKNOWN_AUDIENCE, 'routing.routes[2].to[1]'],
];

test.each(cases)('%s is a located problem at its place', (_name, find, replace, code, path) => {
  const { text, line } = edited(find, replace);
  const problems = problemsOf(text);
  const mine = problems.find((p) => p.code === code);
  expect(mine).toMatchObject({ code, path, file: FILE, line });
  expect(mine?.fix).not.toBe('');
  // Nothing else is wrong, except the schema's own word on a key it does not know.
  expect(problems.filter((p) => p !== mine && p.code !== C.PLAN_SCHEMA)).toEqual([]);
});

test('a credential is named in no problem: the message quotes the key, never the value', () => {
  const { text } = edited('passwordSecret: xihu-smtp', 'password: "hunter2-smtp"');
  const problems = problemsOf(text);
  expect(problems.map((p) => p.code)).toContain(C.SECRET_IN_PLAN);
  expect(JSON.stringify(problems.filter((p) => p.code === C.SECRET_IN_PLAN))).not.toContain('hunter2-smtp');
});

test('a contact with a malformed mailbox or phone number is a schema problem at its place', () => {
  const { text, line } = edited('email: chengguan-head@example.gov.cn', 'email: chengguan-head(at)example.gov.cn');
  expect(problemsOf(text)).toEqual([expect.objectContaining({ code: C.PLAN_SCHEMA, path: 'people[4].contact.email', line })]);
});

test('quiet hours must be times of day', () => {
  const { text, line } = edited('quietHours: { from: "22:00", to: "07:30" }', 'quietHours: { from: "22:00", to: "7.30" }');
  expect(problemsOf(text)).toEqual([expect.objectContaining({ code: C.PLAN_SCHEMA, path: 'routing.quietHours.to', line })]);
});
