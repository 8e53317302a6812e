import { renderNotice, resolveRenderOptions, workspaceUrlFromEnv, type RenderOptions } from '@duban/activities';
import { ErrorCode, NOTICE_KINDS, type Notice, type NoticeIssuer, type NoticeKind, type NoticeTask, type RungNotice } from '@duban/common';
import { DEADLINE, NOTICES } from './fixtures';

const CJK = /[\u4e00-\u9fff]/;
/** 2020-11-20 09:30 in Asia/Shanghai: when the notices below were issued. */
const AT = '2020-11-20T01:30:00.000Z';
const ISSUER: NoticeIssuer = {
  headquarters: { zh: '西湖区人居环境整治指挥部', en: 'Xihu Living Environment Headquarters' },
  office: { zh: '指挥部办公室', en: 'Headquarters office' },
};
const UNITS_EN = { chengguan: 'District Urban Management Bureau', shuili: 'District Water Bureau', beishan: 'Beishan Subdistrict' };

/** A notice as the task workflow sends it now: issued at AT, naming its lead unit and deadline, with English unit names. */
function issued<N extends Notice>(notice: N): N {
  if (notice.kind === 'bulletin') return notice;
  return { ...notice, at: AT, task: { ...notice.task, primaryLead: 'chengguan', deadlineAt: DEADLINE }, names: { ...notice.names, unitsEn: UNITS_EN } };
}

const rungs = {
  reminder: { ...NOTICES.reminder, ordinal: 2, expectedPercent: 60 },
  'supervision-notice': {
    ...NOTICES['supervision-notice'],
    ordinal: 1,
    expectedPercent: 60,
    reasons: ['behind-schedule', 'stalled'],
    lastActivityAt: '2020-10-08T02:00:00.000Z',
    replyBy: '2020-11-27T01:30:00.000Z',
    settings: { issuer: ISSUER },
  },
  interview: { ...NOTICES.interview, ordinal: 1, replyBy: '2020-12-04T16:00:00.000Z', settings: { issuer: ISSUER } },
  accountability: { ...NOTICES.accountability, lastActivityAt: '2020-10-08T02:00:00.000Z' },
} satisfies Record<RungNotice['kind'], RungNotice>;

/** One notice of every kind with the facts the workflow now adds. */
const SENT = Object.fromEntries(
  NOTICE_KINDS.map((kind) => {
    const notice: Notice =
      kind in rungs
        ? rungs[kind as RungNotice['kind']]
        : kind === 'extension-requested'
          ? { ...NOTICES['extension-requested'], deadlineAt: '2021-03-31T16:00:00.000Z' }
          : NOTICES[kind];
    return [kind, issued(notice)];
  }),
) as Record<NoticeKind, Notice>;

/**
 * What each kind must say, in each language: the subject, then phrases of the text with
 * the names, local dates, numbers, title and the ask. The formal notices are given whole.
 */
