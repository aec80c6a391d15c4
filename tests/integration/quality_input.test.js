'use strict';
// quality_input.test.js - QD, PJ and JY as bored or hostile senders type
// them, through the running daemon against the SMSC simulator: full-width
// and glued forms, extra spaces and punctuation, out-of-range and odd
// scores (0, 6, -1, 3.5, ５), JY 4, emoji and long comments, a comment with
// a resident ID or a phone number (masked where the bureau reads it), SQL
// metacharacters, invalid UCS-2, answers from numbers that are not the
// trainee's or for courses not taken, and the USSD screens of item 6 fed
// garbage. Every reply is one short text of conf/messages.conf; nothing
// counts that should not, nothing is stored wrong, the daemon lives on.

const assert = require('node:assert/strict');
const path = require('path');
const { gwTest, until, sleep, ROOT } = require('./lib/gw');
const { day, residentId, csvFile } = require('./lib/roster');
const U = require('./lib/ussd');

const SIG = '【揭阳人社】';
const COMMANDS = {
	enabled: true, messages: path.join(ROOT, 'conf', 'messages.conf'), signature: SIG,
	hotline: '12333', rate_limit: 1000, rate_window: 60, register_max_failures: 5, list_parts: 3,
};
const number = (i) => `86135${String(i).padStart(8, '0')}`;
const idOf = (i) => residentId(`44520219900303${String(i).padStart(3, '0')}`);
const STRANGER = '8613999999999';
const offsetTo = (d, hhmm) => String(Date.parse(`${d}T${hhmm}:00+08:00`) - Date.now());
const fw = (s) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xFEE0)).join('');

/** ISO day d minus n months and k days (the follow-up of n months is due). */
function monthsBefore(d, n, k) {
	const [y, m, dd] = d.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1 - n, dd - k)).toISOString().slice(0, 10);
}

function importOk(gw, kind, file) {
	const r = gw.ctl(['import', kind, file]);
	assert.equal(r.code, 0, `import ${kind}: ${r.stderr}`);
}

/** Workers 0..n-1 bound to number(i); 4101 in class today (one check
 * day), 4102 ended yesterday (survey), 4103 ended 3 months ago (follow-up);
 * workers 0..4 in all three, 5 in none. */
async function setup(h, n = 6) {
	const T = day(0);
	const sim = await h.smsc({ behaviour: { dlr: true } });
	const extra = { commands: COMMANDS, notices: { quiet_start: '00:00', quiet_end: '00:00' },
		notify: { share: 100 }, ussd: { enabled: true, menu: U.MENU } };
	const gw = await h.gateway({ sim, start: false, link: { window: 20 }, extra });
	gw.extraEnv = { SKILLGW_CLOCK_OFFSET_MS: offsetTo(T, '10:00') };
	const d = gw.dir;
	importOk(gw, 'occupations', csvFile(d, 'occ.csv', ['职业代码', '职业名称', '职业类别'], [['E1', '电工', '制造']]));
	importOk(gw, 'institutions', csvFile(d, 'inst.csv', ['机构代码', '机构名称', '区县', '是否目录内'],
		[['I1', '揭阳技师学院', '445202', '是']]));
	const course = (code, name, start, end, checks, hours) => [code, name, 'E1', 5, '就业技能培训', 'I1',
		'445202', start, end, start, 50, 1200, '已截止', checks, hours];
	importOk(gw, 'courses', csvFile(d, 'courses.csv', ['课程编号', '课程名称', '职业', '等级', '培训类型',
		'机构代码', '区县', '开班日期', '结业日期', '报名截止日期', '计划人数', '补贴标准', '状态', '考勤抽查',
		'上课时间'], [
		course('4101', '电工培训班', T, T, '1', '08:00-18:00'),
		course('4102', '电工初级班', day(-20), day(-1), '', ''),
		course('4103', '电工中级班', monthsBefore(T, 3, 60), monthsBefore(T, 3, 2), '', ''),
	]));
	const rows = [];
	for (let i = 0; i < n; i++) rows.push([idOf(i), `学员${'零一二三四五六七八九'[i]}`, number(i).slice(2), '445202']);
	importOk(gw, 'workers', csvFile(d, 'workers.csv', ['身份证号', '姓名', '手机号', '区县'], rows));
	const enrol = [];
	for (let i = 0; i < 5; i++) {
		enrol.push([idOf(i), '4101', '已报名', ''], [idOf(i), '4102', '已结业', '合格'],
			[idOf(i), '4103', '已结业', '合格']);
	}
	importOk(gw, 'enrolments', csvFile(d, 'enrol.csv', ['身份证号', '课程编号', '状态', '结果'], enrol));
	gw.start();
	await gw.waitBound();
	const want = [/到课抽查日/, /已结业，请为培训打分/, /请告诉我们您的就业情况/];
	await until(() => want.every((re) => sim.messages.filter((m) => re.test(m.text)).length >= 5),
		{ timeout: 30000, what: 'the three questions to each trainee' });
	return { sim, gw };
}

