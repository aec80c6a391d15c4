// pages/quality.js - 培训质量: what the trainees themselves say, from their
// bound phones, about the subsidised courses (attendance codes on the days
// checked, a score when a course ends, employment 3 and 6 months on),
// beside the pass rate of the imported results: per institution,
// occupation or course (GET /api/v1/quality, the CSV of
// /api/v1/exports/quality), and one course in detail (#/quality/course/
// CODE: GET /api/v1/quality/courses/CODE) with its check days, the
// trainees never confirmed, the scores and comments, the follow-ups.

import * as api from '../api.js';
import { barChart } from '../chart.js';
import { label, LABELS } from '../labels.js';
import { busy, button, card, field, fill, fmtNum, fmtPct, fmtTime, h, itemsOf, notice, pageHead, showError, table } from '../ui.js';

const pct = (x) => (x === null || x === undefined ? '—' : fmtPct(x));
const num = (x) => fmtNum(x);
const avg = (x) => (x === null || x === undefined ? '—' : Number(x).toFixed(2));

/** The columns of the figures; the name links to a course's page. */
function columns(by) {
	const name = (r) => (by === 'course' ? h('a', { href: `#/quality/course/${encodeURIComponent(r.key)}` }, r.name || r.key)
		: h('span', {}, r.name || r.key, h('span', { class: 'muted small' }, ` ${r.key}`)));
	const col = (k, get, cls = 'num') => ({ title: label('quality_col', k), class: cls, get });
	return [
		{ title: label('quality_by', by).replace('按', ''), get: name },
		...(by === 'course' ? [] : [col('courses', (r) => num(r.courses))]),
		col('trainees', (r) => num(r.trainees)),
		col('pass_rate', (r) => pct(r.pass_rate)),
		col('confirm_rate', (r) => pct(r.confirm_rate)),
		col('never', (r) => num(r.never)),
		col('rated_rate', (r) => pct(r.rated_rate)),
		col('score_avg', (r) => avg(r.score_avg)),
		col('reported_rate', (r) => pct(r.reported_rate)),
		col('employed_rate', (r) => pct(r.employed_rate)),
		col('business_rate', (r) => pct(r.business_rate)),
	];
}

export async function qualityPage(main, ctx) {
	if (ctx.params[0] === 'course' && ctx.params[1]) {
		await coursePage(main, ctx.params[1]);
		return;
	}
	const by = h('select', { name: 'by', id: 'quality-by' },
		Object.entries(LABELS.quality_by).map(([v, t]) => h('option', { value: v }, t)));
	const inst = h('input', { name: 'institution', autocomplete: 'off', placeholder: '如 I01，留空为全部', size: 14 });
	const since = h('input', { type: 'date', name: 'since' });
	const code = h('input', { name: 'course', autocomplete: 'off', inputmode: 'numeric', placeholder: '课程编号', size: 10 });
	const err = h('div');
	const out = h('div');
	const query = () => ({ by: by.value, institution: inst.value.trim(), since: since.value });
	const exportBtn = button('导出统计（CSV）', (ev) => busy(ev.currentTarget,
		api.download('exports/quality', query(), `培训质量-${label('quality_by', by.value)}.csv`)
			.catch((e) => { if (e.status !== 401) showError(err, e); })));
	const form = h('form', { novalidate: true, class: 'inline-form quality-filters' },
		field('统计维度', by), field('培训机构代码', inst), field('结业日期起', since),
		h('button', { type: 'submit', class: 'btn btn-primary' }, '查询'));
	const courseForm = h('form', { novalidate: true, class: 'inline-form' }, field('课程编号', code),
		h('button', { type: 'submit', class: 'btn' }, '查看课程'));
	main.append(pageHead('培训质量', exportBtn),
		notice('info', '学员用本人绑定的手机回复到课签到码（QD）、课程评价（PJ）和就业回访（JY），与导入的考核结果并列统计；'
			+ '比例均以实际询问或回复的人数为基数。'),
		h('div', { class: 'cols cols-2-1' }, card('查询条件', form), card('单个课程', courseForm)),
		err, card('统计结果', out));
	const load = async () => {
		err.replaceChildren();
		try {
			const rows = itemsOf(await api.get('quality', query()));
			fill(out, table(columns(by.value), rows, { empty: '暂无数据：课程结业或开始到课抽查后才有统计。' }),
				h('p', { class: 'muted small' }, '就业率、创业率为回复回访者中已就业、已创业的比例（按每人最近一次回复）；'
					+ '合格率为有考核结果者中合格的比例。'));
		} catch (e) {
			if (e.status !== 401) showError(err, e);
		}
	};
	form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
	by.addEventListener('change', load);
	courseForm.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const c = code.value.trim();
		if (!/^\d+$/.test(c)) { showError(err, new Error('请输入数字课程编号。')); code.focus(); return; }
		ctx.go('quality', 'course', c);
	});
	await load();
}