const WORDS: Record<NoticeKind, Record<'zh' | 'en', { subject: string; says: string[] }>> = {
  assignment: {
    zh: {
      subject: '【交办】任务3「河湖水环境整治」',
      says: [
        '现将任务3「河湖水环境整治」交办如下：',
        '牵头单位：区城管局（协助：区水利局）',
        '责任单位：北山街道',
        '完成时限：2020年12月31日',
        '请于2020年11月22日 09:30前签收（交办后48小时内），并于2020年12月31日前办结。',
      ],
    },
    en: {
      subject: 'Assigned (交办): task 3 "River and lake clean-up"',
      says: [
        'Lead unit: District Urban Management Bureau (assisted by District Water Bureau)',
        'Responsible: Beishan Subdistrict',
        'Deadline: 31 Dec 2020',
        'Please acknowledge (签收) by 22 Nov 2020, 09:30 (within 48 h of assignment) and finish by 31 Dec 2020.',
      ],
    },
  },
  reminder: {
    zh: {
      subject: '【催办（第2次）】任务3「河湖水环境整治」',
      says: ['区城管局：\n你单位牵头的任务3「河湖水环境整治」当前进度40%（黄灯），进度滞后（按计划应达60%）。', '请抓紧推进，及时报送办理进展，确保于2020年12月31日前办结。'],
    },
    en: {
      subject: 'Reminder (催办) no. 2: task 3 "River and lake clean-up"',
      says: [
        'To: District Urban Management Bureau\nTask 3 "River and lake clean-up", led by your unit, is at 40% (yellow): behind schedule (60% expected by now).',
        'Please move it forward, report progress and finish by 31 Dec 2020.',
      ],
    },
  },
  'supervision-notice': {
    zh: {
      subject: '【督办单】任务3「河湖水环境整治」',
      says: [
        [
          '西湖区人居环境整治指挥部',
          '督办单',
          '督办〔2020〕3-1号',
          '',
          '区城管局：',
          '你单位牵头的任务3「河湖水环境整治」当前进度40%（黄灯），存在以下问题：',
          '1. 进度滞后（按计划应达60%）',
          '2. 自2020年10月8日起未报送进展',
          '请于2020年11月27日 09:30前书面报送滞后原因和整改措施，确保于2020年12月31日前办结；逾期仍未改善的，将按程序升级督办。',
          '特此督办。',
          '',
          '指挥部办公室',
          '2020年11月20日',
        ].join('\n'),
      ],
    },
    en: {
      subject: 'Supervision notice (督办单): task 3 "River and lake clean-up"',
      says: [
        [
          'Xihu Living Environment Headquarters',
          'Supervision notice (督办单)',
          'No. 2020/3-1',
          '',
          'To: District Urban Management Bureau',
          'Task 3 "River and lake clean-up", led by your unit, is at 40% (yellow), with these problems:',
          '1. behind schedule (60% expected by now)',
          '2. no progress reported since 8 Oct 2020',
          'Please explain the delay in writing, with the steps that will close it, by 27 Nov 2020, 09:30, and finish by 31 Dec 2020. Without improvement by then, the matter is escalated.',
          '',
          'Headquarters office',
          '20 Nov 2020',
        ].join('\n'),
      ],
    },
  },
  interview: {
    zh: {
      subject: '【约谈通知】任务3「河湖水环境整治」',
      says: [
        [
          '西湖区人居环境整治指挥部',
          '约谈通知',
          '约谈〔2020〕3-1号',
          '',
          '区城管局：',
          '你单位牵头的任务3「河湖水环境整治」当前进度40%（红灯），存在以下问题：',
          '1. 已超过完成时限（2020年12月31日）',
          '经研究，决定约谈你单位主要负责人。请于2020年12月4日前到指挥部办公室说明情况，并书面报送整改措施。',
          '特此通知。',
          '',
          '指挥部办公室',
          '2020年11月20日',
        ].join('\n'),
      ],
    },
    en: {
      subject: 'Interview notice (约谈): task 3 "River and lake clean-up"',
      says: [
        [
          'Xihu Living Environment Headquarters',
          'Interview notice (约谈)',
          'No. 2020/3-1',
          '',
          'To: District Urban Management Bureau',
          'Task 3 "River and lake clean-up", led by your unit, is at 40% (red), with these problems:',
          '1. past its deadline (31 Dec 2020)',
          'The head of your unit is called to an interview: please come to the Headquarters office by 4 Dec 2020 to explain, and submit the corrective steps in writing.',
          '',
          'Headquarters office',
          '20 Nov 2020',
        ].join('\n'),
      ],
    },
  },
  accountability: {
    zh: {
      subject: '【问责】任务3「河湖水环境整治」',
      says: [
        '区城管局牵头的任务3「河湖水环境整治」当前进度40%（红灯），经逐级督办仍未改善，存在以下问题：\n1. 已超过完成时限（2020年12月31日）\n2. 自2020年10月8日起未报送进展',
        '现按督办程序启动问责，请依规调查核实，提出问责意见报指挥部；请区城管局主要负责人配合调查。',
      ],
    },
    en: {
      subject: 'Accountability (问责): task 3 "River and lake clean-up"',
      says: [
        'Task 3 "River and lake clean-up", led by District Urban Management Bureau, is at 40% (red)',
        '1. past its deadline (31 Dec 2020)\n2. no progress reported since 8 Oct 2020',
        'Accountability proceedings are opened: please investigate under the rules and report your findings to headquarters; the head of District Urban Management Bureau is asked to cooperate.',
      ],
    },
  },
  'review-requested': {
    zh: { subject: '【待审核】任务3「河湖水环境整治」', says: ['王建国已提交任务3「河湖水环境整治」的办理结果：已完成清淤', '请于2020年12月31日前完成审核。'] },
    en: {
      subject: 'Submitted for review: task 3 "River and lake clean-up"',
      says: ['王建国 submitted the work on task 3 "River and lake clean-up": 已完成清淤', 'Please review it by 31 Dec 2020.'],
    },
  },
  'review-overdue': {
    zh: {
      subject: '【审核逾期】任务3「河湖水环境整治」',
      says: ['王建国于2020年12月20日 10:00提交的任务3「河湖水环境整治」办理结果，应于2020年12月31日前审核，至今未审核。', '请尽快完成审核。'],
    },
    en: {
      subject: 'Review overdue: task 3 "River and lake clean-up"',
      says: ['submitted by 王建国 on 20 Dec 2020, 10:00 was due for review by 31 Dec 2020', 'Please review it now.'],
    },
  },
  returned: {
    zh: {
      subject: '【退回整改】任务3「河湖水环境整治」',
      says: ['区城管局：\n任务3「河湖水环境整治」的办理结果审核未通过，退回整改：\n1. 缺少验收报告\n2. 照片不清', '请整改后重新提交，确保于2020年12月31日前办结。'],
    },
    en: {
      subject: 'Returned for rework: task 3 "River and lake clean-up"',
      says: ['To: District Urban Management Bureau', '1. 缺少验收报告\n2. 照片不清', 'Please rework it, submit again and finish by 31 Dec 2020.'],
    },
  },
  commendation: {
    zh: { subject: '【表扬】任务3「河湖水环境整治」', says: ['任务3「河湖水环境整治」提前办结，审核评分95分，特予表扬。'] },
    en: { subject: 'Commendation: task 3 "River and lake clean-up"', says: ['Task 3 "River and lake clean-up" was completed early with a review score of 95.'] },
  },
  'extension-requested': {
    zh: {
      subject: '【延期申请】任务3「河湖水环境整治」',
      says: ['王建国申请将任务3「河湖水环境整治」的完成时限由2020年12月31日延至2021年3月31日。', '理由：汛期施工受阻', '请指挥部办公室于2020年12月31日前审批。'],
    },
    en: {
      subject: 'Extension requested: task 3 "River and lake clean-up"',
      says: ['王建国 asks to move the deadline of task 3 "River and lake clean-up" from 31 Dec 2020 to 31 Mar 2021.', 'Reason: 汛期施工受阻', 'Please decide by 31 Dec 2020'],
    },
  },
  'extension-decided': {
    zh: { subject: '【延期已批准】任务3「河湖水环境整治」', says: ['任务3「河湖水环境整治」的延期申请已批准，完成时限调整为2020年12月31日，请按时办结。', '说明：同意'] },
    en: {
      subject: 'Extension approved: task 3 "River and lake clean-up"',
      says: ['The extension of task 3 "River and lake clean-up" is approved: the deadline is now 31 Dec 2020. Please finish by then.', 'Note: 同意'],
    },
  },
  cancelled: {
    zh: { subject: '【任务撤销】任务3「河湖水环境整治」', says: ['任务3「河湖水环境整治」已撤销，无需继续办理。', '撤销原因：并入其他任务'] },
    en: { subject: 'Cancelled: task 3 "River and lake clean-up"', says: ['Task 3 "River and lake clean-up" is cancelled: no further work is needed.', 'Reason: 并入其他任务'] },
  },
  amended: {
    zh: { subject: '【计划调整】任务3「河湖水环境整治」', says: ['任务3「河湖水环境整治」已调整，请按调整后的要求办理：', '调整原因：责任调整\n牵头单位：区水利局\n完成时限：2020年12月31日'] },
    en: { subject: 'Plan amended: task 3 "River and lake clean-up"', says: ['Reason: 责任调整\nLead unit: District Water Bureau\nDeadline: 31 Dec 2020'] },
  },
  'notification-failed': {
    zh: {
      subject: '【通知未送达】任务3「河湖水环境整治」',
      says: [
        '2021年1月1日 00:00的「催办」通知（编号 duban/xihu-2020/task-3:7:notify.reminder）未能送达：接收方拒收（WEBHOOK_REJECTED）。',
        '应收对象：王建国、北山街道',
        '请通过其他方式通知相关人员',
      ],
    },
    en: {
      subject: 'Notification not delivered: task 3 "River and lake clean-up"',
      says: ['The reminder of 1 Jan 2021, 00:00 (key duban/xihu-2020/task-3:7:notify.reminder) did not arrive', 'Meant for: 王建国, Beishan Subdistrict', 'Please reach them another way'],
    },
  },
  'duty-due': {
    zh: { subject: '【调度提醒】任务3「河湖水环境整治」', says: ['任务3「河湖水环境整治」「每月调度」调度节点已到（2021年1月1日 00:00），由区城管局负责。', '请按计划组织调度'] },
    en: { subject: 'Dispatch due (调度): task 3 "River and lake clean-up"', says: ['(每月调度) falls due (1 Jan 2021, 00:00)', 'Please dispatch the task as planned'] },
  },
  bulletin: {
    zh: { subject: '【周调度通报 第3期】西湖区人居环境整治', says: ['通报期间：2020年12月20日 09:00 至 2020年12月27日 09:00', '  1. 区城管局：任务3「河湖水环境整治」（40%）', '请排名靠前的单位对照问题抓紧整改。'] },
    en: { subject: 'Weekly bulletin 3: 西湖区人居环境整治', says: ['Period: 20 Dec 2020, 09:00 to 27 Dec 2020, 09:00', 'Escalations opened: task 3', 'Units at the top of a ranking are asked to act on their tasks first.'] },
  },
};

