// pages/send.js - 单条短信: send one SMS to one number (POST
// /api/v1/messages) with a live character and part count, then follow its
// state; and look up any message by its id (GET /api/v1/messages/ID).

import * as api from '../api.js';
import { label } from '../labels.js';
import { countSms } from '../sms_count.js';
import { badge, busy, canWrite, card, field, fill, fmtTime, h, notice, pageHead, poll, readOnlyNotice, showError, toast } from '../ui.js';

const FINAL = ['delivered', 'failed', 'expired', 'cancelled'];

export async function sendPage(main, ctx) {
	const to = h('input', { name: 'to', inputmode: 'tel', autocomplete: 'off', placeholder: '例如 13800138000', maxlength: 20 });
	const text = h('textarea', { name: 'text', rows: 5, class: 'sms-text' });
	const counter = h('div', { class: 'sms-counter', 'aria-live': 'polite' });
	const err = h('div', { class: 'form-error' });
	const sendBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, '发送');
	const sent = h('div');
	const form = h('form', { novalidate: true }, field('手机号码', to), field('短信内容', text, '单条短信按原文发送，不加签名和退订提示。'),
		counter, err, h('div', { class: 'form-actions' }, sendBtn), sent);

	const lookupId = h('input', { name: 'id', inputmode: 'numeric', placeholder: '短信编号' });
	const lookupErr = h('div');
	const lookupOut = h('div');
	const lookupForm = h('form', { novalidate: true, class: 'inline-form' }, field('短信编号', lookupId),
		h('button', { type: 'submit', class: 'btn' }, '查询'));

	main.append(pageHead('单条短信'), h('div', { class: 'cols cols-2' },
		card('发送短信', canWrite(ctx.session) ? form : readOnlyNotice()), card('查询短信状态', lookupForm, lookupErr, lookupOut)));

	const drawCount = () => {
		const c = countSms(text.value);
		fill(counter, h('strong', {}, `${c.parts} 条`), ` · ${c.chars} 字 · ${c.encoding === 'GSM' ? 'GSM 7 位编码' : '中文编码（UCS-2）'}`,
			` · 还可输入 ${c.remaining} 字`);
	};
	text.addEventListener('input', drawCount);
	drawCount();

	let stop = null;
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.replaceChildren();
		if (!to.value.trim()) { showError(err, new Error('请填写手机号码。')); to.focus(); return; }
		if (!text.value.trim()) { showError(err, new Error('请填写短信内容。')); text.focus(); return; }
		try {
			const r = await busy(sendBtn, api.post('messages', { to: to.value.trim(), text: text.value }));
			const id = r.ids ? r.ids[0] : r.id;
			toast(`短信已提交，编号 ${id}。`);
			if (stop) stop();
			stop = poll(async () => {
				const m = await api.get(`messages/${id}`);
				fill(sent, messageCard(m));
				if (FINAL.includes(m.state) && stop) { stop(); stop = null; }
			}, 1000);
		} catch (e) {
			if (e.status !== 401) showError(err, e);
		}
	});

	lookupForm.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		lookupErr.replaceChildren();
		lookupOut.replaceChildren();
		const id = lookupId.value.trim();
		if (!/^\d+$/.test(id)) { showError(lookupErr, new Error('请输入数字编号。')); lookupId.focus(); return; }
		try {
			fill(lookupOut, messageCard(await api.get(`messages/${id}`)));
		} catch (e) {
			if (e.status !== 401) fill(lookupErr, notice('error', e.status === 404 ? `没有编号为 ${id} 的短信。` : e.message));
		}
	});
}

function messageCard(m) {
	const row = (k, v) => [h('dt', {}, k), h('dd', {}, v === undefined || v === null || v === '' ? '—' : v)];
	return h('dl', { class: 'facts message' },
		row('编号', String(m.id)), row('状态', badge(m.state, label('mt', m.state))),
		row('号码', m.to || m.msisdn), row('条数', m.parts !== undefined ? String(m.parts) : undefined),
		row('内容', m.text), row('创建时间', fmtTime(m.created_at, { seconds: true })),
		row('提交时间', fmtTime(m.submitted_at, { seconds: true })), row('完成时间', fmtTime(m.done_at, { seconds: true })),
		row('通道', m.link), row('状态报告', (m.receipts || []).filter((x) => x.state).map((x) => `第${x.part}条 ${x.state}`).join('，')),
		row('原因', m.error));
}
