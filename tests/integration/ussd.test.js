'use strict';
// ussd.test.js - USSD dialogues over SMPP through the simulator: a phone
// dials *12333# (deliver_sm, ussd_service_op 1, its_session_info) and
// answers (op 18); the gateway's screens are submit_sm with op 2 (show and
// wait) or 17 (the final screen, its_session_info end bit set). The
// roster and catalogue are loaded with SQL (lib/ussd.js).
//
// Covered: a complete enrolment (region, group, paged courses, detail,
// confirm, enrolment number, SMS confirmation, audit); subsidy check with
// paging, back and 00; registration inside USSD (bad ID, wrong name,
// success); wrong and empty inputs; the subsidy-rule warning; a full
// course; notices; opt-out; user abort and a vendor release op; guard
// timer and session cap expiry; continue after expiry; max sessions;
// session keys msisdn+its and umr; a dial string with answers; database
// failure (polite end); 1,000 concurrent dialogues; every screen within
// the limit; USSD steps are not stored as MOs; skillgw -t on a bad menu.

const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { gwTest, until, sleep } = require('./lib/gw');
const U = require('./lib/ussd');

const { OP, ZHANG, CHEN, LI_PHONE, STRANGER, ID_LI } = U;

/** A gateway with USSD on and the fixture loaded. */
async function setup(h, { ussd = {}, link = {}, load = 0 } = {}) {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, link, extra: U.ussdConfig(ussd) });
	await gw.waitBound();
	await gw.waitLog(/USSD on/);
	gw.db(U.fixtureSql({ load }));
	return { sim, gw };
}

/** Every screen the simulator got fits the phone and has one op octet. */
function checkScreens(sim) {
	for (const r of sim.submits.filter((x) => x.tlvs[U.TLV_OP])) {
		const s = U.screenOf(r);
		const u = U.units(s.text);
		assert.ok(u.n <= u.limit, `screen of ${u.n} > ${u.limit}: ${JSON.stringify(s.text)}`);
		assert.equal(s.opLen, 1, 'ussd_service_op is one octet');
		assert.ok(s.op === OP.SHOW || s.op === OP.END, `op ${s.op}`);
	}
	assert.deepEqual(sim.violations, []);
}

/** SMS (not USSD) the simulator got for number. */
function sms(sim, number) {
	return sim.messages.filter((m) => m.to === number && !m.recs[0].tlvs[U.TLV_OP]).map((m) => m.text);
}

gwTest('enrolment: region, group, paged courses, detail, confirm, number, SMS', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const p = new U.Phone(sim, ZHANG, { sess: 0x42 });
	let s = await p.dial();
	assert.equal(s.op, OP.SHOW);
	assert.match(s.text, /^揭阳人社 技能培训\n1 补贴查询\n2 课程报名\n3 我的培训\n4 最新通知\n5 通知订阅\/退订\n6 签到与评价$/);
	assert.equal(s.its, 0x4200, 'its_session_info echoed, end bit clear');
	assert.equal(s.src, '12333');
	s = await p.answer('2');
	assert.match(s.text, /^选择培训地区：\n1 普宁市（本地）\n2 /, 'the worker\'s own region first');
	s = await p.answer('1');
	assert.match(s.text, /普宁市 选择工种类别：\n1 制造\n2 服务\n0 返回/);
	s = await p.answer('1');
	assert.match(s.text, /^制造课程（普宁市）：\n1 电工初级班 .*开课\n2 电工初级夜班/);
	assert.match(s.text, /9 下一页  0 返回$/);
	const pages = [s.text];
	while (/9 下一页/.test(s.text)) {
		s = await p.answer('9');
		assert.match(s.text, /^制造课程（普宁市）：\n1 /, 'each page numbers from 1');
		pages.push(s.text);
	}
	assert.ok(pages.length >= 3, `${pages.length} pages of 14 courses`);
	assert.match(s.text, /0 返回$/);
	const all = pages.join('\n');
	for (let i = 1; i <= 12; i++) assert.ok(all.includes(`焊工技能提升班第${i}期`), `course ${i} listed`);
	s = await p.answer('0');	// back to the groups
	assert.match(s.text, /选择工种类别/);
	s = await p.answer('1');
	s = await p.answer('1');	// 电工初级班
	assert.match(s.text, /^电工初级班（初级工）\n普宁职校\n.*-.* 余30位\n补贴1200\.00元\n1 确认报名\n0 返回$/);
	s = await p.answer('1');
	assert.equal(s.op, OP.END);
	assert.equal(s.its & 1, 1, 'end bit set on the final screen');
	assert.equal(s.its >> 8, 0x42);
	const no = gw.dbValue("SELECT e.id FROM enrolment e JOIN course c ON c.id = e.course_id WHERE c.code = '2031' AND e.worker_id = 1 AND e.channel = 'ussd'");
	assert.ok(no, 'enrolment row with channel ussd');
	assert.match(s.text, new RegExp(`^报名成功！报名号${no}\\n电工初级班 .*开课\\n确认短信随后发送$`));
	assert.equal(gw.dbValue("SELECT seats_taken FROM course WHERE code = '2031'"), 1);
	assert.equal(gw.dbValue("SELECT count(*) FROM audit WHERE action = 'enrol' AND actor = '8613800138001'"), 1);
	await sim.until(() => sms(sim, ZHANG).length === 1, 5000, 'the SMS confirmation');
	assert.match(sms(sim, ZHANG)[0], /^【揭阳人社】张\*明，您已报名电工初级班（2031），.*取消请回QX2031/);
	assert.equal(gw.dbValue('SELECT count(*) FROM mo'), 0, 'USSD steps are not stored as MOs');
	checkScreens(sim);
});