/** Each check day: how many were asked and confirmed. */
function daysCard(c) {
	const warn = c.other > 0 ? notice('error', `有 ${c.other} 次签到码从学员本人以外的号码发来（未计入到课），可能存在代签到，请核查。`) : null;
	return card('到课抽查', warn, table([
		{ title: '抽查日期', get: (d) => d.day },
		{ title: '询问人数', class: 'num', get: (d) => num(d.asked) },
		{ title: '确认到课', class: 'num', get: (d) => num(d.confirmed) },
		{ title: '确认率', class: 'num', get: (d) => pct(d.share) },
		{ title: '未绑定手机', class: 'num', get: (d) => num(d.nonumber) },
		{ title: '已退订', class: 'num', get: (d) => num(d.optout) },
	], c.days, { empty: c.checks ? '抽查日将在开课后确定。' : '本课程未设置考勤抽查。' }),
	h('p', { class: 'muted small' }, `过期签到码 ${num(c.late)} 次；其他号码发来的签到码 ${num(c.other)} 次。`));
}

function neverCard(c) {
	return card(`从未确认到课的学员（${c.never.length} 人）`, table([
		{ title: '姓名', get: (t) => t.name },
		{ title: '身份证号', get: (t) => t.id_number },
		{ title: '手机号', get: (t) => t.msisdn || '未绑定' },
		{ title: '被询问次数', class: 'num', get: (t) => num(t.checks) },
		{ title: '签到码被他人使用', class: 'num', get: (t) => (t.other ? h('strong', { class: 'count-error' }, num(t.other)) : '0') },
	], c.never, { empty: '每位被询问的学员都至少确认过一次。' }),
	h('p', { class: 'muted small' }, '完整名单（含证件号）请在“数据导入”页导出报名记录，见“抽查次数”“确认到课次数”两列。'));
}

function surveyCard(c) {
	const s = c.survey;
	const items = s.scores.map((v, i) => ({ label: `${i + 1} 分`, value: v, code: `score-${i + 1}` }));
	return card('满意度评价', h('div', { class: 'stats' },
		h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, num(s.asked)), h('div', { class: 'stat-label' }, '邀请评价')),
		h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, num(s.rated)), h('div', { class: 'stat-label' }, '已评价')),
		h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, avg(s.score_avg)), h('div', { class: 'stat-label' }, '平均分（满分 5）'))),
	h('div', { class: 'quality-scores' },
		s.rated ? barChart(items, { title: '评分分布' }) : h('p', { class: 'muted' }, '暂无评价。')),
	table([
		{ title: '评分', class: 'num', get: (x) => x.score },
		{ title: '学员', class: 'nowrap', get: (x) => x.name },
		{ title: '意见', class: 'wrap', get: (x) => x.text },
		{ title: '时间', class: 'nowrap', get: (x) => fmtTime(x.at) },
	], c.comments, { empty: '暂无文字意见。', caption: '学员意见（姓名已打码）' }));
}

function roundsCard(c) {
	return card('就业回访', table([
		{ title: '回访', get: (r) => `结业 ${r.months} 个月` },
		{ title: '询问人数', class: 'num', get: (r) => num(r.asked) },
		{ title: '已回复', class: 'num', get: (r) => num(r.answered) },
		{ title: '已就业', class: 'num', get: (r) => num(r.employed) },
		{ title: '已创业', class: 'num', get: (r) => num(r.business) },
		{ title: '未就业', class: 'num', get: (r) => num(r.seeking) },
	], c.rounds, { empty: '结业 3 个月后开始回访。' }));
}

async function coursePage(main, code) {
	const back = h('a', { href: '#/quality', class: 'btn btn-light' }, '返回统计');
	let c;
	try {
		c = await api.get(`quality/courses/${encodeURIComponent(code)}`);
	} catch (e) {
		if (e.status === 401) return;
		main.append(pageHead('培训质量', back), notice('error', e.status === 404 ? `没有课程编号为 ${code} 的课程。` : e.message));
		return;
	}
	const facts = [['培训机构', c.institution], ['职业（工种）', c.occupation], ['培训时间', `${c.start_date} 至 ${c.end_date}`],
		['考勤抽查', c.checks ? (/^\d+$/.test(c.checks) ? `随机 ${c.checks} 天` : c.checks.replace(/,/g, '、')) : '未设置'],
		['上课时间', c.class_hours || '按系统默认'], ['学员人数', num(c.trainees)]];
	main.append(pageHead(`${c.name}（${c.code}）`, back),
		card('课程信息', h('dl', { class: 'facts facts-wide' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
		h('div', { class: 'cols cols-2' }, daysCard(c), roundsCard(c)),
		neverCard(c), surveyCard(c));
}
