'use strict';
// commands.test.js - SMS commands as conversations through the SMPP
// simulator: a worker's phone sends an MO, the real daemon answers with an
// MT. The roster and the catalogue are put into the gateway's database with
// SQL once it has created it; dates are relative to today (China time), as
// the daemon reads the real clock.
//
// Covered: every command's happy path and main refusals; unknown words
// with and without a suggestion; a stranger's number asking for someone's
// subsidy; 50 concurrent enrolments for the last 10 seats; SQL-looking
// input; a 1,000-character message (15 concatenated parts); the per-number
// rate limit; skillgw -t on a broken messages.conf.

const assert = require('node:assert/strict');
const path = require('path');
const { spawnSync } = require('child_process');
const fs = require('fs');
const { gwTest, until, BIN, ROOT } = require('./lib/gw');
const { day, residentId } = require('./lib/roster');

const MESSAGES = path.join(ROOT, 'conf', 'messages.conf');
const SIG = '【揭阳人社】';
const ZHANG = '8613800138001';	// 张小明, bound by the roster, 普宁
const CHEN = '8613800138005';	// 陈七, bound, nothing on record
const STRANGER = '8613999999999';
const LOAD = 50;		// workers racing for the last seats
const SEATS = 10;

// ---- fixture ----------------------------------------------------------------

const ID_ZHANG = residentId('44528119900101123');
const ID_LI = residentId('44520219850505321');
const ID_CHEN = residentId('44522419880808789');

function loadNumber(i) { return `86139000002${String(i).padStart(2, '0')}`; }

function fixtureSql() {
	const course = (code, name, occ, level, inst, region, start, end, deadline, cap, fen, status = 'open') =>
		`('${code}', '${name}', '${occ}', ${level}, 'employment', '${inst}', '${region}', '${start}', '${end}',` +
		` '${deadline}', ${cap}, ${fen}, '${status}', 0, 0)`;
	const workers = [
		`(1, '${ID_ZHANG}', '张小明', '${ZHANG}', '445281', '1990-01-01', 'roster', 0, 0)`,
		`(2, '${ID_LI}', '李四', NULL, '445202', '1985-05-05', NULL, 0, 0)`,
		`(5, '${ID_CHEN}', '陈七', '${CHEN}', '445224', '1988-08-08', 'roster', 0, 0)`,
	];
	for (let i = 0; i < LOAD; i++) {
		workers.push(`(${100 + i}, '${residentId(`44528119950101${String(i).padStart(3, '0')}`)}', '工人${i}',` +
			` '${loadNumber(i)}', '445281', '1995-01-01', 'roster', 0, 0)`);
	}
	return [
		// history, loaded as a backfill is: no notification for it
		'BEGIN;',
		"INSERT INTO occupation (code, name, grp, created_at, updated_at) VALUES" +
		" ('E1', '电工', '制造', 0, 0), ('C1', '中式烹调师', '服务', 0, 0);",
		"INSERT INTO institution (code, name, region, catalogued, created_at, updated_at) VALUES" +
		" ('I1', '普宁职校', '445281', 1, 0, 0), ('I3', '揭西培训中心', '445222', 1, 0, 0);",
		"INSERT INTO course (code, name, occupation, level, training_type, institution, region, start_date," +
		" end_date, enrol_deadline, capacity, subsidy_fen, status, created_at, updated_at) VALUES " + [
			course('2031', '电工初级班', 'E1', 5, 'I1', '445281', day(40), day(70), day(30), 30, 120000),
			course('2034', '电工中级提升班', 'E1', 4, 'I1', '445281', day(-5), day(20), day(-10), 30, 130000),
			course('2036', '中式烹调师班', 'C1', 5, 'I3', '445222', day(35), day(55), day(25), 20, 90000),
			course('2037', '电工初级夜班', 'E1', 5, 'I1', '445281', day(45), day(75), day(30), SEATS, 120000),
		].join(', ') + ';',
		`INSERT INTO worker (id, id_number, name, msisdn, region, birth_date, bound_by, created_at, updated_at)` +
		` VALUES ${workers.join(', ')};`,
		"INSERT INTO certificate (id, number, worker_id, kind, occupation, level, issued_date, created_at," +
		" updated_at) VALUES (1, 'Z2025-0001', 1, 'skill_level', 'E1', 5, '2025-06-10', 0, 0);",
		"INSERT INTO enrolment (worker_id, course_id, status, channel, created_at, updated_at)" +
		" VALUES (1, (SELECT id FROM course WHERE code = '2034'), 'enrolled', 'import', 0, 0);",
		"INSERT INTO subsidy (reference, worker_id, kind, occupation, level, amount_fen, status, reason," +
		" applied_date, decided_date, paid_date, year, created_at, updated_at) VALUES" +
		" ('S1', 1, 'training', 'C1', 4, 150000, 'paid', NULL, '2025-06-01', '2025-06-20', '2025-07-01', 2025, 0, 0)," +
		" ('S2', 1, 'appraisal', 'E1', 5, 30000, 'rejected', '材料不全', '2025-08-01', '2025-08-15', NULL, 2025, 0, 0);",
		'DELETE FROM notify_event;',
		'COMMIT;',
	].join('\n');
}

