// pages/imports.js - 数据导入与导出: upload one of the bureau's CSV files
// (roster, courses, enrolments ...) to be validated, see the validation
// report row by row (line, column, reason), apply it and follow its
// progress; and download the enrolments since a date for the back office.

import * as api from '../api.js';
import { label, LABELS } from '../labels.js';
import { busy, canWrite, card, field, fill, fmtNum, h, notice, pageHead, poll, progressBar, readOnlyNotice, showError, table, toast } from '../ui.js';

const MAX_BYTES = 512 * 1024 * 1024;	// api.max_upload's default
const FINAL = ['done', 'failed', 'cancelled'];
const rowColumns = [
	{ title: '行号', class: 'num', get: (b) => b.line },
	{ title: '列', get: (b) => b.column || '—' },
	{ title: '原因', get: (b) => b.reason },
];

export async function importsPage(main, ctx) {
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

	const resultCard = card('校验结果', result);
	main.append(pageHead('数据导入'),
		card('上传文件', canWrite(ctx.session) ? form : readOnlyNotice()),
		resultCard,
		card('数据导出', h('div', { class: 'cols cols-3' }, field('起始日期', since, '留空：导出全部报名记录'),
			h('div', { class: 'field field-button' }, exportBtn)), exportErr));
	fill(result, h('p', { class: 'muted' }, '上传文件后，在此逐行显示校验结果。'));

	let current = null;	// the last upload: {job, kind, file}
	let stop = null;

	const canApply = () => {
		const j = current && current.job;
		return !!j && j.mode === 'validate' && j.state === 'done' &&
			(j.result === 'valid' || (j.result === 'invalid' && skipBad.checked && j.rows > j.bad));
	};
	skipBad.addEventListener('change', () => { applyBtn.disabled = !canApply(); });

	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.replaceChildren();
		const f = file.files[0];
		if (!f) { showError(err, new Error('请选择要上传的 CSV 文件。')); file.focus(); return; }
		if (f.size > MAX_BYTES) { showError(err, new Error('文件过大，请拆分后上传。')); return; }
		applyBtn.disabled = true;
		try {
			const job = await busy(validateBtn, api.request('imports', {
				method: 'POST', body: f, query: { kind: kind.value, mode: 'validate' }, headers: { 'Content-Type': 'text/csv' },
			}));
			current = { job, kind: kind.value, file: f };
			follow(job);
		} catch (e) {
			if (e.status !== 401) showError(err, e);
		}
	});

	applyBtn.addEventListener('click', async () => {
		if (!canApply()) return;
		err.replaceChildren();
		try {
			const job = await busy(applyBtn, api.request(`imports/${current.job.id}/apply`, {
				method: 'POST', query: { skip_bad: skipBad.checked ? 'true' : undefined },
			}));
			applyBtn.disabled = true;
			follow(job);
		} catch (e) {
			if (e.status !== 401) showError(err, e);
		}
	});

	function follow(first) {
		if (stop) stop();
		draw(first);
		if (FINAL.includes(first.state)) return;
		stop = poll(async () => {
			const job = await api.get(`imports/${first.id}`);
			draw(job);
			if (FINAL.includes(job.state) && stop) {
				stop();
				stop = null;
				if (job.mode === 'apply' && job.result === 'applied') toast('导入完成。');
			}
		}, 500);
	}

	function draw(j) {
		current.job = j;
		const done = FINAL.includes(j.state);
		const applying = j.mode === 'apply';
		const bad = j.bad_rows || [];
		const fraction = j.progress && j.progress.fraction !== undefined ? j.progress.fraction : (done ? 1 : 0);
		fill(resultCard.querySelector('h2'), applying ? '导入结果' : '校验结果');
		const counts = [
			['总行数', j.rows], ['错误行', j.bad], ['警告', j.warnings],
			...(applying ? [['新增', j.imported], ['更新', j.updated], ['未变', j.unchanged]] : []),
		].filter(([, v]) => v !== undefined && v !== null);
		const outcome = done && j.result ? label('import_result', j.result) : label('import_state', j.state);
		fill(result,
			h('div', { class: 'import-head' },
				h('strong', {}, `${label('import_kind', j.kind || current.kind)} · ${current.file.name}`),
				' ', h('span', { class: `badge state-${done && j.result ? j.result : j.state}` }, outcome),
				j.encoding ? h('span', { class: 'muted small' }, ` 编码 ${j.encoding}`) : null),
			progressBar(fraction, applying ? '导入进度' : '校验进度'),
			h('div', { class: 'stats' }, counts.map(([t, v]) => h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, fmtNum(v)), h('div', { class: 'stat-label' }, t)))),
			j.error ? notice('error', j.error) : null,
			bad.length ? [
				h('h3', {}, `错误行（${fmtNum(j.bad ?? bad.length)}）`),
				table(rowColumns, bad, { caption: applying ? '以下行未导入。' : '以下行未通过校验：请修改文件后重新上传，或勾选“跳过错误行”后确认导入其余行。' }),
				j.bad_rows_truncated ? h('p', { class: 'muted small' }, `仅显示前 ${bad.length} 行。`) : null,
			] : null,
			(j.warning_rows || []).length ? [h('h3', {}, '警告'), table(rowColumns, j.warning_rows)] : null,
			done && !bad.length && !j.error ? notice('ok', applying ? '导入完成。' : '全部行通过校验，可以确认导入。') : null);
		applyBtn.disabled = !canApply();
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

