// pages/worker.js - 人员查询: look up one worker of the roster (GET
// /api/v1/workers/ID, by roster id, resident ID or mobile number) and see
// what the server shows of them (name, ID and number masked), their
// enrolments and certificates, and their subsidies, whose status an
// operator may change (with a reason when refused).

import * as api from '../api.js';
import { label, LABELS } from '../labels.js';
import { badge, busy, card, field, fill, h, itemsOf, notice, pageHead, showError, table, toast } from '../ui.js';

export async function workerPage(main, ctx) {
	const q = h('input', { name: 'q', autocomplete: 'off', placeholder: '身份证号、手机号或名册编号' });
	const err = h('div');
	const out = h('div');
	const form = h('form', { novalidate: true, class: 'inline-form' }, field('查询人员', q),
		h('button', { type: 'submit', class: 'btn btn-primary' }, '查询'));
	main.append(pageHead('人员查询'), card('', form, h('p', { class: 'muted small' }, '可按身份证号、手机号或名册编号查询；姓名、证件号和手机号按规定打码显示。'), err), out);

	async function lookup(key) {
		err.replaceChildren();
		out.replaceChildren();
		try {
			const w = await api.get(`workers/${encodeURIComponent(key)}`);
			drawWorker(out, w, () => lookup(key), ctx.session);
		} catch (e) {
			if (e.status !== 401) fill(err, notice('error', e.status === 404 ? '名册中没有此人员。' : e.message));
		}
	}
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const key = q.value.trim();
		if (!key) { showError(err, new Error('请输入身份证号、手机号或名册编号。')); q.focus(); return; }
		ctx.go('worker', key);
	});
	if (ctx.params[0]) {
		q.value = ctx.params[0];
		await lookup(ctx.params[0]);
	}
	q.focus();
}

const row = (k, v) => [h('dt', {}, k), h('dd', {}, v === undefined || v === null || v === '' ? '—' : v)];
const groups = (g) => (Array.isArray(g) ? g : String(g || '').split(',').filter(Boolean)).map((x) => label('key_group', x)).join('、');

function drawWorker(out, w, reload, session) {
	const subsidies = itemsOf(w.subsidies);
	fill(out, h('div', { class: 'cols cols-2' },
		card('基本信息', h('dl', { class: 'facts' },
			row('姓名', w.name), row('身份证号', w.id_number), row('手机号', w.msisdn || w.mobile || '未绑定'),
			row('区县', w.region_name || label('region', w.region)), row('重点群体', groups(w.key_groups || w.groups)),
			row('绑定方式', w.bound_by ? label('channel', w.bound_by === 'roster' ? 'import' : w.bound_by) : undefined),
			row('退订群发', w.opted_out ? '已退订' : '否'), row('名册编号', w.id !== undefined ? String(w.id) : undefined))),
		card('报名与证书',
			table([
				{ title: '课程', get: (e) => e.course_name || e.course || '—' },
				{ title: '状态', get: (e) => label('enrol_status', e.status) },
				{ title: '开班日期', get: (e) => e.start_date || '—' },
				{ title: '渠道', get: (e) => label('channel', e.channel) },
			], itemsOf(w.enrolments), { empty: '没有报名记录。', caption: '报名记录' }),
			table([
				{ title: '证书编号', get: (c) => c.number },
				{ title: '种类', get: (c) => c.kind_name || c.kind },
				{ title: '发证日期', get: (c) => c.issued_date },
			], itemsOf(w.certificates), { empty: '没有证书。', caption: '证书' }))),
	card('补贴', subsidyTable(w, subsidies, reload, session)));
}

function subsidyTable(w, list, reload, session) {
	const canChange = session && session.role !== 'viewer';
	return table([
		{ title: '业务编号', get: (s) => s.reference },
		{ title: '种类', get: (s) => label('subsidy_kind', s.kind) },
		{ title: '金额（元）', class: 'num', get: (s) => (s.amount_fen !== undefined ? (s.amount_fen / 100).toFixed(2) : s.amount ?? '—') },
		{ title: '状态', get: (s) => badge(s.status, label('subsidy_status', s.status)) },
		{ title: '申请日期', get: (s) => s.applied_date || '—' },
		{ title: '说明', get: (s) => s.reason || s.rule_flag || '' },
		{ title: '操作', get: (s) => (canChange ? changeForm(w, s, reload) : '') },
	], list, { empty: '没有补贴记录。' });
}

function changeForm(w, s, reload) {
	const sel = h('select', { 'aria-label': `补贴 ${s.reference} 的新状态` },
		Object.entries(LABELS.subsidy_status).map(([v, t]) => h('option', { value: v, selected: v === s.status }, t)));
	const reason = h('input', { 'aria-label': '原因（不予补贴时必填）', placeholder: '原因', size: 10 });
	const btn = h('button', { type: 'submit', class: 'btn btn-small' }, '修改');
	const err = h('div', { class: 'small' });
	const f = h('form', { class: 'row-form' }, sel, reason, btn, err);
	f.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.replaceChildren();
		if (sel.value === 'rejected' && !reason.value.trim()) { showError(err, new Error('不予补贴须填写原因。')); reason.focus(); return; }
		try {
			const body = { status: sel.value };
			if (reason.value.trim()) body.reason = reason.value.trim();
			await busy(btn, api.patch(`workers/${encodeURIComponent(w.id)}/subsidies/${encodeURIComponent(s.reference)}`, body));
			toast(`补贴 ${s.reference} 已改为“${label('subsidy_status', sel.value)}”。`);
			reload();
		} catch (e) {
			if (e.status !== 401) showError(err, e);
		}
	});
	return f;
}