gwTest('subsidy check: list paged, 0 back, 00 to the main menu from anywhere', { timeout: 30000 }, async (t, h) => {
	const { sim } = await setup(h);
	const p = new U.Phone(sim, ZHANG);
	await p.dial();
	let s = await p.answer('1');
	assert.equal(s.op, OP.SHOW);
	assert.match(s.text, /^张\*明的补贴共2笔：\n/);
	assert.match(s.text, /技能鉴定补贴·电工 300\.00元 不予补贴：材料不全/);
	assert.match(s.text, /9 下一页  0 返回$/);
	s = await p.answer('9');
	assert.match(s.text, /职业培训补贴·中式烹调师 1500\.00元 已发放 2025年7月1日\n0 返回$/);
	s = await p.answer('0');
	assert.match(s.text, /^揭阳人社 技能培训/);
	await p.answer('2');
	await p.answer('1');
	s = await p.answer('00');
	assert.match(s.text, /^揭阳人社 技能培训\n1 补贴查询/);
	s = await p.answer('3');	// my training: nothing on record
	assert.match(s.text, /^张\*明的培训档案：|暂无培训记录/);
	checkScreens(sim);
});

gwTest('wrong and empty inputs repeat the screen with a one-line error; the dialogue stays open', { timeout: 30000 }, async (t, h) => {
	const { sim } = await setup(h);
	const p = new U.Phone(sim, ZHANG);
	const main = (await p.dial()).text;
	for (const bad of ['7', '', 'abc', '9', '0', '1 2', "1' OR '1'='1"]) {
		const s = await p.answer(bad);
		assert.equal(s.op, OP.SHOW, `still open after ${JSON.stringify(bad)}`);
		assert.equal(s.text, `输入有误，请重新选择\n${main}`);
	}
	await p.answer('2');
	const regions = (await p.answer('8')).text;
	assert.match(regions, /^输入有误，请重新选择\n选择培训地区：/);
	const s = await p.answer('１');	// a full-width digit is a digit
	assert.match(s.text, /选择工种类别/);
	checkScreens(sim);
});

