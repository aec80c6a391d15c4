// pages/campaign_form.js - 新建群发: the audience filters (or a list of
// numbers) with a live recipient count, the text box that counts characters
// and SMS parts as the phone will (sms_count.js, with the signature and the
// opt-out hint the gateway adds) beside the server's own count, the
// placeholders, three rendered samples, the schedule and rate; saves a
// draft or saves and starts. The count and samples come from the preview
// endpoint, called a moment after each change.

import * as api from '../api.js';
import { label, LABELS } from '../labels.js';
import { countSms, fillSamples, findPlaceholders, noticeBody, PLACEHOLDERS } from '../sms_count.js';
import { busy, card, field, fill, fmtDuration, fmtNum, h, newId, notice, pageHead, showError, toast } from '../ui.js';

// what the gateway adds (conf/skillgw.conf commands.signature and
// notices.optout_hint); replaced by the server's values when the preview
// gives them
const DEFAULT_SIGNATURE = '【揭阳人社】';
const DEFAULT_HINT = '回TD退订';

/** A fieldset of checkboxes for the codes of kind; .values() the checked ones. */
function checkGroup(legend, kind) {
	const boxes = Object.entries(LABELS[kind]).map(([value, text]) => {
		const id = newId(kind);
		return h('label', { class: 'check', for: id }, h('input', { type: 'checkbox', id, value }), text);
	});
	const fs = h('fieldset', { class: 'checks' }, h('legend', {}, legend), boxes);
	fs.values = () => boxes.map((l) => l.firstChild).filter((i) => i.checked).map((i) => i.value);
	return fs;
}

/** Comma, space or newline separated words. */
const words = (s) => String(s || '').split(/[\s,，、;；]+/).map((x) => x.trim()).filter(Boolean);

/** 2026-07-01T09:30 (datetime-local) -> "2026-07-01 09:30" (local time, notices.timezone). */
const localTime = (v) => (v ? v.replace('T', ' ') : undefined);

