// pages/notifications.js - 业务提醒: the decisions on workers' own cases the
// gateway texted them without being asked (subsidies approved, paid or
// rejected; courses cancelled, closed or moved; enrolments the bureau
// cancelled; reminders before a course starts). Per day and kind: how many,
// and what became of them (GET /api/v1/notifications/days); then the newest
// ones one by one, numbers masked (GET /api/v1/notifications).

import * as api from '../api.js';
import { label } from '../labels.js';
import { badge, button, card, fill, fmtNum, fmtTime, h, itemsOf, notice, pageHead, poll, table } from '../ui.js';

const PAGE = 30;
const num = (k) => ({ title: label('notify_col', k), class: 'num', get: (d) => fmtNum(d[k]) });

export async function notificationsPage(main) {
	const err = h('div');
	const days = h('div');
	const list = h('div');
	const pager = h('div', { class: 'pager' });
	const kind = h('select', { id: 'notify-kind', 'aria-label': '提醒类型' },
		h('option', { value: '' }, '全部类型'),
		Object.keys(label.table('notify_kind')).map((k) => h('option', { value: k }, label('notify_kind', k))));
	let before = [];	// the ids the pages started before
	main.append(pageHead('业务提醒'),
		notice('info', '补贴审批、课程变动和开课提醒由系统自动发给本人绑定的手机，每件事只发一次，免打扰时段顺延。'),
		err, card('近 30 天', days), card('最近的提醒', h('div', { class: 'filters' }, kind), list, pager));
	const loadDays = async () => {
		const r = await api.get('notifications/days');
		fill(days, table([
			{ title: '日期', get: (d) => d.day },
			{ title: '类型', get: (d) => label('notify_kind', d.kind) },
			...['events', 'delivered', 'sent', 'queued', 'pending', 'failed', 'nonumber', 'optout'].map(num),
		], itemsOf(r), { empty: '近 30 天没有业务提醒。' }));
	};
	const loadList = async () => {
		const q = { limit: PAGE };
		if (kind.value) q.kind = kind.value;
		if (before.length) q.before = before[before.length - 1];
		const rows = itemsOf(await api.get('notifications', q));
		fill(list, table([
			{ title: '编号', class: 'num', get: (n) => n.id },
			{ title: '类型', get: (n) => label('notify_kind', n.kind) },
			{ title: '手机号', get: (n) => n.msisdn || '未绑定' },
			{ title: '处理', get: (n) => badge(n.state, label('notify_state', n.state)) },
			{ title: '短信', get: (n) => (n.message ? badge(n.message, label('notify_msg', n.message)) : '—') },
			{ title: '时间', get: (n) => fmtTime(n.created_at) },
		], rows, { empty: '没有符合条件的提醒。' }));
		fill(pager, [
			before.length ? button('较新', () => { before.pop(); loadList(); }, 'btn-light') : null,
			rows.length === PAGE ? button('更早', () => { before.push(rows[rows.length - 1].id); loadList(); }, 'btn-light') : null,
		]);
	};
	kind.addEventListener('change', () => { before = []; loadList(); });
	poll(async () => {
		try {
			await Promise.all([loadDays(), loadList()]);
			err.replaceChildren();
		} catch (e) {
			if (e.status !== 401) fill(err, notice('error', e.message));
		}
	}, 10000);
}