describe.each(NOTICE_KINDS.map((kind) => [kind] as const))('a %s notice', (kind) => {
  const notice = SENT[kind];

  test('is filed under its kind', () => {
    expect(notice.kind).toBe(kind);
  });

  test('says in Chinese, by default, who, what, by when and what is asked, with names and local dates', () => {
    const rendered = renderNotice(notice);
    const { subject, says } = WORDS[kind].zh;
    expect(rendered.subject).toBe(subject);
    for (const phrase of says) expect(rendered.text).toContain(phrase);
    expect(rendered.text).toMatch(CJK);
    expect(rendered.body).toBe(rendered.text);
  });

  test('says the same in English', () => {
    const rendered = renderNotice(notice, { lang: 'en' });
    const { subject, says } = WORDS[kind].en;
    expect(rendered.subject).toBe(subject);
    for (const phrase of says) expect(rendered.text).toContain(phrase);
  });

  test.each(['zh', 'en'] as const)('in %s shows no unit code, no ISO instant and no subject in its text', (lang) => {
    const { subject, text, markdown } = renderNotice(notice, { lang });
    for (const words of [text, markdown]) {
      expect(words).not.toMatch(/\b(chengguan|shuili|beishan)\b/);
      expect(words).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
      expect(words).not.toContain(subject);
    }
  });
});

