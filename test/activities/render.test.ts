import { renderNotice } from '@duban/activities';
import { NOTICE_KINDS, type Notice } from '@duban/common';
import { NOTICES } from './fixtures';

const CJK = /[\u4e00-\u9fff]/;
const cases = NOTICE_KINDS.map((kind) => [kind, NOTICES[kind] as Notice] as const);

describe.each(cases)('a %s notice', (kind, notice) => {
  test('has the kind it is filed under', () => {
    expect(notice.kind).toBe(kind);
  });

  test('renders in Chinese by default, naming the task or plan, with local times in Asia/Shanghai', () => {
    const { subject, body } = renderNotice(notice);
    expect(subject).toMatch(CJK);
    expect(body).toMatch(CJK);
    if (notice.kind === 'bulletin') expect(subject).toContain(notice.plan.title);
    else expect(subject).toContain(`任务${notice.task.taskNumber}「${notice.task.title.zh}」`);
    if (JSON.stringify(notice).includes('2020-12-31T16:00:00.000Z') && notice.kind !== 'bulletin') expect(body).toContain('2021年1月1日 00:00');
    expect(body).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  test('renders in English with the zone named', () => {
    const { subject, body } = renderNotice(notice, { lang: 'en' });
    if (notice.kind === 'bulletin') expect(subject).toContain(notice.plan.title);
    else expect(subject).toContain(`task ${notice.task.taskNumber} "${notice.task.title.en}"`);
    expect(body.length).toBeGreaterThan(0);
    if (JSON.stringify(notice).includes('2020-12-31T16:00:00.000Z') && notice.kind !== 'bulletin') {
      expect(body).toContain('2021-01-01 00:00 (Asia/Shanghai)');
    }
  });
});

test('units and people are named from the notice, codes shown where it has no name', () => {
  const { body } = renderNotice(NOTICES.assignment);
  expect(body).toContain('牵头单位：区城管局（协办：区水利局）');
  expect(body).toContain('责任单位：北山街道');
  expect(body).toContain('48小时内签收');
  expect(renderNotice({ ...NOTICES['review-requested'], names: {} }).body).toContain('chengguan-head已提交');
  expect(renderNotice(NOTICES['review-requested']).body).toContain('王建国已提交办理结果：已完成清淤');
});

test('each rung says its name and what the unit must do', () => {
  expect(renderNotice(NOTICES.reminder).subject).toBe('【催办（第1级）】西湖区人居环境整治 任务3「河湖水环境整治」');
  expect(renderNotice(NOTICES['supervision-notice']).subject).toContain('督办单');
  expect(renderNotice(NOTICES.interview).subject).toContain('约谈');
  expect(renderNotice(NOTICES.accountability).body).toContain('已逾期、长期未更新进度');
  expect(renderNotice(NOTICES.reminder, { lang: 'en' }).subject).toBe('Reminder (催办), level 1: 西湖区人居环境整治 task 3 "River and lake clean-up"');
});

test('times follow the zone asked for', () => {
  expect(renderNotice(NOTICES.reminder, { timeZone: 'UTC' }).body).toContain('2020年12月31日 16:00（UTC）');
  expect(renderNotice(NOTICES.reminder, { lang: 'en', timeZone: 'America/New_York' }).body).toContain('2020-12-31 11:00 (America/New_York)');
});

test('the bulletin ranks units by name with their tasks, and lists escalations and totals', () => {
  expect(renderNotice(NOTICES.bulletin).subject).toBe('【周调度通报 第3期】西湖区人居环境整治');
  expect(renderNotice(NOTICES.bulletin).body.split('\n')).toEqual([
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
  const english = renderNotice(NOTICES.bulletin, { lang: 'en' }).body;
  expect(english).toContain('Overdue (red), by unit:\n  1. 区城管局: task 3 "河湖水环境整治" (40%)');
  expect(english).toContain('Escalations opened: task 3');
  expect(renderNotice({ ...NOTICES.bulletin, bulletin: { ...NOTICES.bulletin.bulletin, number: 0, overdue: [] } }).body).toContain(
    '逾期（红灯）单位排名：\n  —',
  );
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
  const lines = renderNotice(notice).body.split('\n');
  expect(lines.slice(lines.indexOf('本期代为操作：'), -1)).toEqual(['本期代为操作：', '  任务3：李主任代王建国签收（2020年12月24日 10:30），理由：主任住院，代为签收']);
  expect(renderNotice(notice, { lang: 'en' }).body).toContain(
    'Acted for an absent person (break-glass):\n  task 3: 李主任 for 王建国, acknowledge at 2020-12-24 10:30 (Asia/Shanghai); why: 主任住院，代为签收',
  );
  // A bulletin without break-glass acts says nothing about them.
  expect(renderNotice(NOTICES.bulletin).body).not.toContain('代为操作');
});
