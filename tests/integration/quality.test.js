'use strict';
// quality.test.js - training quality from the trainees' own phones,
// through skillctl import (the bureau's CSV files), the running daemon
// against the SMSC simulator and the daemon's clock moved with
// SKILLGW_CLOCK_OFFSET_MS:
// - a course of 20 trainees checked on its 2 class days: each trainee gets
//   a code of the day during class hours and confirms with QD (glued,
//   full-width, 签到, the USSD menu); a wrong code, a trainee's code from a
//   number that is not the trainee's (bound to another worker, or to
//   nobody), yesterday's code today are refused and never counted; the
//   share per day, the trainees never confirmed and the enrolment export
//   say so; restarts ask nobody twice;
// - a course ending: one survey each (not to the trainee who sent TD), PJ
//   answers with comments aggregated per institution, a second answer
//   within 7 days replaces the first, a later one is refused politely;
// - the clock moved 3 months: one follow-up each, JY answers, employment,
//   entrepreneurship, answer and pass rates per institution, the same in
//   skillctl report, the API and the CSV export;
// - kill -9 while 600 surveys go out: each trainee asked once.

const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { gwTest, until, sleep, ROOT } = require('./lib/gw');
const { day, residentId, csvFile } = require('./lib/roster');
const U = require('./lib/ussd');

const SIG = '【揭阳人社】';
const COMMANDS = {
	enabled: true, messages: path.join(ROOT, 'conf', 'messages.conf'), signature: SIG,
	hotline: '12333', rate_limit: 1000, rate_window: 60, register_max_failures: 5, list_parts: 3,
};
const NO_QUIET = { quiet_start: '00:00', quiet_end: '00:00' };

const nameOf = (i) => `学员${[...String(i)].map((d) => '零一二三四五六七八九'[d]).join('')}`;
const number = (i) => `86135${String(i).padStart(8, '0')}`;
const idOf = (i) => residentId(`445202${1980 + Math.floor(i / 1000)}0202${String(i % 1000).padStart(3, '0')}`);
const STRANGER = '8613999999999';

/** The ms offset that puts the daemon's clock at hh:mm China time on ISO day d. */
const offsetTo = (d, hhmm) => String(Date.parse(`${d}T${hhmm}:00+08:00`) - Date.now());

/** ISO day d plus n months, as SQLite's date(d, '+n months') reckons it. */
function plusMonths(d, n) {
	const [y, m, dd] = d.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1 + n, dd)).toISOString().slice(0, 10);
}

function importOk(gw, kind, file, ...opts) {
	const r = gw.ctl(['import', kind, file, ...opts]);
	assert.equal(r.code, 0, `import ${kind}: ${r.stderr}`);
	return r.stdout;
}

/** Courses: {code: {name, inst, start, end, checks, hours}}. */
function coursesCsv(gw, courses, name = 'courses.csv') {
	const rows = Object.entries(courses).map(([code, c]) => [code, c.name, c.occ || 'E1', 5, '就业技能培训',
		c.inst || 'I1', '445202', c.start, c.end, c.start, c.capacity || 50, 1200, c.status || '已截止', c.checks || '',
		c.hours || '']);
	return csvFile(gw.dir, name, ['课程编号', '课程名称', '职业', '等级', '培训类型', '机构代码', '区县',
		'开班日期', '结业日期', '报名截止日期', '计划人数', '补贴标准', '状态', '考勤抽查', '上课时间'], rows);
}

/** A gateway with commands (and USSD) on, the catalogue, workers 0..n-1
 * (bound to number(i)) and the courses; started at `at` ([day, hh:mm]). */