gwTest('registration inside USSD: ID, then name, before anything personal', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const p = new U.Phone(sim, LI_PHONE);
	await p.dial();
	let s = await p.answer('1');
	assert.match(s.text, /^本机未绑定，请输入18位身份证号：\n0 返回$/);
	s = await p.answer('123456789012345678');
	assert.match(s.text, /^身份证号有误，请重输\n本机未绑定/, 'a bad checksum repeats the prompt');
	s = await p.answer(ID_LI);
	assert.match(s.text, /^请输入您的姓名：/);
	s = await p.answer('李五');
	assert.equal(s.op, OP.END, 'a wrong name ends with the reason');
	assert.match(s.text, /不匹配.*今日还可尝试4次/);
	assert.equal(gw.dbValue(`SELECT msisdn FROM worker WHERE id = 2`), null);
	await p.dial();
	await p.answer('1');
	await p.answer(ID_LI.toLowerCase());
	s = await p.answer(' 李四 ');
	assert.equal(s.op, OP.SHOW);
	assert.match(s.text, /^绑定成功：李\*\n李\*，暂无您的补贴记录/);
	assert.equal(gw.dbValue('SELECT bound_by FROM worker WHERE id = 2'), 'ussd');
	assert.equal(gw.dbValue(`SELECT msisdn FROM worker WHERE id = 2`), LI_PHONE);
	// a stranger may see notices but is asked to register for the rest
	const x = new U.Phone(sim, STRANGER);
	await x.dial();
	s = await x.answer('4');
	assert.match(s.text, /暂无发给本机的通知/);
	await x.answer('0');
	s = await x.answer('2');
	assert.match(s.text, /请输入18位身份证号/);
	s = await x.answer('0');
	assert.match(s.text, /^揭阳人社 技能培训/);
	checkScreens(sim);
});

gwTest('detail: subsidy-rule warning, a full course cannot be confirmed', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const p = new U.Phone(sim, CHEN);	// three training subsidies this year
	await p.dial();
	const regions = (await p.answer('2')).text;
	assert.match(regions, /^选择培训地区：\n1 惠来县（本地）\n/, 'the worker\'s own region first');
	const k = regions.split('\n').find((l) => l.includes('普宁市'))[0];
	await p.answer(k);
	await p.answer('1');
	let s = await p.answer('1');
	// the warning first, where "1 确认报名" is offered
	assert.match(s.text, /^本课不补贴：今年已补贴3次\n电工初级班[^]*\n1 确认报名\n0 返回$/);
	s = await p.answer('0');
	assert.match(s.text, /\n2 电工初级夜班/);
	// 2032 has one seat: someone else takes it while 陈七 reads the list
	gw.db("INSERT INTO enrolment (worker_id, course_id, status, channel, created_at, updated_at) VALUES (1, (SELECT id FROM course WHERE code = '2032'), 'enrolled', 'sms', 0, 0);");
	s = await p.answer('2');
	assert.match(s.text, /^本课不补贴：今年已补贴3次\n电工初级夜班（初级工）\n[^]*名额已满\n0 返回$/);
	assert.doesNotMatch(s.text, /确认报名/);
	s = await p.answer('1');
	assert.match(s.text, /^输入有误/);
	checkScreens(sim);
});

gwTest('notices: the latest three sent to the number; opt-out and opt-in', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const p = new U.Phone(sim, CHEN);
	await p.dial();
	let s = await p.answer('4');
	const lines = s.text.split('\n');
	assert.equal(lines[0], '最新通知：');
	assert.match(s.text, /补贴已发放/);
	assert.doesNotMatch(s.text, /失败的通知/, 'a failed notice never reached the phone');
	let all = s.text;
	while (/9 下一页/.test(s.text)) {
		s = await p.answer('9');
		all += `\n${s.text}`;
	}
	assert.ok(all.indexOf('补贴已发放') < all.indexOf('焊工班') && all.indexOf('焊工班') < all.indexOf('电工班'), 'newest first');
	await p.answer('00');
	s = await p.answer('5');
	assert.match(s.text, /^培训通知订阅\n1 退订通知\n2 恢复接收通知\n0 返回$/);
	s = await p.answer('1');
	assert.equal(s.op, OP.END);
	assert.match(s.text, /已退订/);
	assert.equal(gw.dbValue('SELECT opted_out FROM worker WHERE id = 5'), 1);
	await p.dial();
	await p.answer('5');
	s = await p.answer('2');
	assert.match(s.text, /已恢复/);
	assert.equal(gw.dbValue('SELECT opted_out FROM worker WHERE id = 5'), 0);
	checkScreens(sim);
});