describe('deadlines are said the way people say them, in the plan zone', () => {
  const reminder = (deadlineAt: string, settings?: Notice['settings']): Notice => ({ ...SENT.reminder, deadlineAt, ...(settings ? { settings } : {}) }) as Notice;

  test('a deadline at the end of a day (stored as the next day’s 00:00 local) is that day, never the next day at 00:00', () => {
    const endOf2021 = '2021-12-31T16:00:00.000Z'; // 2022-01-01 00:00 Asia/Shanghai
    const zh = renderNotice(reminder(endOf2021)).text;
    const en = renderNotice(reminder(endOf2021), { lang: 'en' }).text;
    expect(zh).toContain('确保于2021年12月31日前办结');
    expect(en).toContain('finish by 31 Dec 2021');
    expect(`${zh}\n${en}`).not.toMatch(/2022|00:00/);
  });

  test('a deadline at any other time keeps its time', () => {
    expect(renderNotice(reminder('2021-12-31T08:00:00.000Z')).text).toContain('确保于2021年12月31日 16:00前办结');
    expect(renderNotice(reminder('2021-12-31T08:00:00.000Z'), { lang: 'en' }).text).toContain('finish by 31 Dec 2021, 16:00');
  });

  test("the plan's zone, carried by the notice, comes before the render option, and a zone other than China's is named", () => {
    const berlin = reminder(DEADLINE, { timeZone: 'Europe/Berlin' }); // 17:00 in Berlin
    const zh = renderNotice(berlin, { timeZone: 'Asia/Tokyo' }).text;
    expect(zh).toContain('确保于2020年12月31日 17:00前办结');
    expect(zh.split('\n').at(-1)).toBe('（文中日期时间均为Europe/Berlin时区）');
    expect(renderNotice(berlin, { lang: 'en' }).text.split('\n').at(-1)).toBe('Dates and times are in the Europe/Berlin time zone.');
  });

  test('a notice that names no zone (a task launched before) takes the render option, else Asia/Shanghai', () => {
    expect(renderNotice(reminder(DEADLINE), { timeZone: 'UTC' }).text).toContain('确保于2020年12月31日 16:00前办结');
    expect(renderNotice(reminder(DEADLINE), { lang: 'en', timeZone: 'America/New_York' }).text).toContain('finish by 31 Dec 2020, 11:00');
    expect(renderNotice(reminder(DEADLINE)).text).not.toContain('时区');
  });

  test('an instant that is no date is shown as given rather than guessed', () => {
    expect(renderNotice(reminder('soon')).text).toContain('确保于soon前办结');
  });
});