async function setup(h, { workers = 20, courses, at, quality = {}, link = {}, ussd = false, api } = {}) {
	const sim = await h.smsc({ behaviour: { dlr: true } });
	const extra = { commands: COMMANDS, notices: NO_QUIET, notify: { share: 100 }, quality };
	if (ussd) Object.assign(extra, { ussd: { enabled: true, menu: U.MENU } });
	const gw = await h.gateway({ sim, start: false, link: { window: 20, ...link }, extra, api });
	gw.extraEnv = at ? { SKILLGW_CLOCK_OFFSET_MS: offsetTo(...at) } : {};
	const d = gw.dir;
	importOk(gw, 'occupations', csvFile(d, 'occ.csv', ['职业代码', '职业名称', '职业类别'],
		[['E1', '电工', '制造'], ['C1', '中式烹调师', '服务']]));
	importOk(gw, 'institutions', csvFile(d, 'inst.csv', ['机构代码', '机构名称', '区县', '是否目录内'],
		[['I1', '揭阳技师学院', '445202', '是'], ['I2', '普宁职校', '445281', '是']]));
	importOk(gw, 'courses', coursesCsv(gw, courses));
	const rows = [];
	for (let i = 0; i < workers; i++) rows.push([idOf(i), nameOf(i), number(i).slice(2), '445202']);
	importOk(gw, 'workers', csvFile(d, 'workers.csv', ['身份证号', '姓名', '手机号', '区县'], rows));
	return { sim, gw };
}

/** Enrol [i, code, status, result] rows. */
function enrol(gw, name, list) {
	importOk(gw, 'enrolments', csvFile(gw.dir, name, ['身份证号', '课程编号', '状态', '结果'],
		list.map(([i, code, st, res]) => [idOf(i), code, st || '已报名', res || ''])));
}

const to = (sim, n) => sim.messages.filter((m) => m.to === n);

/** Send text from `from`; the next message to it (the reply), checked against re. */
async function reply(sim, from, text, re) {
	const before = to(sim, from).length;
	assert.equal((await sim.sendMo({ from, to: '12333', text })).status, 0);
	const m = await until(() => to(sim, from).length > before && to(sim, from)[before],
		{ timeout: 10000, what: `the reply to ${text} from ${from}` });
	if (re) assert.match(m.text, re, `reply to ${JSON.stringify(text)}`);
	return m.text;
}

/** The code of the newest attendance question to trainee i. */
function codeOf(sim, i) {
	const q = to(sim, number(i)).filter((m) => /回复QD\d{6}/.test(m.text));
	assert.ok(q.length, `trainee ${i} has a code`);
	return q[q.length - 1].text.match(/回复QD(\d{6})/)[1];
}

/** Wait for n questions matching re to have reached the simulator in all. */
async function questions(sim, re, n, what) {
	await until(() => sim.messages.filter((m) => re.test(m.text)).length >= n, { timeout: 30000, what });
	await sleep(1500);
	assert.equal(sim.messages.filter((m) => re.test(m.text)).length, n, `exactly ${n}: ${what}`);
}

function ctlJson(gw, args) {
	const r = gw.ctl(args);
	assert.equal(r.code, 0, `skillctl ${args.join(' ')}: ${r.stderr}`);
	return JSON.parse(r.stdout);
}

async function restart(gw, at) {
	await gw.stopClean();
	gw.extraEnv = { SKILLGW_CLOCK_OFFSET_MS: offsetTo(...at) };
	gw.start();
	await gw.waitBound();
}