const COMMANDS = {
	enabled: true, messages: MESSAGES, signature: SIG, hotline: '12333',
	rate_limit: 10, rate_window: 60, register_max_failures: 5, list_parts: 3,
};

/** A gateway with SMS commands on and the fixture loaded. */
async function setup(h, commands = {}) {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, extra: { commands: { ...COMMANDS, ...commands } } });
	await gw.waitBound();
	await gw.waitLog(/SMS commands on/);
	gw.db(fixtureSql());
	return { sim, gw };
}

/** Messages the simulator got for number. */
function inbox(sim, number) {
	return sim.messages.filter((m) => m.to === number);
}

/** Send text from number and resolve with the text of the next MT to it. */
async function ask(sim, number, text, { timeout = 10000 } = {}) {
	const before = inbox(sim, number).length;
	const r = await sim.sendMo({ from: number, to: '12333', text });
	assert.equal(r.status, 0, `deliver_sm_resp for ${JSON.stringify(text)}`);
	await sim.until(() => inbox(sim, number).length > before, timeout, `reply to ${JSON.stringify(text)}`);
	return inbox(sim, number)[before].text;
}

// ---- conversations ------------------------------------------------------------

gwTest('each command: help, subsidy, courses, enrol, cancel, record, stop, start', { timeout: 40000 }, async (t, h) => {
	const { sim, gw } = await setup(h, { rate_limit: 100 });	// 11 commands in a row
	let r = await ask(sim, ZHANG, 'BZ');
	assert.ok(r.startsWith(SIG) && r.includes('BT查补贴') && r.includes('12333'), r);

	r = await ask(sim, ZHANG, '补贴');
	assert.match(r, /张\*明的补贴共2笔：/);
	assert.match(r, /技能鉴定补贴·电工 300\.00元 不予补贴：材料不全 2025年8月15日/);
	assert.match(r, /职业培训补贴·中式烹调师 1500\.00元 已发放 2025年7月1日/);
	assert.ok(!r.includes('张小明') && !r.includes(ID_ZHANG), 'name and ID masked');

	r = await ask(sim, ZHANG, 'KC');
	assert.match(r, /可报名课程/);
	assert.match(r, /\n2031 电工初级班（初级工）普宁市 .* 余30位 补贴1200\.00元/);
	assert.ok(r.indexOf('2031') < r.indexOf('2036'), 'home region first');
	assert.ok(!r.includes('2034'), 'a started course is not offered');

	r = await ask(sim, ZHANG, 'ｂｍ　２０３１');
	assert.match(r, /张\*明，您已报名电工初级班（2031）/);
	assert.equal(gw.dbValue("SELECT seats_taken FROM course WHERE code = '2031'"), 1);
	r = await ask(sim, ZHANG, '报名2031');
	assert.match(r, /您已报名电工初级班（2031）.*无需重复报名/);
	r = await ask(sim, ZHANG, 'BM 9999');
	assert.match(r, /没有课程号为9999的可报名课程/);

	r = await ask(sim, ZHANG, 'QX2031');
	assert.match(r, /已取消电工初级班（2031）的报名/);
	assert.equal(gw.dbValue("SELECT seats_taken FROM course WHERE code = '2031'"), 0);
	r = await ask(sim, ZHANG, 'QX2034');
	assert.match(r, /已于.*开课，不能取消/);

	r = await ask(sim, ZHANG, 'DA');
	assert.match(r, /张\*明的培训档案：/);
	assert.match(r, /证书：职业技能等级证书·电工初级工 2025年6月10日/);
	assert.match(r, /电工中级提升班（中级工）已报名/);

	r = await ask(sim, ZHANG, 'TD');
	assert.match(r, /已退订/);
	assert.equal(gw.dbValue('SELECT opted_out FROM worker WHERE id = 1'), 1);
	r = await ask(sim, ZHANG, 'DY');
	assert.match(r, /已恢复/);
	assert.equal(gw.dbValue('SELECT opted_out FROM worker WHERE id = 1'), 0);

	const audit = gw.db('SELECT action, count(*) AS n FROM audit GROUP BY action ORDER BY action');
	assert.deepEqual(audit, [
		{ action: 'cancel', n: 1 }, { action: 'enrol', n: 1 }, { action: 'optin', n: 1 }, { action: 'optout', n: 1 },
	]);
	// every reply went out as a reply (priority 1), in at most 3 parts
	assert.equal(gw.dbValue('SELECT count(*) FROM mt WHERE prio <> 1'), 0);
	assert.ok(inbox(sim, ZHANG).every((m) => m.parts <= 3 && m.data_coding === 8));
	assert.deepEqual(sim.violations, []);
	await gw.stopClean();
});

