// pages/imports.js - 数据导入与导出: upload one of the bureau's CSV files
// (roster, courses, enrolments ...) to be validated, see the validation
// report row by row (line, column, reason), apply it and follow its
// progress; and download the enrolments since a date for the back office.

import * as api from '../api.js';
import { label, LABELS } from '../labels.js';
import { busy, card, field, fill, fmtNum, h, notice, pageHead, poll, progressBar, showError, table, toast } from '../ui.js';

const MAX_BYTES = 64 * 1024 * 1024;
const FINAL = ['validated', 'applied', 'done', 'failed'];

export async function importsPage(main) {
	const kind = h('select', { name: 'kind' }, Object.entries(LABELS.import_kind).map(([v, t]) => h('option', { value: v }, `${t}（${v}）`)));
	const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv' });
	const skipBad = h('input', { type: 'checkbox', name: 'skip_bad', id: 'skip-bad' });
	const err = h('div', { class: 'form-error' });
	const validateBtn = h('button', { type: 'submit', class: 'btn btn-primary', value: 'validate' }, '上传并校验');
	const applyBtn = h('button', { type: 'button', class: 'btn', disabled: true }, '确认导入');
	const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
	const form = h('form', { class: 'import-form', novalidate: true },
		h('div', { class: 'cols cols-3' },
			field('数据类型', kind),
			field('CSV 文件', file, 'UTF-8 或 GBK 编码，首行为列名（中文或英文）。'),
			h('div', { class: 'field' }, h('span', { class: 'label' }, '有错误行时'),
				h('label', { class: 'check', for: 'skip-bad' }, skipBad, '跳过错误行，导入其余行'))),
		err,
		h('div', { class: 'form-actions' }, validateBtn, applyBtn));

	const since = h('input', { type: 'date', name: 'since' });
	const exportErr = h('div');
	const exportBtn = h('button', { type: 'button', class: 'btn' }, '导出报名记录（CSV）');

	main.append(pageHead('数据导入'),
		card('上传文件', form),
		card('校验结果', result),
		card('数据导出', h('div', { class: 'cols cols-3' }, field('起始日期', since, '留空：导出全部报名记录'),
			h('div', { class: 'field field-button' }, exportBtn)), exportErr));
	fill(result, h('p', { class: 'muted' }, '上传文件后，在此逐行显示校验结果。'));

	let current = null;	// the last upload: {id, kind, file}
	let stop = null;

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.replaceChildren();
		const f = file.files[0];
		if (!f) { showError(err, new Error('请选择要上传的 CSV 文件。')); file.focus(); return; }
		if (f.size > MAX_BYTES) { showError(err, new Error('文件超过 64 MB，请拆分后上传。')); return; }
		applyBtn.disabled = true;
		try {
			const r = await busy(validateBtn, upload(kind.value, f, 'validate', skipBad.checked));
			current = { id: r.id, kind: kind.value, file: f, report: r };
			follow(r);
		} catch (e) {
			if (e.status !== 401) showError(err, e);
		}
	});

	applyBtn.addEventListener('click', async () => {
		if (!current) return;
		err.replaceChildren();
		try {
			let r;
			if (current.id !== undefined && current.report && current.report.state === 'validated') {
				r = await busy(applyBtn, api.post(`imports/${current.id}/apply`, { skip_bad: skipBad.checked }));
			} else {
				r = await busy(applyBtn, upload(current.kind, current.file, 'apply', skipBad.checked));
			}
			applyBtn.disabled = true;
			current.id = r.id ?? current.id;
			follow(r);
		} catch (e) {
			if (e.status !== 401) showError(err, e);
		}
	});

	function follow(first) {
		if (stop) stop();
		draw(first);
		if (FINAL.includes(first.state) || first.id === undefined) return;
		stop = poll(async () => {
			const r = await api.get(`imports/${first.id}`);
			draw(r);
			if (FINAL.includes(r.state) && stop) { stop(); stop = null; }
		}, 700);
	}

	async function draw(r) {
		current.report = r;
		const bad = r.bad_rows || r.errors || r.bad || [];
		const total = r.rows ?? r.total;
		const done = FINAL.includes(r.state);
		const applied = r.mode === 'apply' || ['applying', 'applied', 'done'].includes(r.state);
		const counts = [
			['总行数', total], ['正确', r.good ?? (total !== undefined ? total - (r.bad_count ?? bad.length) : undefined)],
			['错误', r.bad_count ?? bad.length], ['新增', r.added ?? r.inserted], ['更新', r.updated], ['未变', r.unchanged ?? r.same],
		].filter(([, v]) => v !== undefined);
		fill(result,
			h('div', { class: 'import-head' },
				h('strong', {}, `${label('import_kind', r.kind || current.kind)} · ${current.file.name}`),
				' ', h('span', { class: `badge state-${r.state}` }, label('import_state', r.state))),
			progressBar(r.progress ?? (done ? 1 : 0), applied ? '导入进度' : '校验进度'),
			h('div', { class: 'stats' }, counts.map(([t, v]) => h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, fmtNum(v)), h('div', { class: 'stat-label' }, t)))),
			r.message ? notice(r.state === 'failed' ? 'error' : 'info', r.message) : null,
			bad.length ? [
				h('h3', {}, `错误行（${fmtNum(r.bad_count ?? bad.length)}）`),
				table([
					{ title: '行号', class: 'num', get: (b) => b.line },
					{ title: '列', get: (b) => b.column || '—' },
					{ title: '原因', get: (b) => b.reason },
				], bad, { caption: '以下行未通过校验，请修改 CSV 文件后重新上传，或勾选“跳过错误行”。' }),
				(r.bad_count ?? bad.length) > bad.length ? h('p', { class: 'muted small' }, `仅显示前 ${bad.length} 行。`) : null,
			] : (done ? notice('ok', applied ? '导入完成。' : '全部行通过校验。') : null));
		if (done && !applied && r.state !== 'failed') applyBtn.disabled = false;
		if (done && applied && r.state !== 'failed') toast('导入完成。');
	}

	exportBtn.addEventListener('click', async () => {
		exportErr.replaceChildren();
		try {
			await busy(exportBtn, api.download('exports/enrolments', since.value ? { since: since.value } : null,
				`enrolments${since.value ? `-since-${since.value}` : ''}.csv`));
		} catch (e) {
			if (e.status !== 401) showError(exportErr, e);
		}
	});
}

/** POST the CSV file as the body; kind and mode as query parameters. */
function upload(kind, f, mode, skipBad) {
	return api.request('imports', {
		method: 'POST', body: f, query: { kind, mode, skip_bad: skipBad ? 1 : undefined },
		headers: { 'Content-Type': 'text/csv' },
	}).then((r) => (r && (r.items || r.state || r.id !== undefined) ? r : { ...r, state: 'validated' }));
}