gwTest('attendance: 20 trainees, 2 check days; wrong, foreign and late codes refused; the never-confirmed list',
	{ timeout: 180000 }, async (t, h) => {
		const D1 = day(0), D2 = day(1);
		// 20 trainees (0..19); 20 is bound to another worker, not enrolled
		const { sim, gw } = await setup(h, {
			workers: 21, at: [D1, '10:00'], ussd: true,
			courses: { 4001: { name: '电工培训班', start: D1, end: D2, checks: '2', hours: '08:00-18:00' } },
		});
		enrol(gw, 'enrol.csv', Array.from({ length: 20 }, (_, i) => [i, '4001']));
		gw.start();
		await gw.waitBound();
		await questions(sim, /到课抽查日/, 20, 'the first day\'s questions');
		const q0 = to(sim, number(0))[0].text;
		assert.ok(q0.startsWith(`${SIG}学*零您好，今天是电工培训班（4001）到课抽查日`), q0);
		assert.match(q0, /请于今天18:00前回复QD\d{6}确认到课/);
		const codes = Array.from({ length: 20 }, (_, i) => codeOf(sim, i));
		assert.equal(new Set(codes).size, 20, 'a code for each trainee');

		// 0..14 confirm, in the ways phones write it
		const fw = (s) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xFEE0)).join('');
		for (let i = 0; i < 15; i++) {
			const text = i === 1 ? `ｑｄ　${fw(codes[i])}` : i === 2 ? `签到 ${codes[i]}` : `QD${codes[i]}`;
			await reply(sim, number(i), text, /学\*.*已确认您\d+月\d+日参加电工培训班（4001）培训/);
		}
		await reply(sim, number(0), `QD ${codes[0]}`, /已确认过.*无需重复/);
		// a wrong code; 16's code from worker 20's phone and from a number of nobody's
		const wrong = String((Number(codes[15]) + 1) % 1000000).padStart(6, '0');
		await reply(sim, number(15), `QD${wrong === codes[16] ? '000000' : wrong}`, /签到码不正确/);
		await reply(sim, number(20), `QD${codes[16]}`, /签到码不正确/);
		await reply(sim, STRANGER, `QD${codes[17]}`, /尚未绑定/);
		await reply(sim, number(18), 'QD', /回复QD加短信中的6位签到码/);
		let c = ctlJson(gw, ['report', 'course', '4001', '--json']);
		assert.deepEqual(c.days.map((d) => [d.day, d.asked, d.confirmed]), [[D1, 20, 15], [D2, 0, 0]]);
		assert.equal(c.other, 2, 'two codes sent from other numbers');

		// the next day: new codes; yesterday's is late; 0..9 confirm, 19 by USSD
		await restart(gw, [D2, '10:00']);
		await questions(sim, /到课抽查日/, 40, 'the second day\'s questions');
		const codes2 = Array.from({ length: 20 }, (_, i) => codeOf(sim, i));
		assert.notEqual(codes2[18], codes[18]);
		await reply(sim, number(18), `QD${codes[18]}`, /签到码已过期：电工培训班\d+月\d+日的签到码仅在当天18:00前有效/);
		for (let i = 0; i < 10; i++) await reply(sim, number(i), `QD${codes2[i]}`, /已确认您/);
		const phone = new U.Phone(sim, number(19));
		assert.match((await phone.dial()).text, /6 签到与评价/);
		assert.match((await phone.answer('6')).text, /1 今日到课签到/);
		assert.match((await phone.answer('1')).text, /请输入今天短信中的6位签到码/);
		const done = await phone.answer(codes2[19]);
		assert.match(done.text, /已确认您\d+月\d+日参加电工培训班/);
		assert.ok(done.end);

		c = ctlJson(gw, ['report', 'course', '4001', '--json']);
		assert.deepEqual(c.days.map((d) => [d.asked, d.confirmed, d.share]), [[20, 15, 0.75], [20, 11, 0.55]]);
		assert.deepEqual(c.never.map((x) => x.name), ['学**五', '学**六', '学**七', '学**八']);
		assert.deepEqual(c.never.map((x) => x.other), [0, 1, 1, 0]);
		assert.equal(c.never[0].msisdn, '135****0015');
		assert.match(c.never[0].id_number, /^445\*{11}\d{3}[\dX]$/);
		assert.equal(c.late, 1);
		// the enrolment export carries it
		const out = path.join(gw.dir, 'enrolments.csv');
		assert.equal(gw.ctl(['export', 'enrolments', out]).code, 0);
		const csv = fs.readFileSync(out, 'utf8');
		assert.match(csv, /抽查次数,确认到课次数\r\n/);
		assert.match(csv.split('\r\n').find((l) => l.includes(idOf(0))), /,2,2$/);
		assert.match(csv.split('\r\n').find((l) => l.includes(idOf(16))), /,2,0$/);
		// asked once per trainee and day, whatever the restarts
		await restart(gw, [D2, '11:00']);
		await sleep(2000);
		assert.equal(sim.messages.filter((m) => /到课抽查日/.test(m.text)).length, 40);
		assert.equal(gw.dbValue("SELECT count(*) FROM quality_question WHERE kind = 'attendance'"), 40);
		await gw.stopClean();
	});