describe("a deadline the notice carries in the plan's words (task.deadline) is said that way", () => {
  /** A notice of a task whose deadline the plan words: its instant, and the words beside it. */
  const worded = <N extends Notice>(notice: N, deadline: NonNullable<NoticeTask['deadline']>, deadlineAt: string): N =>
    notice.kind === 'bulletin' ? notice : ({ ...notice, deadlineAt, task: { ...notice.task, deadlineAt, deadline } } as N);
  const byYearEnd = { date: '2021-12-31', rule: 'by' as const, source: '2021年底' };
  const endOf2021 = '2021-12-31T16:00:00.000Z'; // by 2021-12-31: due 2022-01-01 00:00 Asia/Shanghai

  test('the assignment says 2021年底 / by 2021-12-31, never 2022-01-01 00:00', () => {
    const notice = worded(SENT.assignment, byYearEnd, endOf2021);
    const zh = renderNotice(notice).text;
    const en = renderNotice(notice, { lang: 'en' }).text;
    expect(zh).toContain('完成时限：2021年底');
    expect(zh).toContain('并于2021年底办结。');
    expect(en).toContain('Deadline: by 2021-12-31');
    expect(en).toContain('and finish by 2021-12-31.');
    expect(`${zh}\n${en}`).not.toMatch(/2022|00:00|2021年12月31日前前/);
  });

  test('without source words, the date and its rule: 2021年12月31日前 / by 2021-12-31; before 2020-10-01', () => {
    const noWords = { date: '2021-12-31', rule: 'by' as const };
    expect(renderNotice(worded(SENT.reminder, noWords, endOf2021)).text).toContain('确保于2021年12月31日前办结');
    expect(renderNotice(worded(SENT.reminder, noWords, endOf2021), { lang: 'en' }).text).toContain('finish by 2021-12-31');
    // before 2020-10-01 falls due at 2020-10-01 00:00 local: the plan's 国庆节前.
    const nationalDay = { date: '2020-10-01', rule: 'before' as const, source: '2020年国庆节前' };
    const atNationalDay = '2020-09-30T16:00:00.000Z';
    const zh = renderNotice(worded(SENT.assignment, nationalDay, atNationalDay)).text;
    expect(zh).toContain('完成时限：2020年国庆节前');
    expect(zh).toContain('并于2020年国庆节前办结。');
    expect(renderNotice(worded(SENT.assignment, nationalDay, atNationalDay), { lang: 'en' }).text).toContain('Deadline: before 2020-10-01');
  });

  test('the source words of a re-dated plan take the deadline’s year: 于2020年内完成 due by 2027-12-31 is 2027年内', () => {
    const redated = { date: '2027-12-31', rule: 'by' as const, source: '于2020年内完成凉伞树路的污水管网建设' };
    const zh = renderNotice(worded(SENT['supervision-notice'], redated, '2027-12-31T16:00:00.000Z')).text;
    expect(zh).toContain('确保于2027年内办结');
    expect(zh).not.toContain('2028');
    // As the plan file gives it (the activities README shows this one).
    const asWritten = worded(SENT.assignment, { ...redated, date: '2020-12-31' }, '2020-12-31T16:00:00.000Z');
    expect(renderNotice(asWritten).text).toContain('完成时限：2020年内');
    expect(renderNotice(asWritten).text).toContain('并于2020年内办结。');
    expect(renderNotice(asWritten, { lang: 'en' }).text).toContain('Deadline: by 2020-12-31');
  });

  test('an overdue rung names the deadline in the plan’s words; a returned task is asked to finish by them', () => {
    const overdue = worded(SENT.interview, byYearEnd, endOf2021);
    expect(renderNotice(overdue).text).toContain('已超过完成时限（2021年底）');
    expect(renderNotice(overdue, { lang: 'en' }).text).toContain('past its deadline (by 2021-12-31)');
    const returned = worded(SENT.returned, byYearEnd, endOf2021);
    expect(renderNotice(returned).text).toContain('请整改后重新提交，确保于2021年底办结。');
    expect(renderNotice(returned, { lang: 'en' }).text).toContain('Please rework it, submit again and finish by 2021-12-31.');
  });

  test('a deadline other than the worded one (an extension) is said by its local date, midnight ending the day before', () => {
    // The extension asks for 2022-03-31 (due 2022-04-01 00:00 local); the task's own deadline keeps its words.
    const asked = { ...worded(SENT['extension-requested'], byYearEnd, endOf2021), deadlineAt: '2022-03-31T16:00:00.000Z' } as Notice;
    const zh = renderNotice(asked).text;
    expect(zh).toContain('延至2022年3月31日');
    expect(zh).not.toMatch(/2022年4月1日|00:00/);
    expect(renderNotice(asked, { lang: 'en' }).text).toContain('to 31 Mar 2022');
    // The words stand only for their own instant: a later deadline in force is said by its date.
    const moved = worded(SENT.reminder, byYearEnd, '2022-03-31T16:00:00.000Z');
    expect(renderNotice(moved).text).toContain('确保于2022年3月31日前办结');
    expect(renderNotice(moved, { lang: 'en' }).text).toContain('finish by 31 Mar 2022');
  });
});