gwTest('user abort and a release op free the dialogue at once', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h, { link: { ussd: { release_ops: [32] } } });
	const p = new U.Phone(sim, ZHANG);
	await p.dial();
	await p.answer('2');
	const before = U.screens(sim, ZHANG).length;
	await p.abort();
	await gw.waitLog(/released after 2 step/);
	let s = await p.answer('1');
	assert.equal(s.op, OP.END);
	assert.equal(s.text, '会话已结束，请重新拨打*12333#');
	assert.equal(U.screens(sim, ZHANG).length, before + 1, 'no screen for the abort itself');
	await p.dial();
	await p.send(32, '', { wait: false });
	await gw.waitLog(/released after 1 step/);
	s = await p.answer('1');
	assert.match(s.text, /会话已结束/);
	const out = await U.vty(gw.config.gateway.vty.port, ['show ussd sessions']);
	assert.match(out, /USSD: 0 open .* aborts 2,/);
	checkScreens(sim);
});

gwTest('guard timer: silence ends the dialogue; a continue after it is told to dial again', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h, { ussd: { guard_timeout: 1, session_max: 60 } });
	const p = new U.Phone(sim, ZHANG, { sess: 7 });
	await p.dial();
	const before = U.screens(sim, ZHANG).length;
	await sim.until(() => U.screens(sim, ZHANG).length > before, 5000, 'the timeout screen');
	const s = U.screenOf(U.screens(sim, ZHANG)[before]);
	assert.equal(s.op, OP.END);
	assert.equal(s.text, '操作超时，会话已结束，请重新拨打*12333#');
	assert.equal(s.its, 0x0701, 'its_session_info with the end bit');
	const t2 = await p.answer('1');
	assert.equal(t2.op, OP.END);
	assert.equal(t2.text, '会话已结束，请重新拨打*12333#');
	const out = await U.vty(gw.config.gateway.vty.port, ['show ussd sessions']);
	assert.match(out, /timeouts 1, gone 1,/);
});

gwTest('session cap: an active dialogue ends at ussd.session_max', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h, { ussd: { guard_timeout: 2, session_max: 3, notify_timeout: false } });
	const p = new U.Phone(sim, ZHANG);
	const t0 = Date.now();
	await p.dial();
	let s;
	for (let i = 0; i < 8; i++) {
		await sleep(500);
		s = await p.answer(i % 2 ? '0' : '1');
		if (s.op === OP.END) break;
	}
	assert.equal(s.op, OP.END);
	assert.match(s.text, /会话已结束/);
	const took = Date.now() - t0;
	assert.ok(took >= 3000 && took < 4500, `ended after ${took} ms`);
	await gw.waitLog(/no answer in time/);
});

gwTest('keys: msisdn+its keeps two dialogues of one number apart; umr too', { timeout: 30000 }, async (t, h) => {
	const sim = await h.smsc();
	const links = [
		{ ...require('./lib/gw').defaultLink(sim.port), ussd: { session_key: 'msisdn+its' } },
	];
	const gw = await h.gateway({ sim, links, extra: U.ussdConfig() });
	await gw.waitBound();
	gw.db(U.fixtureSql());
	const a = new U.Phone(sim, ZHANG, { sess: 1 });
	const b = new U.Phone(sim, ZHANG, { sess: 2 });
	await a.dial();
	await b.dial();
	let s = await a.answer('2');
	assert.match(s.text, /选择培训地区/);
	assert.equal(s.its >> 8, 1);
	s = await b.answer('1');
	assert.match(s.text, /补贴共2笔/);
	assert.equal(s.its >> 8, 2);
	s = await a.answer('1');
	assert.match(s.text, /选择工种类别/, 'a is where it was');
	const out = await U.vty(gw.config.gateway.vty.port, ['show ussd sessions']);
	assert.match(out, /USSD: 2 open/);
	assert.match(out, /138\*\*\*\*8001 +its1 +smpp .* groups 445281/);
	assert.ok(!out.includes('8613800138001'), 'the number is masked');
	checkScreens(sim);
});