gwTest('a course ends: one survey each, scores and comments per institution, a second answer within 7 days, a late one refused',
	{ timeout: 120000 }, async (t, h) => {
		const T = day(0);
		const { sim, gw } = await setup(h, {
			workers: 10, at: [T, '10:00'], quality: { enabled: false },
			courses: {
				4002: { name: '电工初级班', start: day(-20), end: day(-1), inst: 'I1' },
				4003: { name: '烹调初级班', occ: 'C1', start: day(-20), end: day(-1), inst: 'I2' },
			},
		});
		enrol(gw, 'enrol.csv', [[0, '4002', '已结业', '合格'], [1, '4002', '已结业', '合格'],
			[2, '4002', '已结业', '不合格'], [3, '4002', '已结业', '合格'], [4, '4002', '已结业', '合格'],
			[5, '4003', '已结业', '合格'], [6, '4003', '已结业', '合格'], [7, '4003', '已结业', '合格'],
			[8, '4003'], [9, '4002', '已取消']]);
		// 7 stops the bureau's messages before the questions are on
		gw.start();
		await gw.waitBound();
		await reply(sim, number(7), 'TD', /已退订/);
		await gw.stopClean();
		gw.rewrite({ quality: { enabled: true } });
		gw.start();
		await gw.waitBound();
		await questions(sim, /已结业，请为培训打分/, 8, 'one survey each');
		assert.equal(to(sim, number(7)).filter((m) => /PJ/.test(m.text)).length, 0, 'not to the one who opted out');
		assert.equal(to(sim, number(9)).length, 0, 'not to the one who cancelled');
		assert.match(to(sim, number(0)).find((m) => /PJ/.test(m.text)).text,
			/学\*零您好，您参加的电工初级班（4002）已结业，请为培训打分/);

		await reply(sim, number(0), 'PJ5 老师讲得好', /感谢您为电工初级班打出5分/);
		await reply(sim, number(1), 'ＰＪ４', /打出4分/);
		await reply(sim, number(2), '评价 2 课时太少，电话13800138000', /打出2分/);
		await reply(sim, number(3), 'PJ 9', /请回复PJ加1-5分为电工初级班打分/);
		await reply(sim, number(5), 'pj3', /烹调初级班打出3分/);
		await reply(sim, number(6), 'PJ1', /打出1分/);
		await reply(sim, number(6), 'PJ 4分 后来觉得还行', /已将您对烹调初级班的评分改为4分/);
		await reply(sim, number(9), 'PJ5', /没有待评价的培训课程/);	// cancelled

		let r = ctlJson(gw, ['report', 'quality', '--json']).items;
		assert.deepEqual(r.map((x) => [x.key, x.surveys, x.rated, x.score_avg, x.scores]),
			[['I1', 5, 3, 3.67, [0, 1, 0, 1, 1]], ['I2', 3, 2, 3.5, [0, 0, 1, 1, 0]]]);
		assert.equal(r[0].rated_rate, 0.6);
		const c = ctlJson(gw, ['report', 'course', '4002', '--json']);
		assert.deepEqual(c.comments.map((x) => [x.name, x.score, x.text]).sort(),
			[['学*二', 2, '课时太少 电话138********'], ['学*零', 5, '老师讲得好']]);

		// 8 days later: a change is refused, an answer never given is still taken
		await restart(gw, [day(8), '10:00']);
		await reply(sim, number(0), 'PJ1', /电工初级班的评价已截止，提交7天后不能再修改/);
		await reply(sim, number(4), 'PJ5', /打出5分/);
		r = ctlJson(gw, ['--json', 'report', 'quality']).items;
		assert.deepEqual(r[0].scores, [0, 1, 0, 1, 2], 'the late change did not count');
		assert.equal(gw.dbValue("SELECT count(*) FROM quality_refusal WHERE reason = 'closed'"), 1);
		assert.equal(sim.messages.filter((m) => /已结业，请为培训打分/.test(m.text)).length, 8, 'asked once');
		await gw.stopClean();
	});