describe('the language', () => {
  test("the plan's language, carried by the notice, comes before the render option", () => {
    const english = { ...SENT.cancelled, settings: { lang: 'en' } } as Notice;
    expect(renderNotice(english, { lang: 'zh' }).subject).toBe('Cancelled: task 3 "River and lake clean-up"');
    expect(renderNotice({ ...SENT.cancelled, settings: { lang: 'zh' } } as Notice, { lang: 'en' }).subject).toBe('【任务撤销】任务3「河湖水环境整治」');
  });

  test('English names units by their English names, Chinese by their Chinese ones, and codes only when the notice has no name', () => {
    expect(renderNotice(SENT.amended, { lang: 'en' }).text).toContain('Lead unit: District Water Bureau');
    expect(renderNotice(SENT.amended).text).toContain('牵头单位：区水利局');
    expect(renderNotice({ ...SENT.amended, names: {} } as Notice).text).toContain('牵头单位：shuili');
    expect(renderNotice({ ...SENT['review-requested'], names: {} } as Notice).text).toContain('chengguan-head已提交');
  });

  test('a notice whose settings name an unknown zone or language is refused with a stable code', () => {
    expect(() => renderNotice({ ...SENT.reminder, settings: { timeZone: 'Mars/Olympus' } } as Notice)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_TIME_ZONE, details: { field: 'notice.settings.timeZone', timeZone: 'Mars/Olympus' } }),
    );
    expect(() => renderNotice({ ...SENT.reminder, settings: { lang: 'fr' } } as unknown as Notice)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT, details: { field: 'notice.settings.lang', lang: 'fr' } }),
    );
  });
});