gwTest('registration: a new number binds with ID and name, 5 failures lock it', { timeout: 40000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const fresh = '8613900000999';
	const locked = '8613900000998';
	let r = await ask(sim, fresh, 'BT');
	assert.match(r, /尚未绑定/);
	r = await ask(sim, fresh, `注册 ${ID_LI}，李四`);
	assert.match(r, new RegExp(`绑定成功：李\\*（445\\*{11}${ID_LI.slice(-4)}）`));
	assert.equal(gw.dbValue("SELECT msisdn FROM worker WHERE id = 2"), fresh);
	r = await ask(sim, fresh, 'BT');
	assert.match(r, /李\*，暂无您的补贴记录/);

	for (let i = 1; i <= 4; i++) {
		r = await ask(sim, locked, `ZC ${ID_CHEN} 陈八`);
		assert.match(r, new RegExp(`今日还可尝试${5 - i}次`));
	}
	r = await ask(sim, locked, `ZC ${ID_CHEN} 陈八`);
	assert.match(r, /失败次数过多.*12333/);
	r = await ask(sim, locked, `ZC ${ID_CHEN} 陈七`);
	assert.match(r, /失败次数过多/);
	assert.equal(gw.dbValue("SELECT count(*) FROM audit WHERE action = 'lockout'"), 1);
	assert.equal(gw.dbValue("SELECT count(*) FROM audit WHERE action = 'register'"), 1);
	await gw.stopClean();
});

gwTest('unknown words get help, with the nearest keyword when one is close', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	let r = await ask(sim, ZHANG, 'BTT');
	assert.match(r, /您是否想发送“BT”/);
	r = await ask(sim, ZHANG, 'subsidi');
	assert.match(r, /您是否想发送“SUBSIDY”/);
	r = await ask(sim, ZHANG, '你好，请问在吗');
	assert.match(r, /未能识别您的指令。回BT查补贴/);
	r = await ask(sim, STRANGER, '我想查一下补贴');
	assert.match(r, /您是否想发送“补贴”/);
	// what was sent is never sent back
	r = await ask(sim, ZHANG, 'http://phish.example 领取');
	assert.ok(!r.includes('phish'), r);
	await gw.stopClean();
});

gwTest("a stranger's number asking for someone's subsidy gets nothing personal", { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	for (const text of ['BT', `BT ${ID_ZHANG}`, `补贴 ${ZHANG}`, 'DA 张小明', 'BM2031', 'QX2034']) {
		const r = await ask(sim, STRANGER, text);
		assert.match(r, /本机号码尚未绑定劳动者信息/, text);
		for (const secret of ['张', ID_ZHANG.slice(0, 6), '元', '2034']) {
			assert.ok(!r.includes(secret), `${JSON.stringify(text)} -> ${r}`);
		}
	}
	// courses and help are for everyone
	assert.match(await ask(sim, STRANGER, 'KC'), /2031/);
	assert.match(await ask(sim, STRANGER, 'BZ'), /ZC 身份证号 姓名/);
	assert.equal(gw.dbValue("SELECT count(*) FROM enrolment WHERE channel = 'sms'"), 0);
	await gw.stopClean();
});

gwTest('50 concurrent enrolments for the last 10 seats: exactly 10 succeed', { timeout: 60000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const nums = Array.from({ length: LOAD }, (_, i) => loadNumber(i));
	const t0 = Date.now();
	const sent = await Promise.all(nums.map((n, i) => sim.sendMo({ from: n, to: '12333', text: i % 2 ? 'BM2037' : '报名 2037' })));
	assert.ok(sent.every((r) => r.status === 0));
	await until(() => nums.every((n) => inbox(sim, n).length === 1), { timeout: 30000, what: '50 replies' });
	const replies = nums.map((n) => inbox(sim, n)[0].text);
	const ok = replies.filter((r) => r.includes('您已报名电工初级夜班（2037）')).length;
	const full = replies.filter((r) => r.includes('名额已满')).length;
	t.diagnostic(`50 enrolments answered in ${Date.now() - t0} ms: ${ok} enrolled, ${full} full`);
	assert.equal(ok, SEATS);
	assert.equal(full, LOAD - SEATS);
	assert.equal(gw.dbValue("SELECT seats_taken FROM course WHERE code = '2037'"), SEATS);
	assert.equal(gw.dbValue("SELECT count(*) FROM enrolment e JOIN course c ON c.id = e.course_id" +
		" WHERE c.code = '2037' AND e.status = 'enrolled'"), SEATS);
	assert.equal(gw.dbValue("SELECT count(*) FROM audit WHERE action = 'enrol'"), SEATS);
	await gw.stopClean();
});

