// pages/worker.js - 人员查询: look up one worker of the roster (by resident
// ID or mobile number through GET /api/v1/workers, by roster id through
// GET /api/v1/workers/ID) and see
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
			const w = await findWorker(key);
			if (!w) {
				fill(err, notice('error', '名册中没有此人员。'));
				return;
			}
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

/** The worker a resident ID, a mobile number or a roster id names; null when none. */
async function findWorker(key) {
	const k = key.replace(/\s+/g, '');
	let query = null;
	if (/^\d{17}[\dXx]$/.test(k)) query = { id_number: k.toUpperCase() };
	else if (/^\+?\d{11,15}$/.test(k)) query = { msisdn: k.replace(/^\+/, '') };
	if (query) {
		const found = itemsOf(await api.get('workers', query))[0];
		if (!found) return null;
		return found.enrolments ? found : api.get(`workers/${found.id}`);
	}
	if (!/^\d+$/.test(k)) throw new Error('请输入 18 位身份证号、手机号或数字名册编号。');
	return api.get(`workers/${k}`);
}

const row = (k, v) => [h('dt', {}, k), h('dd', {}, v === undefined || v === null || v === '' ? '—' : v)];
const groups = (g) => (Array.isArray(g) ? g : String(g || '').split(',').filter(Boolean)).map((x) => label('key_group', x)).join('、');

function drawWorker(out, w, reload, session) {
	const subsidies = itemsOf(w.subsidies);
	fill(out, h('div', { class: 'cols cols-2' },
		card('基本信息', h('dl', { class: 'facts' },
			row('姓名', w.name), row('身份证号', w.id_number), row('手机号', w.msisdn || w.mobile || '未绑定'),
			row('区县', w.region_name || label('region', w.region)), row('重点群体', groups(w.key_groups)),
			row('出生日期', w.birth_date),
			row('绑定方式', w.bound_by ? label('channel', w.bound_by === 'roster' ? 'import' : w.bound_by) : undefined),
			row('退订群发', w.opted_out ? '已退订' : '否'), row('名册编号', w.id !== undefined ? String(w.id) : undefined))),
		card('报名与证书',
			table([
				{ title: '课程', get: (e) => e.course_name || e.course_code || '—' },
				{ title: '培训机构', get: (e) => e.institution_name || '—' },
				{ title: '开班日期', get: (e) => e.start_date || '—' },
				{ title: '状态', get: (e) => label('enrol_status', e.status) },
			], itemsOf(w.enrolments), { empty: '没有报名记录。', caption: '报名记录' }),
			table([
				{ title: '证书编号', get: (c) => c.number },
				{ title: '种类', get: (c) => label('cert_kind', c.kind) },
				{ title: '职业', get: (c) => c.occupation_name || '—' },
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
		{ title: '课程', get: (s) => s.course_name || s.occupation_name || '—' },
		{ title: '说明', get: (s) => [s.reason, s.rule_flag].filter(Boolean).join('；') },
		{ title: '操作', get: (s) => (canChange ? changeForm(w, s, reload) : '') },
	], list, { empty: '没有补贴记录。' });
}

function changeForm(w, s, reload) {
	const sel = h('select', { 'aria-label': `补贴 ${s.reference} 的新状态` },
		Object.entries(LABELS.subsidy_status).map(([v, t]) => h('option', { value: v, selected: v === s.status }, t)));
	const reason = h('input', { 'aria-label': '原因（不予补贴时必填）', placeholder: '原因', size: 8 });
	const date = h('input', { type: 'date', 'aria-label': '决定或发放日期', value: today() });
	const btn = h('button', { type: 'submit', class: 'btn btn-small' }, '修改');
	const err = h('div', { class: 'small' });
	const f = h('form', { class: 'row-form' }, sel, reason, date, btn, err);
	f.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.replaceChildren();
		if (sel.value === 'rejected' && !reason.value.trim()) { showError(err, new Error('不予补贴须填写原因。')); reason.focus(); return; }
		try {
			const body = { status: sel.value };
			if (reason.value.trim()) body.reason = reason.value.trim();
			if (date.value && sel.value === 'paid') body.paid_date = date.value;
			else if (date.value && ['approved', 'rejected'].includes(sel.value)) body.decided_date = date.value;
			await busy(btn, api.patch(`subsidies/${encodeURIComponent(s.reference)}`, body));
			toast(`补贴 ${s.reference} 已改为“${label('subsidy_status', sel.value)}”。`);
			reload();
		} catch (e) {
			if (e.status !== 401) showError(err, e);
		}
	});
	return f;
}


/** Today as YYYY-MM-DD, local time. */
function today() {
	const d = new Date();
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