describe('formal notices (督办单, 约谈)', () => {
  test('the number carries the year issued in the plan zone, the task and the how-many-th notice of the rung', () => {
    // 2020-12-31 17:00 UTC is already 2021 in Asia/Shanghai.
    const lateIssued = { ...SENT['supervision-notice'], at: '2020-12-31T17:00:00.000Z', ordinal: 2 } as Notice;
    expect(renderNotice(lateIssued).text.split('\n').slice(0, 3)).toEqual(['西湖区人居环境整治指挥部', '督办单', '督办〔2021〕3-2号']);
    expect(renderNotice(lateIssued).text.split('\n').at(-1)).toBe('2021年1月1日');
    expect(renderNotice(lateIssued, { lang: 'en' }).text).toContain('No. 2021/3-2');
  });

  test('a notice recorded before these facts existed still reads as a formal notice, with what it has', () => {
    // No issue time, issuer, lead unit, ordinal or reply deadline: the level numbers it.
    const legacy = NOTICES['supervision-notice'];
    expect(renderNotice(legacy).text.split('\n')).toEqual([
      '督办单',
      '督办第3-2号',
      '',
      '任务3「河湖水环境整治」当前进度40%（黄灯），存在以下问题：',
      '1. 进度滞后',
      '请尽快书面报送滞后原因和整改措施，确保于2020年12月31日前办结。',
      '特此督办。',
      '',
      '指挥部办公室',
    ]);
    expect(renderNotice(legacy, { at: AT }).text).toContain('督办〔2020〕3-2号');
  });

  test('in Markdown the title is bold and the reasons a numbered list; text written by people cannot break it', () => {
    const { markdown } = renderNotice(SENT['supervision-notice']);
    expect(markdown.split('\n\n').slice(0, 4)).toEqual(['西湖区人居环境整治指挥部', '**督办单**', '督办〔2020〕3-1号', '区城管局：']);
    expect(markdown).toContain('1. 进度滞后（按计划应达60%）\n2. 自2020年10月8日起未报送进展');
    const starred = { ...SENT['review-requested'], summary: '已清淤 *3* 段 [见附件]' } as Notice;
    expect(renderNotice(starred).markdown).toContain('已清淤 \\*3\\* 段 \\[见附件\\]');
    expect(renderNotice(starred).text).toContain('已清淤 *3* 段 [见附件]');
    expect(renderNotice(SENT.assignment).markdown).toContain('**完成时限**：2020年12月31日');
  });
});

describe('the link to the task', () => {
  const workspaceUrl = 'https://duban.example.gov.cn/workspace/';

  test('with a workspace URL, a task notice ends with the link to its task, in text and Markdown', () => {
    const { text, markdown } = renderNotice(SENT['supervision-notice'], { workspaceUrl });
    expect(text.split('\n').slice(-2)).toEqual(['', '查看任务：https://duban.example.gov.cn/workspace/plans/xihu-2020/tasks/3']);
    expect(markdown.split('\n\n').at(-1)).toBe('[查看任务](https://duban.example.gov.cn/workspace/plans/xihu-2020/tasks/3)');
    expect(renderNotice(SENT.reminder, { workspaceUrl, lang: 'en' }).text).toContain('Open the task: https://duban.example.gov.cn/workspace/plans/xihu-2020/tasks/3');
  });

  test('a bulletin links to its plan; without a workspace URL nothing links', () => {
    expect(renderNotice(SENT.bulletin, { workspaceUrl }).text).toContain('查看计划：https://duban.example.gov.cn/workspace/plans/xihu-2020');
    expect(renderNotice(SENT.reminder).text).not.toContain('http');
  });

  test('the setting is read from DUBAN_WORKSPACE_URL and must be an http(s) URL', () => {
    expect(workspaceUrlFromEnv({ DUBAN_WORKSPACE_URL: ' https://duban.example.gov.cn ' })).toBe('https://duban.example.gov.cn');
    expect(workspaceUrlFromEnv({ DUBAN_WORKSPACE_URL: '' })).toBeUndefined();
    expect(workspaceUrlFromEnv({})).toBeUndefined();
    for (const bad of ['duban.example.gov.cn', 'ftp://duban.example.gov.cn', 'https://duban.example.gov.cn/?token=1']) {
      const options: RenderOptions = { workspaceUrl: bad };
      expect(() => resolveRenderOptions(options)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT, details: { field: 'workspaceUrl' } }));
    }
  });
});