gwTest('key umr; a dial string carries answers (*12333*1#)', { timeout: 30000 }, async (t, h) => {
	const sim = await h.smsc();
	const links = [{ ...require('./lib/gw').defaultLink(sim.port), ussd: { session_key: 'umr' } }];
	const gw = await h.gateway({ sim, links, extra: U.ussdConfig() });
	await gw.waitBound();
	gw.db(U.fixtureSql());
	const a = new U.Phone(sim, ZHANG);
	let s = await a.dial('*12333*1#', { umr: 77 });
	assert.match(s.text, /^张\*明的补贴共2笔/);
	s = await a.answer('0', { umr: 77 });
	assert.match(s.text, /^揭阳人社/);
	s = await a.answer('0', { umr: 78 });
	assert.equal(s.op, OP.END, 'another umr is another (unknown) dialogue');
	s = await a.dial('*12333*2*1*2#', { umr: 79 });
	assert.match(s.text, /^服务课程（普宁市）：\n1 育婴员班/, 'enrol, region 1, group 2');
	assert.ok(gw);
});

gwTest('max sessions: the next dialogue is told to try later', { timeout: 30000 }, async (t, h) => {
	const { sim } = await setup(h, { ussd: { max_sessions: 2 } });
	await new U.Phone(sim, ZHANG).dial();
	await new U.Phone(sim, CHEN).dial();
	const s = await new U.Phone(sim, STRANGER).dial();
	assert.equal(s.op, OP.END);
	assert.equal(s.text, '当前使用人数较多，请稍后再拨*12333#');
});

gwTest('a database failure ends the dialogue politely', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const p = new U.Phone(sim, ZHANG, { sess: 9 });
	await p.dial();
	gw.db('DROP TABLE subsidy;');
	const s = await p.answer('1');
	assert.equal(s.op, OP.END);
	assert.equal(s.its, 0x0903);
	assert.equal(s.text, '系统繁忙，请稍后再拨*12333#。咨询12333');
	await gw.waitLog(/the dialogue ends/);
	const s2 = await p.answer('1');
	assert.match(s2.text, /会话已结束/, 'the failed dialogue is gone');
	const again = await new U.Phone(sim, ZHANG).dial();
	assert.equal(again.op, OP.SHOW, 'the gateway still serves');
});

gwTest('1,000 concurrent dialogues from different numbers all answered correctly', { timeout: 90000 }, async (t, h) => {
	const N = 1000;
	const { sim, gw } = await setup(h, { load: N });
	const phones = Array.from({ length: N }, (_, i) => new U.Phone(sim, U.loadNumber(i)));
	const firsts = await Promise.all(phones.map((p) => p.dial()));
	for (const s of firsts) assert.match(s.text, /^揭阳人社 技能培训/);
	const out = await U.vty(gw.config.gateway.vty.port, ['show ussd sessions']);
	assert.match(out, new RegExp(`USSD: ${N} open`));
	const subs = await Promise.all(phones.map((p) => p.answer('1')));
	// each its own worker: 工人<i> masked keeps the first and last character
	subs.forEach((s, i) => {
		const c = [...`工人${i}`];
		const masked = c[0] + '*'.repeat(c.length - 2) + c[c.length - 1];
		assert.equal(s.op, OP.SHOW);
		assert.ok(s.text.startsWith(`${masked}，暂无您的补贴记录`), `${U.loadNumber(i)}: ${s.text}`);
	});
	const ends = await Promise.all(phones.map((p) => p.answer('00')));
	for (const s of ends) assert.match(s.text, /^揭阳人社/);
	checkScreens(sim);
	await gw.stopClean();	// 1,000 open dialogues: freed, no leak
});

gwTest('skillgw -t rejects a menu with an unknown action or a missing screen', { timeout: 20000 }, async (t, h) => {
	const gw = await h.gateway({ port: 1, start: false, extra: U.ussdConfig() });
	const bad = path.join(gw.dir, 'menu.conf');
	fs.writeFileSync(bad, fs.readFileSync(U.MENU, 'utf8')
		.replace('action = "record"', 'action = "recrod"')
		.replace('screen = "notify"', 'screen = "notfy"'));
	gw.rewrite({ ussd: { menu: bad } });
	const r = gw.run(['-t', '-c', gw.cfgPath]);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /menu\.conf:\d+: menu\.main\.items\.\[2\]\.action: unknown action "recrod"/);
	assert.match(r.stderr, /menu\.conf:\d+: menu\.main\.items\.\[4\]\.screen: no screen named "notfy"/);
	gw.rewrite({ ussd: { menu: U.MENU } });
	assert.equal(gw.run(['-t', '-c', gw.cfgPath]).code, 0);
	await until(() => true);
});
