// pages/dashboard.js - 运行概况: the SMPP links and their state, the queue
// by state, today's traffic (totals and a chart over the day) and the
// recent failures; refreshed every few seconds from GET /api/v1/status and
// the failures list.

import * as api from '../api.js';
import { lineChart } from '../chart.js';
import { label } from '../labels.js';
import { badge, card, fill, fmtNum, fmtTime, h, itemsOf, notice, pageHead, poll, table } from '../ui.js';

const TRAFFIC = ['mt', 'mo', 'dlr', 'ussd'];
const QUEUE = ['queued', 'sending', 'submitted', 'delivered', 'failed', 'expired'];

export async function dashboardPage(main) {
	const updated = h('span', { class: 'muted small', 'aria-live': 'off' });
	const err = h('div');
	const links = h('div', { class: 'links' });
	const queue = h('div', { class: 'stats' });
	const today = h('div', { class: 'stats' });
	const chart = h('div');
	const failures = h('div');
	main.append(pageHead('运行概况', updated), err,
		h('div', { class: 'cols cols-2' },
			card('通道状态', links),
			card('队列', queue)),
		h('div', { class: 'cols cols-2-1' },
			card('今日流量', today, chart),
			card('最近失败', failures)));

	const refresh = async () => {
		try {
			const [st, fl] = await Promise.all([
				api.get('status'),
				api.get('messages', { state: 'failed', limit: 8 }).catch((e) => ({ error: e })),
			]);
			err.replaceChildren();
			drawLinks(links, st.links || []);
			drawQueue(queue, st.queue || {});
			drawToday(today, chart, st);
			drawFailures(failures, fl);
			fill(updated, `更新于 ${fmtTime(Date.now(), { seconds: true })}${st.version ? ` · 版本 ${st.version}` : ''}`);
		} catch (e) {
			if (e.status !== 401) fill(err, notice('error', `无法获取运行状态：${e.message}`));
		}
	};
	poll(refresh, 3000);
}

function drawLinks(box, links) {
	if (!links.length) {
		fill(box, h('p', { class: 'muted' }, '未配置短信通道。'));
		return;
	}
	fill(box, table([
		{ title: '通道', get: (l) => h('strong', {}, l.name) },
		{ title: '状态', get: (l) => h('span', {}, badge(l.state, label('link', l.state)),
			l.throttled ? badge('throttled', '限流中') : null) },
		{ title: '窗口', class: 'num', get: (l) => (l.window && typeof l.window === 'object'
			? `${fmtNum(l.window.used)}/${fmtNum(l.window.size)}` : fmtNum(l.window)) },
		{ title: '积压', class: 'num', get: (l) => fmtNum(l.backlog) },
		{ title: '速率（条/秒）', class: 'num', get: (l) => (l.tps === undefined ? '—'
			: `${fmtNum(typeof l.tps === 'object' ? l.tps.now : l.tps)}${l.max_tps ? ` / ${fmtNum(l.max_tps)}` : ''}`) },
	], links));
}

function stat(title, value, code) {
	return h('div', { class: `stat${code ? ` stat-${code}` : ''}` },
		h('div', { class: 'stat-value' }, fmtNum(value)), h('div', { class: 'stat-label' }, title));
}

function drawQueue(box, q) {
	const counts = q.by_state || q.states || q;
	const keys = [...QUEUE, ...Object.keys(counts).filter((k) => !QUEUE.includes(k) && typeof counts[k] === 'number')];
	fill(box, keys.filter((k) => counts[k] !== undefined).map((k) => stat(label('mt', k), counts[k], k)));
}

/** Today's series: st.traffic as {points | series | hours: [...]} of {t|hour, mo, mt, dlr, ussd}. */
function trafficPoints(st) {
	const tr = st.traffic || st.today_series || {};
	const raw = Array.isArray(tr) ? tr : tr.points || tr.series || tr.hours || tr.buckets || [];
	return raw.map((p, i) => {
		let hour;
		if (p.hour !== undefined) hour = Number(p.hour);
		else if (p.t !== undefined || p.at !== undefined || p.time !== undefined) {
			const t = p.t ?? p.at ?? p.time;
			const d = new Date(typeof t === 'number' && t < 1e11 ? t * 1000 : t);
			hour = d.getHours() + d.getMinutes() / 60;
		} else hour = i;
		return { hour, ...p };
	});
}

function drawToday(box, chartBox, st) {
	const t = st.today || st.traffic_today || {};
	fill(box, TRAFFIC.map((k) => stat(label('traffic', k), t[k] || 0, k)));
	const pts = trafficPoints(st);
	if (!pts.length) {
		fill(chartBox, h('p', { class: 'muted' }, '今日暂无流量数据。'));
		return;
	}
	const now = new Date();
	const xMax = Math.max(now.getHours() + now.getMinutes() / 60, ...pts.map((p) => p.hour + 1));
	fill(chartBox, lineChart({
		title: '今日流量（每小时）',
		series: TRAFFIC.map((k) => ({ name: label('traffic', k), points: pts.map((p) => [p.hour, Number(p[k]) || 0]) })),
		xMin: 0, xMax: Math.min(24, Math.ceil(xMax)), xTick: 3, xFormat: (x) => `${x}时`, height: 200,
	}));
}

function drawFailures(box, fl) {
	if (fl && fl.error) {
		fill(box, notice('error', fl.error.message));
		return;
	}
	const rows = itemsOf(fl);
	fill(box, table([
		{ title: '时间', class: 'nowrap', get: (m) => shortTime(m.done_at || m.created_at) },
		{ title: '号码', get: (m) => m.to || m.msisdn || '—' },
		{ title: '原因', get: (m) => m.error || (m.smpp_status ? `SMSC 状态 0x${m.smpp_status.toString(16)}` : label('mt', m.state)) },
	], rows, { empty: '最近没有失败的短信。' }));
}

/** 12-05 09:30: today's failures need no year. */
function shortTime(t) {
	const s = fmtTime(t);
	return s.length > 5 ? s.slice(5) : s;
}