test('a notice without a lead unit (recorded before) addresses nobody and names the task', () => {
  const text = renderNotice(NOTICES.reminder).text;
  expect(text.split('\n')[0]).toBe('任务3「河湖水环境整治」当前进度40%（黄灯），进度滞后。');
});

test('the bulletin ranks units by name with their tasks, and lists escalations and totals', () => {
  expect(renderNotice(NOTICES.bulletin).text.split('\n')).toEqual([
    '通报期间：2020年12月20日 09:00 至 2020年12月27日 09:00',
    '任务共12项：绿灯9项，黄灯1项，红灯1项，已办结1项，已撤销0项。',
    '逾期（红灯）单位排名：',
    '  1. 区城管局：任务3「河湖水环境整治」（40%）',
    '滞后（黄灯）单位排名：',
    '  1. 区水利局：任务5「污水管网改造」（55%）',
    '本期启动督办：任务3',
    '本期解除督办：—',
    '请排名靠前的单位对照问题抓紧整改。',
  ]);
  const english = renderNotice(NOTICES.bulletin, { lang: 'en' }).text;
  expect(english).toContain('Overdue (red), by unit:\n  1. 区城管局: task 3 "河湖水环境整治" (40%)');
  expect(renderNotice({ ...NOTICES.bulletin, bulletin: { ...NOTICES.bulletin.bulletin, number: 0, overdue: [] } }).text).toContain('逾期（红灯）单位排名：\n  —');
  expect(renderNotice({ ...NOTICES.bulletin, settings: { timeZone: 'UTC' } }).text).toContain('通报期间：2020年12月20日 01:00 至 2020年12月27日 01:00');
});

test('the bulletin names every break-glass act: who acted for whom, on which task, what and why', () => {
  const notice = {
    ...NOTICES.bulletin,
    names: { ...NOTICES.bulletin.names, people: { 'hq-1': '李主任', 'chengguan-head': '王建国' } },
    bulletin: {
      ...NOTICES.bulletin.bulletin,
      breakGlass: [{ taskNumber: 3, seq: 7, at: '2020-12-24T02:30:00.000Z', signer: 'hq-1', actor: 'chengguan-head', message: 'acknowledge', reason: '主任住院，代为签收' }],
    },
  };
  const lines = renderNotice(notice).text.split('\n');
  expect(lines.slice(lines.indexOf('本期代为操作：'), -1)).toEqual(['本期代为操作：', '  任务3：李主任代王建国签收（2020年12月24日 10:30），理由：主任住院，代为签收']);
  expect(renderNotice(notice, { lang: 'en' }).text).toContain(
    'Acted for an absent person (break-glass):\n  task 3: 李主任 for 王建国, acknowledge at 24 Dec 2020, 10:30; why: 主任住院，代为签收',
  );
  // A bulletin without break-glass acts says nothing about them.
  expect(renderNotice(NOTICES.bulletin).text).not.toContain('代为操作');
});

test('an assignment names its cooperating units (配合单位) apart from the lead units it assists', () => {
  const notice = issued({ ...NOTICES.assignment, cooperating: ['beishan'] } as Notice);
  const zh = renderNotice(notice).text;
  expect(zh).toContain('配合单位：北山街道');
  expect(zh).not.toContain('协办');
  expect(renderNotice(notice, { lang: 'en' }).text).toContain('Cooperating units: Beishan Subdistrict');
  expect(renderNotice(NOTICES.assignment).text).not.toContain('配合单位');
});