gwTest('SQL-looking input and a 1,000-character message are just text', { timeout: 40000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const counts = () => gw.db('SELECT (SELECT count(*) FROM worker) AS w, (SELECT count(*) FROM course) AS c,' +
		' (SELECT count(*) FROM subsidy) AS s')[0];
	const before = counts();
	let r = await ask(sim, STRANGER, "ZC ' OR '1'='1' --");
	assert.match(r, /身份证号码有误|绑定本机请回复/);
	r = await ask(sim, ZHANG, "BT'; DROP TABLE subsidy; --");
	assert.match(r, /张\*明的补贴共2笔/);
	r = await ask(sim, ZHANG, "KC 普宁%' OR '1'='1");
	assert.match(r, /可报名课程/);
	r = await ask(sim, ZHANG, "BM 9999' OR code = '2031");
	assert.match(r, /没有课程号为9999/);
	assert.deepEqual(counts(), before);
	assert.equal(gw.dbValue("SELECT count(*) FROM worker WHERE msisdn = '8613999999999'"), 0);

	const long = '请问普宁市电工培训课程什么时候开始报名补贴标准是多少'.repeat(40).slice(0, 1000);
	assert.equal(long.length, 1000);
	r = await ask(sim, ZHANG, long, { timeout: 15000 });
	assert.ok(r.startsWith(SIG) && r.includes('BZ'), r);
	const mo = gw.db(`SELECT parts, length(text) AS len FROM mo WHERE src = '${ZHANG}' ORDER BY id DESC LIMIT 1`)[0];
	assert.deepEqual(mo, { parts: 15, len: 1000 });
	r = await ask(sim, ZHANG, `BM${'7'.repeat(1000)}`, { timeout: 15000 });
	assert.match(r, /报名请回复BM加课程号/);
	await gw.stopClean();
});

gwTest('rate limit: 10 commands a minute, one polite reply, then silence', { timeout: 40000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	for (let i = 0; i < 10; i++) assert.match(await ask(sim, CHEN, 'BT'), /陈\*/);
	assert.match(await ask(sim, CHEN, 'BT'), /过于频繁，请1分钟后再试/);
	for (let i = 0; i < 5; i++) {
		const r = await sim.sendMo({ from: CHEN, to: '12333', text: 'BT' });
		assert.equal(r.status, 0, 'the MO is still acknowledged');
	}
	// another number still gets answers
	assert.match(await ask(sim, ZHANG, 'BZ'), /BT查补贴/);
	await new Promise((res) => setTimeout(res, 1500));
	assert.equal(inbox(sim, CHEN).length, 11, 'no reply after the polite one');
	assert.equal(gw.dbValue(`SELECT count(*) FROM mo WHERE src = '${CHEN}'`), 16, 'every MO stored');
	await gw.stopClean();
});

gwTest('skillgw -t reports a broken messages.conf as FILE:LINE: texts.KEY: reason', { timeout: 20000 }, async (t, h) => {
	const sim = await h.smsc();
	const dir = h.tmpdir();
	const text = fs.readFileSync(MESSAGES, 'utf8');
	const bad = text.replace('已取消{course}（{code}）的报名', '已取消{course}（{cod}）的报名')
		.replace(/^ {2}error = .*;\n/m, '');
	const badPath = path.join(dir, 'messages.conf');
	fs.writeFileSync(badPath, bad);
	const line = bad.slice(0, bad.indexOf('{cod}')).split('\n').length;
	const gw = await h.gateway({ sim, start: false, extra: { commands: { ...COMMANDS, messages: badPath } } });
	const r = spawnSync(BIN, ['-t', '-c', gw.cfgPath], { encoding: 'utf8', env: gw.env() });
	assert.equal(r.status, 1, r.stderr);
	assert.ok(r.stderr.includes(`${badPath}:${line}: texts.cancel_ok: unknown placeholder {cod}`), r.stderr);
	assert.match(r.stderr, new RegExp(`${badPath}:\\d+: texts.error: missing text`));
	// the shipped files pass
	const ok = spawnSync(BIN, ['-t', '-c', path.join(ROOT, 'conf', 'skillgw.conf')], { encoding: 'utf8', env: gw.env() });
	assert.equal(ok.status, 0, ok.stderr);
});