const to = (sim, n) => sim.messages.filter((m) => m.to === n);

/** Send text (or {text, coding, dataCoding}) from `from`; the reply, checked against re. */
async function reply(sim, from, text, re) {
	const before = to(sim, from).length;
	const mo = typeof text === 'string' ? { text } : text;
	assert.equal((await sim.sendMo({ from, to: '12333', ...mo })).status, 0);
	const m = await until(() => to(sim, from).length > before && to(sim, from)[before],
		{ timeout: 10000, what: `the reply to ${JSON.stringify(mo.text)} from ${from}` });
	assert.match(m.text, re, `reply to ${JSON.stringify(mo.text)}`);
	assert.ok(m.text.startsWith(SIG), m.text);
	assert.ok([...m.text].length <= 134, `short enough for two parts: ${m.text}`);
	return m.text;
}

function codeOf(sim, i) {
	const q = to(sim, number(i)).filter((m) => /回复QD\d{6}/.test(m.text));
	return q[q.length - 1].text.match(/回复QD(\d{6})/)[1];
}

const answers = (gw, kind) => gw.db(`SELECT w.msisdn, q.answer, q.comment FROM quality_question q JOIN worker w` +
	` ON w.id = q.worker_id WHERE q.kind = '${kind}' AND q.answer IS NOT NULL ORDER BY w.msisdn`);

