// pages/campaign_view.js - one campaign (#/campaigns/ID): its state and
// live progress (polled from GET /api/v1/campaigns/ID while it runs), the
// buttons that start, pause, resume or cancel it, the recipients and
// messages by state, the failures by reason, the delivery chart once it is
// done, and the report download (CSV).

import * as api from '../api.js';
import { barChart } from '../chart.js';
import { label } from '../labels.js';
import { badge, busy, button, canWrite, card, fill, fmtNum, fmtTime, h, notice, poll, progressBar, table, toast } from '../ui.js';

// which actions each state allows
const ACTIONS = {
	draft: ['start', 'cancel'],
	running: ['pause', 'cancel'],
	paused: ['resume', 'cancel'],
};
const ACTION_WORDS = { start: '开始发送', pause: '暂停', resume: '继续发送', cancel: '取消群发' };
const ACTION_DONE = { start: '已开始发送', pause: '已暂停', resume: '已继续发送', cancel: '已取消' };
const FINAL = ['done', 'cancelled', 'expired'];
const MSG_STATES = ['delivered', 'submitted', 'sending', 'queued', 'failed', 'expired'];

export async function campaignView(main, ctx, id) {
	const title = h('span', {}, `群发 ${id}`);
	const state = h('span');
	const actions = h('div', { class: 'actions' });
	const err = h('div');
	const progress = h('div', { class: 'big-progress' });
	const facts = h('dl', { class: 'facts' });
	const rcpt = h('div', { class: 'stats' });
	const msgs = h('div', { class: 'stats' });
	const chart = h('div');
	const failures = h('div');
	const textBox = h('div');
	main.append(h('div', { class: 'page-head' }, h('h1', {}, title, ' ', state), actions), err,
		h('div', { class: 'cols cols-2-1' },
			h('div', {},
				card('发送进度', progress, h('h3', {}, '收信人'), rcpt, h('h3', {}, '短信'), msgs),
				card('送达情况', chart)),
			h('div', {}, card('任务信息', facts, textBox), card('失败原因', failures))));

	let last = null;
	let stop;
	const load = async () => {
		try {
			const c = await api.get(`campaigns/${encodeURIComponent(id)}`);
			last = c;
			err.replaceChildren();
			draw(c);
			if (FINAL.includes(c.state) && stop) { stop(); stop = null; }
		} catch (e) {
			if (e.status !== 401) fill(err, notice('error', e.message));
		}
	};

	function draw(c) {
		fill(title, c.name || `群发 ${id}`);
		fill(state, badge(c.state, label('campaign', c.state)));
		fill(actions, (canWrite(ctx.session) ? ACTIONS[c.state] || [] : []).map((a) => button(ACTION_WORDS[a], (ev) => act(ev.currentTarget, a),
			a === 'cancel' ? 'btn-danger' : a === 'pause' ? '' : 'btn-primary')),
		button('下载发送报告', (ev) => busy(ev.currentTarget, api.download(`campaigns/${id}/report`, null, `campaign-${id}-report.csv`))
			.catch((e) => fill(err, notice('error', e.message))), 'btn-light'),
		h('a', { href: '#/campaigns', class: 'btn btn-light' }, '返回列表'));
		const r = c.recipients || {};
		const m = c.messages || {};
		const expected = r.expected ?? r.total ?? c.total;
		progress.classList.toggle('is-stopped', ['cancelled', 'expired'].includes(c.state));
		fill(progress, progressBar(c.progress, '发送进度'),
			h('p', { class: 'muted small' }, FINAL.includes(c.state) ? `任务${label('campaign', c.state)}。`
				: c.state === 'draft' ? '草稿：点击“开始发送”后开始。' : c.state === 'paused' ? '已暂停：点击“继续发送”恢复。'
					: `正在发送…（${fmtNum(expected)} 位收信人）`));
		fill(rcpt, ['expected', 'queued', 'pending', 'optout', 'bad', 'cancelled'].filter((k) => r[k] !== undefined)
			.map((k) => stat(k === 'expected' ? '应发' : label('rcpt', k), r[k])));
		fill(msgs, MSG_STATES.filter((k) => m[k] !== undefined).map((k) => stat(label('mt', k), m[k], k)));
		const outcome = MSG_STATES.map((k) => ({ code: k, label: label('mt', k), value: Number(m[k]) || 0 }));
		fill(chart, FINAL.includes(c.state) || outcome.some((x) => x.value)
			? barChart(outcome.filter((x) => x.value || ['delivered', 'failed', 'expired'].includes(x.code)), { title: '短信送达情况' })
			: h('p', { class: 'muted' }, '开始发送后显示送达情况。'));
		fill(failures, table([
			{ title: '原因', get: (f) => f.reason },
			{ title: '条数', class: 'num', get: (f) => fmtNum(f.count) },
		], c.failures || [], { empty: '没有失败。' }));
		fill(facts,
			fact('编号', c.id ?? id), fact('创建人', c.created_by), fact('创建时间', fmtTime(c.created_at)),
			fact('计划开始', c.start_at ? fmtTime(c.start_at) : '点击开始后立即发送'), fact('实际开始', fmtTime(c.started_at)),
			fact('完成时间', fmtTime(c.finished_at)), fact('截止时间', fmtTime(c.end_at)),
			fact('速率', c.rate ? `${c.rate} 条/秒` : '不限'), fact('最长条数', c.parts ?? c.max_parts),
			c.audience ? fact('收信人条件', audienceText(c.audience)) : null);
		fill(textBox, c.body || c.text ? [h('h3', {}, '短信内容'), h('div', { class: 'sample-text' }, c.body || c.text)] : null);
	}

	async function act(btn, a) {
		if (a === 'cancel' && !window.confirm('确定取消这次群发吗？未发出的短信将不再发送。')) return;
		try {
			await busy(btn, api.post(`campaigns/${encodeURIComponent(id)}/${a}`, {}));
			toast(`群发${ACTION_DONE[a]}。`);
			if (!stop) stop = poll(load, 1000);
			else await load();
		} catch (e) {
			if (e.status !== 401) fill(err, notice('error', e.message));
		}
	}

	stop = poll(load, 1000);
	return last;
}

const AUDIENCE_WORDS = {
	region: ['区县', 'region'], group: ['重点群体', 'key_group'], course: ['课程', null], occupation: ['职业', null],
	enrolment_status: ['报名状态', 'enrol_status'], subsidy_status: ['补贴状态', 'subsidy_status'],
};

/** The audience options in words: 区县：普宁市；重点群体：农民工. */
function audienceText(a) {
	if (typeof a !== 'object') return String(a);
	const parts = [];
	for (const [k, v] of Object.entries(a)) {
		const [word, kind] = AUDIENCE_WORDS[k] || [k, null];
		const list = [].concat(v);
		if (k === 'numbers') parts.push(`指定号码 ${list.length} 个`);
		else if (list.length) parts.push(`${word}：${list.map((x) => (kind ? label(kind, x) : x)).join('、')}`);
	}
	return parts.length ? parts.join('；') : '名册中的全部人员';
}

const stat = (t, v, code) => h('div', { class: `stat${code ? ` stat-${code}` : ''}` },
	h('div', { class: 'stat-value' }, fmtNum(v)), h('div', { class: 'stat-label' }, t));

const fact = (k, v) => [h('dt', {}, k), h('dd', {}, v === undefined || v === null || v === '' ? '—' : String(v))];