gwTest('the clock moved 3 months: one follow-up each; employment, entrepreneurship, answer and pass rates per institution',
	{ timeout: 120000 }, async (t, h) => {
		const END = day(-1);
		const { sim, gw } = await setup(h, {
			workers: 9, at: [day(0), '10:00'], ussd: true, api: true,
			courses: {
				4004: { name: '电工初级班', start: day(-30), end: END, inst: 'I1' },
				4005: { name: '电工中级班', start: day(-30), end: END, inst: 'I2' },
			},
		});
		enrol(gw, 'enrol.csv', [[0, '4004', '已结业', '合格'], [1, '4004', '已结业', '合格'],
			[2, '4004', '已结业', '合格'], [3, '4004', '已结业', '合格'], [4, '4004', '已结业', '不合格'],
			[5, '4005', '已结业', '合格'], [6, '4005', '已结业', '合格'], [7, '4005', '已结业', '不合格'],
			[8, '4005', '已结业', '不合格']]);
		gw.start();
		await gw.waitBound();
		await questions(sim, /回复PJ/, 9, 'the surveys when the courses ended');
		assert.equal(sim.messages.filter((m) => /JY/.test(m.text)).length, 0);

		const at = plusMonths(END, 3);
		await restart(gw, [at, '10:00']);
		await questions(sim, /请告诉我们您的就业情况/, 9, 'one follow-up each');
		assert.match(to(sim, number(0)).find((m) => /JY/.test(m.text)).text,
			/您参加的电工初级班已结业3个月.*回复JY1已就业，JY2已创业，JY3未就业/);
		// I1: 1, 1, 2, 3 and one silent; I2: 1 (in words), 2 by USSD, two silent
		await reply(sim, number(0), 'JY1', /已记录您已就业/);
		await reply(sim, number(1), 'jy 1', /已就业/);
		await reply(sim, number(2), '就业2', /已记录您已创业/);
		await reply(sim, number(3), 'JY3', /已记录您暂未就业。回KC可查/);
		await reply(sim, number(5), '就业 已就业', /已就业/);
		const phone = new U.Phone(sim, number(6));
		await phone.dial();
		await phone.answer('6');
		assert.match((await phone.answer('3')).text, /电工中级班结业后您的情况：\n1 已就业\n2 已创业\n3 未就业/);
		assert.match((await phone.answer('2')).text, /已记录您已创业/);
		await reply(sim, number(4), 'JY 7', /请回复JY加数字/);

		const rows = ctlJson(gw, ['report', 'quality', '--json']).items;
		const fig = (x) => [x.key, x.trainees, x.pass_rate, x.followed, x.reported, x.reported_rate,
			x.employed, x.business, x.seeking, x.employed_rate, x.business_rate];
		assert.deepEqual(rows.map(fig), [
			['I1', 5, 0.8, 5, 4, 0.8, 2, 1, 1, 0.5, 0.25],
			['I2', 4, 0.5, 4, 2, 0.5, 1, 1, 0, 0.5, 0.5],
		]);
		// per occupation (both 电工) and one institution since the day the courses ended
		const occ = ctlJson(gw, ['report', 'quality', '--by', 'occupation', '--json']).items;
		assert.deepEqual(occ.map((x) => [x.key, x.name, x.reported, x.employed]), [['E1', '电工', 6, 3]]);
		const one = ctlJson(gw, ['report', 'quality', '--institution', 'I2', '--since', END, '--json']).items;
		assert.deepEqual(one.map(fig), [rows.map(fig)[1]]);
		// the API says the same, to a viewer; the CSV too
		await gw.waitApi();
		const viewer = gw.token('view', 'viewer');
		let r = await gw.api('GET', '/api/v1/quality', { token: viewer });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.items.map(fig), rows.map(fig));
		r = await gw.api('GET', '/api/v1/quality/courses/4004', { token: viewer });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.rounds, [{ months: 3, asked: 5, answered: 4, employed: 2, business: 1, seeking: 1 }]);
		assert.equal((await gw.api('GET', '/api/v1/quality/courses/9999', { token: viewer })).status, 404);
		assert.equal((await gw.api('GET', '/api/v1/quality', { token: viewer, query: { by: 'region' } })).status, 400);
		assert.equal((await gw.api('GET', '/api/v1/quality')).status, 401);
		r = await gw.api('GET', '/api/v1/exports/quality', { token: viewer });
		assert.equal(r.status, 200);
		assert.match(r.headers.get('content-type'), /text\/csv/);
		assert.match(r.text, /^\uFEFF代码,名称,课程数,学员数/);
		assert.match(r.text, /\r\n\tI1,揭阳技师学院,1,5,5,4,80\.0%,.*,5,4,80\.0%,2,1,1,50\.0%,25\.0%\r\n/);
		const file = path.join(gw.dir, 'quality.csv');
		assert.equal(gw.ctl(['report', 'quality', '--csv', file]).code, 0);
		assert.equal(fs.readFileSync(file, 'utf8'), r.text);
		assert.equal((fs.statSync(file).mode & 0o777), 0o600);

		// once per trainee and round, whatever the restarts
		await restart(gw, [at, '12:00']);
		await sleep(2000);
		assert.equal(sim.messages.filter((m) => /请告诉我们您的就业情况/.test(m.text)).length, 9);
		await gw.stopClean();
	});