gwTest('hostile QD, PJ and JY by SMS: the replies, and what is stored', { timeout: 120000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const codes = [0, 1, 2, 3, 4].map((i) => codeOf(sim, i));
	const other = (c) => String((Number(c) + 1) % 1000000).padStart(6, '0');
	const unused = ['000000', '999999', '123456'].find((c) => !codes.includes(c));

	// ---- QD: never counted but for the trainee's own code from the trainee's number
	const USAGE = /回复QD加短信中的6位签到码/, WRONG = /签到码不正确/;
	for (const [from, text, re] of [
		[number(0), 'QD', USAGE],
		[number(0), 'qd 12345', WRONG],
		[number(0), 'QD1234567', WRONG],
		[number(0), `QD${unused}`, WRONG],
		[number(0), "QD 1' OR '1'='1", WRONG],
		[number(0), 'QD 😀😀😀', WRONG],
		[number(0), `QD${codes[1]}`, WRONG],		// 1's code from 0's phone
		[number(5), `QD${codes[2]}`, WRONG],		// ... from a worker not enrolled
		[STRANGER, `QD${codes[3]}`, /尚未绑定/],	// ... from a number of nobody's
		[number(5), 'QD', /今天没有需要确认到课/],
		// bytes that are no UCS-2 (an odd length), a lone surrogate: no code
		[number(0), { text: `QD${codes[0]}X`, coding: 'gsm', dataCoding: 8 }, /未能识别您的指令/],
		[number(0), { text: 'PJ5', coding: 'gsm', dataCoding: 8 }, /未能识别您的指令/],
		[number(0), { text: 'QD\uD83D', coding: 'ucs2' }, USAGE],
	]) await reply(sim, from, text, re);
	assert.equal(gw.dbValue("SELECT count(*) FROM quality_question WHERE kind = 'attendance' AND answer IS NOT NULL"), 0);
	assert.equal(gw.dbValue("SELECT count(*) FROM quality_refusal WHERE reason = 'other'"), 3);

	const OK = /学\*.，已确认您\d+月\d+日参加电工培训班（4101）培训/;
	await reply(sim, number(0), `ｑｄ　${fw(codes[0])}`, OK);
	await reply(sim, number(0), `QD${codes[0]}`, /已确认过.*无需重复/);
	await reply(sim, number(0), 'QD', /已确认过\d+月\d+日电工培训班（4101）的到课.*无需重复/);	// not "nothing today"
	await reply(sim, number(1), `签到：${codes[1].slice(0, 3)} ${codes[1].slice(3)}。`, OK);
	await reply(sim, number(2), `QD${codes[2]} 谢谢老师`, OK);	// the code, then words
	await reply(sim, number(3), `到课${codes[3]}好的`, OK);
	await reply(sim, number(4), `QD${other(codes[4]) === codes[0] ? '000000' : other(codes[4])}`, WRONG);
	assert.deepEqual(gw.db("SELECT w.msisdn FROM quality_question q JOIN worker w ON w.id = q.worker_id" +
		" WHERE q.kind = 'attendance' AND q.answer = 1 ORDER BY 1").map((r) => r.msisdn),
	[0, 1, 2, 3].map(number), 'only the own codes from the own numbers count');

	// ---- PJ
	const RUSAGE = /请回复PJ加1-5分为电工初级班打分/;
	for (const [from, text, re] of [
		[number(0), 'PJ', RUSAGE],
		[number(0), 'PJ 0', RUSAGE],
		[number(0), 'PJ 6', RUSAGE],
		[number(0), 'PJ 55', RUSAGE],
		[number(0), 'PJ 3.5', RUSAGE],
		[number(0), 'PJ 4,5', RUSAGE],
		[number(0), 'PJ 五', RUSAGE],
		[number(0), "PJ '; DROP TABLE quality_question; --", RUSAGE],
		[number(5), 'PJ5', /没有待评价的培训课程/],	// not enrolled
		[STRANGER, 'PJ5', /尚未绑定/],
	]) await reply(sim, from, text, re);
	assert.equal(answers(gw, 'survey').length, 0, 'none of those is a score');

	await reply(sim, number(0), `ＰＪ　${fw('5')}`, /感谢您为电工初级班打出5分/);
	await reply(sim, number(1), 'pj5 分，好', /打出5分/);
	await reply(sim, number(2), 'PJ 4分老师讲得很好👍👍', /打出4分/);
	await reply(sim, number(1), 'pj5好', /已将您对电工初级班的评分改为5分/);
	const long = '很'.repeat(200);
	await reply(sim, number(3), `PJ 2 ${long}`, /打出2分/);
	await reply(sim, number(4), '评分3 身份证44520219900303004x 电话138-0013-8000 或 1 3 9 0 0 1 3 9 0 0 0',
		/打出3分/);
	await reply(sim, number(0), "PJ 1 O'Brien\"; DROP TABLE worker; --", /已将您对电工初级班的评分改为1分/);
	const s = answers(gw, 'survey');
	assert.deepEqual(s.map((r) => [r.msisdn, r.answer]), [[number(0), 1], [number(1), 5], [number(2), 4],
		[number(3), 2], [number(4), 3]]);
	assert.equal(s[0].comment, 'O BRIEN DROP TABLE WORKER', 'normalised words, stored as such');
	assert.equal(s[1].comment, '好');
	assert.equal(s[2].comment, '老师讲得很好👍👍');
	assert.equal(s[3].comment, '很'.repeat(70), 'a long comment is cut to 70 characters');
	assert.equal(gw.dbValue('SELECT count(*) FROM worker'), 6, 'SQL in a comment is only words');
	const c = gw.ctl(['report', 'course', '4102', '--json']);
	assert.equal(c.code, 0, c.stderr);
	const cm = JSON.parse(c.stdout).comments.find((x) => x.score === 3);
	assert.ok(cm, 'the comment with the numbers');
	assert.doesNotMatch(cm.text, /\d{4}/, `no ID or phone number the bureau can read: ${cm.text}`);
	assert.equal(cm.text, '身份证445*************** 电话138 **** **** 或 1 3 9 * * * * * * * *');
	assert.equal(cm.name, '学*四');
	// a long comment is never cut inside a number (half a phone number would not be masked)
	await reply(sim, number(3), `PJ 2 ${'很'.repeat(64)} 电话138-0013-8000`, /评分改为2分/);
	assert.equal(gw.dbValue(`SELECT comment FROM quality_question q JOIN worker w ON w.id = q.worker_id` +
		` WHERE w.msisdn = '${number(3)}' AND q.kind = 'survey'`), `${'很'.repeat(64)} 电话`);

	// ---- JY
	const JUSAGE = /请回复JY加数字告诉我们您的就业情况/;
	for (const [from, text, re] of [
		[number(0), 'JY', JUSAGE],
		[number(0), 'JY 4', JUSAGE],
		[number(0), 'JY 0', JUSAGE],
		[number(0), 'JY 12', JUSAGE],
		[number(0), 'JY 1.5', JUSAGE],
		[number(5), 'JY1', /没有需要回复的就业回访/],
		[STRANGER, 'JY1', /尚未绑定/],
	]) await reply(sim, from, text, re);
	assert.equal(answers(gw, 'employment').length, 0);
	await reply(sim, number(0), `jy${fw('1')}`, /已记录您已就业/);
	await reply(sim, number(1), '就业 已创业', /已记录您已创业/);
	await reply(sim, number(2), 'JY 3 还在找', /已记录您暂未就业/);
	await reply(sim, number(3), 'JY 2️⃣', /已记录您已创业/);
	await reply(sim, number(0), 'JY2', /已记录您已创业/);
	assert.deepEqual(answers(gw, 'employment').map((r) => [r.msisdn, r.answer, r.comment]),
		[[number(0), 2, null], [number(1), 2, null], [number(2), 3, null], [number(3), 2, null]]);

	// nothing crashed, nothing was asked twice
	await sleep(500);
	assert.equal(sim.messages.filter((m) => /到课抽查日/.test(m.text)).length, 5);
	await reply(sim, number(0), 'BZ', /./);
	await gw.stopClean();
});

