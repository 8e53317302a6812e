/**
 * Routing: which channel reaches whom, per notice kind, and how each person is reached.
 * Secrets are named here, never written: the plan is committed, shown and logged.
 */
import { z } from 'zod';
import { NOTICE_KINDS, NOTICE_LANGS } from '@duban/common';
import { PLAN_LIMITS as L, id, name } from './fields';

/** A secret's name, never its value (see `routingSchema`): letters, digits, `-` and `_`. */
const secretName = () =>
  z
    .string()
    .max(L.idLength)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'A secret name has letters, digits, "-" and "_", e.g. xihu-smtp.')
    .describe('The NAME of a secret, e.g. xihu-smtp: the value is read from DUBAN_SECRET_XIHU_SMTP (or the file named by DUBAN_SECRET_XIHU_SMTP_FILE), never from the plan.');

/** A time of day in the plan's time zone, 24-hour `HH:MM`. */
const timeOfDay = () => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Write a time of day as HH:MM (24 h), e.g. 22:00.');

/** The languages notices are written in (the render step's catalogues). */
export const noticeLangSchema = z.enum(NOTICE_LANGS);

/**
 * How a person is reached, and how they like it: the routing (`routing`) picks the
 * channel, the contact gives the address on it. Personal data: it stays in the plan and
 * the worker that routes, never in workflow inputs or histories.
 */
export const contactSchema = z.strictObject({
  email: z.email().max(L.nameLength).optional().describe('Mailbox for email channels.'),
  mobile: z
    .string()
    .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'Write a phone number with digits, e.g. 13800000001 or +86 138 0000 0001.')
    .optional()
    .describe('Mobile number: the 企业微信 and 钉钉 robots @-mention by it.'),
  wecomUserId: id().min(1).optional().describe('企业微信 userid, @-mentioned by 企业微信 group robots.'),
  dingtalkUserId: id().min(1).optional().describe('钉钉 userId, @-mentioned by 钉钉 custom robots.'),
  lang: noticeLangSchema.optional().describe("The language of this person's messages; default routing.lang."),
  digest: z
    .literal('daily')
    .optional()
    .describe('daily: one message a day (at routing.digest.at) listing the non-urgent notices, instead of one message per notice.'),
});

/** The kinds of notice a route can carry (`@duban/common` NOTICE_KINDS). */
export const noticeKindSchema = z.enum(NOTICE_KINDS);

/** Bounds of an attempt; above 25 s the notify activity (30 s) would cut the channel's own timeout. */
const channelTimeout = () => z.number().int().positive().max(25_000).optional().describe('Give up on one attempt after this many ms (at most 25000).');

/**
 * A channel's settings. Secrets are named (`…Secret` fields), never written: the plan is
 * committed, shown and logged. Channel names are ids (`hq-mail`, `chengguan-robot`).
 */
export const channelSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('email'),
    host: name().min(1).describe('SMTP server host name.'),
    port: z.number().int().min(1).max(65_535).optional().describe('Default 587 (STARTTLS), 465 with security: tls.'),
    security: z.enum(['starttls', 'tls', 'none']).optional().describe('starttls (default), tls (SMTPS), or none (only to 127.0.0.1).'),
    user: name().min(1).optional().describe('SMTP login.'),
    passwordSecret: secretName().optional(),
    from: z.strictObject({ name: name().min(1).optional(), address: z.email().max(L.nameLength) }).describe('The sender.'),
    timeoutMs: channelTimeout(),
  }),
  z.strictObject({
    type: z.literal('wecom'),
    keySecret: secretName().describe("The NAME of the secret holding the 企业微信 robot's key (the key= of its webhook URL)."),
    url: name().optional().describe('The send endpoint without key; default the 企业微信 endpoint.'),
    timeoutMs: channelTimeout(),
  }),
  z.strictObject({
    type: z.literal('dingtalk'),
    accessTokenSecret: secretName().describe("The NAME of the secret holding the 钉钉 robot's access_token."),
    signSecret: secretName().optional().describe('The NAME of the secret holding the 加签 secret (SEC…).'),
    url: name().optional().describe('The send endpoint without query; default the 钉钉 endpoint.'),
    timeoutMs: channelTimeout(),
  }),
  z.strictObject({
    type: z.literal('webhook'),
    url: name().min(1).describe('Where the signed JSON is POSTed (https, or http to 127.0.0.1).'),
    signingSecret: secretName().describe('The NAME of the secret shared with the receiver for the HMAC-SHA256 signature.'),
    timeoutMs: channelTimeout(),
  }),
]);

/**
 * Whom a route reaches: `recipients` (the people the task chose for the notice: the unit
 * for a reminder, the unit head and HQ for a 督办单, …), `role:<role>`, `group:<code>`
 * (an organization group) or `person:<id>`.
 */
export const audienceSchema = z
  .string()
  .regex(/^(recipients|role:[a-z-]+|group:[A-Za-z0-9][A-Za-z0-9_-]*|person:.+)$/, 'Write recipients, role:<role>, group:<code> or person:<id>.')
  .max(L.idLength + 10);

export const routeSchema = z.strictObject({
  kinds: z.array(noticeKindSchema).min(1).max(noticeKindSchema.options.length).optional().describe('The notice kinds this route carries; every kind when absent.'),
  levels: z
    .array(z.number().int().positive())
    .min(1)
    .max(L.escalationRungs)
    .optional()
    .describe('For escalation rungs: only these ladder levels (1 = the first rung).'),
  via: id()
    .min(1)
    .describe("A channel name under routing.channels, or unit-robot: the robot (routing.robots) of each unit the notice's people belong to."),
  to: z.array(audienceSchema).min(1).max(L.people).default(['recipients']).describe('Whom it reaches; default recipients.'),
});

/**
 * Routing: which channel reaches which unit, person or group for each kind of notice.
 * Without it notices are logged (and posted to the worker's webhook when one is set).
 * Every route whose kinds include a notice's kind carries it; a kind no route names is
 * only logged. Urgent kinds (督办单, 约谈, 问责, undelivered notices) are never held by
 * quiet hours or folded into a digest.
 */
export const routingSchema = z.strictObject({
  lang: noticeLangSchema
    .optional()
    .describe("The language of the routed messages; default the plan's (中文). A person may choose another (contact.lang)."),
  channels: z.record(id().min(1), channelSchema).describe('Named channels: their type and settings; secrets by name only.'),
  robots: z.record(id().min(1), id().min(1)).optional().describe("Unit code → the channel (wecom or dingtalk) of the unit's group robot."),
  routes: z.array(routeSchema).min(1).max(100),
  quietHours: z
    .strictObject({ from: timeOfDay(), to: timeOfDay() })
    .optional()
    .describe("Plan local time, e.g. from 22:00 to 07:30: non-urgent messages to people wait until it ends."),
  digest: z
    .strictObject({ at: timeOfDay().default('08:30') })
    .prefault({})
    .describe('When the daily digest of the people who chose one (contact.digest: daily) goes out, plan local time.'),
});