export async function campaignForm(main, ctx) {
	let signature = DEFAULT_SIGNATURE;
	let hint = DEFAULT_HINT;

	const name = h('input', { name: 'name', required: true, maxlength: 64, placeholder: '例如：2026年7月普宁市电工培训开班通知' });
	const modeFilter = h('input', { type: 'radio', name: 'mode', value: 'filters', checked: true, id: newId('mode') });
	const modeNumbers = h('input', { type: 'radio', name: 'mode', value: 'numbers', id: newId('mode') });
	const region = checkGroup('区县', 'region');
	const group = checkGroup('重点群体', 'key_group');
	const enrol = checkGroup('报名状态', 'enrol_status');
	const subsidy = checkGroup('补贴状态', 'subsidy_status');
	const course = h('input', { name: 'course', placeholder: '课程编号，多个用逗号分隔' });
	const occupation = h('input', { name: 'occupation', placeholder: '职业编码，多个用逗号分隔' });
	const numbers = h('textarea', { name: 'numbers', rows: 5, placeholder: '每行一个手机号码，例如 13800138000' });
	const filters = h('div', { class: 'filters' }, region, group,
		h('div', { class: 'cols cols-2' }, field('课程', course), field('职业（工种）', occupation)),
		enrol, subsidy);
	const numbersBox = h('div', { hidden: true }, field('手机号码', numbers, '不在名册中的号码也会发送；已退订的号码会被跳过。'));
	const count = h('div', { class: 'live-count', 'aria-live': 'polite' }, h('span', { class: 'muted' }, '选择条件后显示收信人数'));

	const text = h('textarea', { name: 'text', rows: 6, required: true, class: 'sms-text',
		placeholder: '例如：{name}您好，{region}{course}将于{start_date}开班，请按时参加。' });
	const phButtons = h('div', { class: 'placeholders', role: 'group', 'aria-label': '插入占位符' },
		h('span', { class: 'muted' }, '插入：'),
		PLACEHOLDERS.map((p) => h('button', { type: 'button', class: 'chip', title: `${p.label}，例如“${p.sample}”`,
			onclick: () => insertAt(text, `{${p.name}}`) }, `{${p.name}} ${p.label}`)));
	const sigBefore = h('span', { class: 'fixed-text' });
	const hintAfter = h('span', { class: 'fixed-text' });
	const counter = h('div', { class: 'sms-counter', 'aria-live': 'polite' });
	const phNote = h('div', { class: 'ph-note' });
	const samples = h('div', { class: 'samples' }, h('p', { class: 'muted' }, '输入内容后显示三条样例。'));

	const start = h('input', { type: 'datetime-local', name: 'start' });
	const end = h('input', { type: 'datetime-local', name: 'end' });
	const rate = h('input', { type: 'number', name: 'rate', min: 0, step: 1, placeholder: '0 表示不限速', inputmode: 'numeric' });
	const sending = h('div', { class: 'muted small', 'aria-live': 'polite' });

	const err = h('div', { class: 'form-error' });
	const saveBtn = h('button', { type: 'submit', class: 'btn', value: 'draft' }, '保存草稿');
	const startBtn = h('button', { type: 'submit', class: 'btn btn-primary', value: 'start' }, '保存并开始发送');

	const form = h('form', { class: 'campaign-form', novalidate: true },
		h('div', { class: 'cols cols-form' },
			h('div', {},
				card('基本信息', field('群发名称', name)),
				card('收信人',
					h('div', { class: 'radios', role: 'radiogroup', 'aria-label': '收信人来源' },
						h('label', { for: modeFilter.id, class: 'check' }, modeFilter, '按名册条件筛选'),
						h('label', { for: modeNumbers.id, class: 'check' }, modeNumbers, '指定手机号码')),
					filters, numbersBox, count),
				card('发送安排',
					h('div', { class: 'cols cols-3' },
						field('开始时间', start, '留空：点击开始后立即发送'),
						field('截止时间', end, '留空：不设截止'),
						field('速率（条/秒）', rate)),
					sending)),
			h('div', {},
				card('短信内容',
					h('label', { for: text.id || (text.id = newId('text')) }, '通知正文'),
					h('div', { class: 'sms-compose' }, sigBefore, text, hintAfter),
					phButtons, counter, phNote),
				card('样例（按名册中的三位收信人生成）', samples))),
		err,
		h('div', { class: 'form-actions' }, saveBtn, startBtn,
			h('a', { href: '#/campaigns', class: 'btn btn-light' }, '返回列表')));

	main.append(pageHead('新建群发'), form);

	function body() {
		const b = { name: name.value.trim(), text: text.value };
		if (modeNumbers.checked) {
			b.numbers = words(numbers.value);
		} else {
			const f = {
				region: region.values(), group: group.values(), course: words(course.value),
				occupation: words(occupation.value), enrolment_status: enrol.values(), subsidy_status: subsidy.values(),
			};
			for (const [k, v] of Object.entries(f)) if (v.length) b[k] = v;
		}
		if (start.value) b.start = localTime(start.value);
		if (end.value) b.end = localTime(end.value);
		if (rate.value !== '') b.rate = Number(rate.value);
		return b;
	}

	function drawCounter(server) {
		fill(sigBefore, signature);
		fill(hintAfter, hint);
		const full = noticeBody(fillSamples(text.value), signature, hint);
		const c = countSms(full);
		const enc = c.encoding === 'GSM' ? 'GSM 7 位编码' : '中文编码（UCS-2）';
		fill(counter,
			h('div', { class: 'count-local' },
				h('strong', {}, `约 ${c.parts} 条短信`), ` · 共 ${c.chars} 字（含签名和退订提示）· ${enc}`,
				c.parts > 1 ? ` · 长短信每条 ${c.perPart} 字` : ` · 单条上限 ${c.single} 字`,
				` · 本条还可输入 ${c.remaining} 字`),
			h('div', { class: 'count-server' }, server && (server.longest_parts !== undefined || server.parts !== undefined)
				? ['服务器计算：', server.longest_parts !== undefined ? ['按最长的姓名、课程等 ', h('strong', {}, `${server.longest_parts} 条`)] : null,
					server.parts !== undefined && server.recipients ? `，样例最多 ${server.parts} 条` : '',
					server.max_parts ? `，上限 ${server.max_parts} 条` : '']
				: h('span', { class: 'muted' }, '服务器计算：等待预览…')));
		const { used, unknown } = findPlaceholders(text.value);
		fill(phNote,
			used.length ? h('div', { class: 'small' }, '已使用占位符：', used.map((u) => h('code', {}, u))) : null,
			unknown.length ? notice('error', `无法识别的占位符：${unknown.join(' ')}。可用：${PLACEHOLDERS.map((p) => `{${p.name}}`).join(' ')}`) : null);
	}

	let seq = 0;
	let timer;
	async function preview() {
		const my = ++seq;
		const b = body();
		if (!b.text.trim()) b.text = ' ';
		try {
			const p = await api.post('campaigns/preview', b);
			if (my !== seq) return;
			if (p.signature !== undefined) signature = p.signature;
			if (p.optout_hint !== undefined) hint = p.optout_hint;
			else if (p.hint !== undefined) hint = p.hint;
			fill(count, h('span', { class: 'count-num' }, fmtNum(p.recipients)), ' 位收信人',
				p.detail && typeof p.detail === 'object' ? h('span', { class: 'muted small' },
					`（${Object.entries(p.detail).map(([k, v]) => `${label('preview_detail', k)} ${fmtNum(v)}`).join('，')}）`) : null);
			drawCounter(p);
			drawSamples(p.samples || []);
			const q = p.quiet && p.quiet.start !== p.quiet.end ? `；${p.quiet.start}–${p.quiet.end} 为免打扰时段，不发送` : '';
			fill(sending, p.duration_s !== undefined && p.recipients
				? `预计发送用时约 ${fmtDuration(p.duration_s)}${p.rate ? `（每秒 ${p.rate} 条）` : ''}${q}` : '',
			p.after_end ? notice('error', '按当前速率，截止时间前发不完：截止后未发出的短信将过期。') : null);
		} catch (e) {
			if (my !== seq || e.status === 401) return;
			fill(count, h('span', { class: 'count-error' }, e.message));
			drawCounter(null);
		}
	}
	function drawSamples(list) {
		if (!text.value.trim()) {
			fill(samples, h('p', { class: 'muted' }, '输入内容后显示三条样例。'));
			return;
		}
		fill(samples, list.length ? h('ol', { class: 'sample-list' }, list.slice(0, 3).map((s) => h('li', {},
			h('div', { class: 'sample-head' }, h('span', {}, s.msisdn || s.to || ''), h('span', { class: 'muted' }, `${s.parts ?? countSms(s.text).parts} 条`)),
			h('div', { class: 'sample-text' }, s.text))))
			: h('p', { class: 'muted' }, '没有符合条件的收信人，无法生成样例。'));
	}
	const schedule = () => { clearTimeout(timer); timer = setTimeout(preview, 350); };
	const onMode = () => {
		filters.hidden = modeNumbers.checked;
		numbersBox.hidden = !modeNumbers.checked;
		schedule();
	};
	modeFilter.addEventListener('change', onMode);
	modeNumbers.addEventListener('change', onMode);
	form.addEventListener('input', (ev) => {
		if (ev.target === text) drawCounter(null);
		if (ev.target !== name) schedule();
	});
	form.addEventListener('change', schedule);

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const andStart = ev.submitter && ev.submitter.value === 'start';
		err.replaceChildren();
		const b = body();
		if (!b.name) { showError(err, new Error('请填写群发名称。')); name.focus(); return; }
		if (!b.text.trim()) { showError(err, new Error('请填写通知正文。')); text.focus(); return; }
		if (modeNumbers.checked && !b.numbers.length) { showError(err, new Error('请填写至少一个手机号码。')); numbers.focus(); return; }
		const btn = andStart ? startBtn : saveBtn;
		try {
			await busy(btn, (async () => {
				const c = await api.post('campaigns', b);
				if (andStart) await api.post(`campaigns/${c.id}/start`, {});
				toast(andStart ? `群发 ${c.id} 已开始发送。` : `群发 ${c.id} 已保存为草稿。`);
				ctx.go('campaigns', String(c.id));
			})());
		} catch (e) {
			if (e.status !== 401) showError(err, e);
		}
	});

	drawCounter(null);
	schedule();
	name.focus();
}

/** Insert s at the cursor of a textarea and tell the form. */
function insertAt(ta, s) {
	const { selectionStart: a, selectionEnd: b, value } = ta;
	ta.value = value.slice(0, a) + s + value.slice(b);
	ta.selectionStart = ta.selectionEnd = a + s.length;
	ta.focus();
	ta.dispatchEvent(new Event('input', { bubbles: true }));
}