gwTest('USSD item 6: garbage, nothing, back and main keys at the prompts', { timeout: 120000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const code = codeOf(sim, 0);
	const open = async (n, key) => {
		const p = new U.Phone(sim, number(n));
		assert.match((await p.dial()).text, /6 签到与评价/);
		const menu = await p.answer('6');
		assert.match(menu.text, /1 今日到课签到/);
		assert.ok(Buffer.byteLength(menu.text, 'utf16le') / 2 <= 91, `one screen: ${menu.text}`);
		return key ? [p, await p.answer(key)] : [p, menu];
	};
	// garbage at the code prompt: the wrong-code text, the end
	let [p, s] = await open(0, '1');
	assert.match(s.text, /请输入今天短信中的6位签到码/);
	s = await p.answer("1' OR 1=1 --");
	assert.match(s.text, /签到码不正确/);
	assert.ok(s.end);
	// nothing at the prompt: asked again
	[p, s] = await open(0, '1');
	s = await p.answer('');
	assert.ok(!s.end, 'an empty answer is asked again');
	s = await p.answer(fw(code));
	assert.match(s.text, /已确认您\d+月\d+日参加电工培训班/);
	assert.ok(s.end);
	// an invalid key in the menu, the next-page key, back; a score out of range, then full-width
	[p, s] = await open(1, '7');
	const AGAIN = /^输入有误，请重新选择\n培训签到与评价\n1 今日到课签到/;
	assert.match(s.text, AGAIN);
	assert.ok(!s.end);
	for (const key of ['9', '#', '１２', '😀']) {
		s = await p.answer(key);
		assert.match(s.text, AGAIN, `key ${key}`);
		assert.ok(!s.end);
	}
	s = await p.answer('2');
	assert.equal(s.text, '请为电工初级班打分：\n1-5分，5分最满意\n0 返回');
	s = await p.answer('0');
	assert.match(s.text, /^培训签到与评价\n/, 'back from the prompt, nothing stored');
	[p, s] = await open(1, '2');
	assert.match(s.text, /电工初级班/);
	s = await p.answer('6');
	assert.match(s.text, /请回复PJ加1-5分为电工初级班打分/);
	[p, s] = await open(1, '2');
	s = await p.answer(`${fw('4')}分 😀😀`);
	assert.match(s.text, /打出4分/);
	// 00 at the prompt: the main menu; the red key: nothing stored
	[p, s] = await open(2, '3');
	s = await p.answer('00');
	assert.match(s.text, /6 签到与评价/);
	[p, s] = await open(2, '3');
	await p.abort();
	await sleep(500);
	[p, s] = await open(5, '1');
	assert.match(s.text, /今天没有需要确认到课/);
	assert.ok(s.end);
	assert.deepEqual(gw.db('SELECT kind, answer, comment, via FROM quality_question WHERE answer IS NOT NULL ORDER BY kind'),
		[{ kind: 'attendance', answer: 1, comment: null, via: 'ussd' },
			{ kind: 'survey', answer: 4, comment: '😀😀', via: 'ussd' }]);
	await gw.stopClean();
});