gwTest('kill -9 while 600 surveys go out: each trainee asked once', { timeout: 240000 }, async (t, h) => {
	const N = 600;
	const WINDOW = 20;
	const { sim, gw } = await setup(h, {
		workers: N, at: [day(0), '10:00'], quality: { batch: 25 }, link: { window: WINDOW, max_tps: 300 },
		courses: { 4006: { name: '电工初级班', start: day(-20), end: day(-1), capacity: N } },
	});
	enrol(gw, 'enrol.csv', Array.from({ length: N }, (_, i) => [i, '4006', '已结业', '合格']));
	gw.start();
	await gw.waitBound();
	await until(() => sim.submits.length >= 150, { timeout: 60000, what: '150 surveys sent' });
	await gw.kill9();
	gw.start();
	await gw.waitBound();
	await until(() => sim.messageCountByDestination().size === N, { timeout: 120000, interval: 500, what: 'all 600 asked' });
	await sleep(1500);
	const per = sim.messageCountByDestination();
	let dup = 0;
	for (let i = 0; i < N; i++) dup += (per.get(number(i)) || 0) - 1;
	assert.ok(dup <= WINDOW, `${dup} duplicates, more than the window of ${WINDOW}`);
	assert.equal(gw.dbValue("SELECT count(*) FROM quality_question WHERE kind = 'survey'"), N, 'one question each');
	assert.equal(gw.dbValue("SELECT count(DISTINCT mt_id) FROM quality_question WHERE kind = 'survey'"), N);
	assert.equal(gw.dbValue('SELECT count(*) FROM mt'), N, 'one message each');
	t.diagnostic(`duplicates after kill -9: ${dup}`);
	await gw.stopClean();
});
