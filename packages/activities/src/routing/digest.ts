/**
 * A person's daily digest: the messages held for them in one batch, as one email. Each
 * item is a message the render step already wrote (in the person's language, dates in the
 * plan's zone); only the digest's own frame is worded here.
 */
import { createHash } from 'node:crypto';
import type { NoticeLang } from '@duban/common';
import { DateTime } from 'luxon';
import type { ChannelMessage } from '../channels';
import { deliveryKey } from './resolve';

/** The digest's frame in each language: the heading and how an item is numbered. */
const FRAME: Record<NoticeLang, { subject(date: string, count: number): string; intro(count: number): string; date: string }> = {
  zh: {
    subject: (date, count) => `【督办每日汇总】${date}，共${count}条通知`,
    intro: (count) => `以下是您今日的${count}条督办通知（非紧急通知按您的选择每日汇总发送；督办单、约谈、问责等紧急通知仍即时发送）：`,
    date: 'yyyy年M月d日',
  },
  en: {
    subject: (date, count) => `Daily digest ${date}: ${count} notice${count === 1 ? '' : 's'}`,
    intro: (count) =>
      `Your ${count} duban notice${count === 1 ? '' : 's'} of the day (non-urgent notices come once a day, as you chose; supervision notices, interviews and accountability records still come at once):`,
    date: 'yyyy-MM-dd',
  },
};

/**
 * One email holding `items` (oldest first). Its idempotency key names the batch and the
 * items it holds, so a retry of the same batch is recognised as the same message, and a
 * later send of items that were not in it is a message of its own.
 */
export function digestMessage(batch: string, items: readonly ChannelMessage[], options: { timeZone: string; sendAfterMs: number; lang: NoticeLang }): ChannelMessage {
  const frame = FRAME[options.lang];
  const date = DateTime.fromMillis(options.sendAfterMs, { zone: options.timeZone }).toFormat(frame.date);
  const separator = '—'.repeat(20);
  const body = items.flatMap((item, i) => [separator, `${i + 1}. ${item.subject}`, item.text]);
  const contents = createHash('sha256')
    .update(items.map((i) => i.idempotencyKey).join('\n'))
    .digest('hex')
    .slice(0, 16);
  return {
    idempotencyKey: deliveryKey(`digest/${batch}`, 'items', contents),
    subject: frame.subject(date, items.length),
    text: [frame.intro(items.length), ...body].join('\n'),
    // Every item went to the same person on the same channel.
    recipients: items[0]?.recipients ?? [],
  };
}
