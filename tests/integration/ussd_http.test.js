'use strict';
// ussd_http.test.js - USSD over the HTTP callback (the aggregator style):
// form POSTs with sessionId, serviceCode, phoneNumber and text (the inputs
// so far joined by '*'), answered "CON ..." or "END ..." as text/plain.
// The same menus as over SMPP (ussd.test.js).
//
// Covered: a complete enrolment; the subsidy check; registration; wrong
// input; a repeated request; a continue for an unknown or expired session;
// 400 for missing or bad fields, 405, 415, 413, 403 (shared secret); a
// client not on the allow-list; a database failure; 300 concurrent
// dialogues; SMPP and HTTP on one gateway; the SMPP link still answers
// while requests wait.

const assert = require('node:assert/strict');
const net = require('net');
const { gwTest, freePort, sleep } = require('./lib/gw');
const U = require('./lib/ussd');

const { ZHANG, LI_PHONE, ID_LI } = U;

async function setup(h, { http = {}, ussd = {}, load = 0 } = {}) {
	const sim = await h.smsc();
	const port = await freePort();
	const gw = await h.gateway({
		sim, extra: U.ussdConfig({ ...ussd, http: { enabled: true, address: '127.0.0.1', port, ...http } }),
	});
	await gw.waitBound();
	await gw.waitLog(/USSD over HTTP on/);
	gw.db(U.fixtureSql({ load }));
	return { sim, gw, port };
}

/** A dialogue over HTTP: each answer appended to text with '*'. */
class Session {
	constructor(port, phone, id = `s${Math.random().toString(36).slice(2)}`) {
		this.port = port;
		this.phone = phone;
		this.id = id;
		this.inputs = [];
	}

	async step(input) {
		if (input !== undefined) this.inputs.push(input);
		const r = await U.post(this.port, {
			sessionId: this.id, serviceCode: '*12333#', phoneNumber: this.phone, text: this.inputs.join('*'),
		});
		assert.equal(r.status, 200, r.body);
		assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
		const m = r.body.match(/^(CON|END) ([^]*)$/);
		assert.ok(m, `CON/END reply: ${JSON.stringify(r.body)}`);
		const u = U.units(m[2]);
		assert.ok(u.n <= u.limit, `screen of ${u.n}: ${m[2]}`);
		return { end: m[1] === 'END', text: m[2] };
	}
}

gwTest('HTTP: a complete enrolment, CON until the final END', { timeout: 30000 }, async (t, h) => {
	const { sim, gw, port } = await setup(h);
	const s = new Session(port, '+86 138-0013-8001');
	let r = await s.step();
	assert.equal(r.end, false);
	assert.match(r.text, /^揭阳人社 技能培训\n1 补贴查询/);
	r = await s.step('2');
	assert.match(r.text, /^选择培训地区：\n1 普宁市（本地）/);
	r = await s.step('1');
	r = await s.step('1');
	assert.match(r.text, /制造课程（普宁市）/);
	r = await s.step('9');
	assert.match(r.text, /焊工技能提升班第/);
	r = await s.step('0');
	r = await s.step('1');
	r = await s.step('1');
	assert.match(r.text, /^电工初级班（初级工）\n普宁职校/);
	r = await s.step('1');
	assert.equal(r.end, true);
	assert.match(r.text, /^报名成功！报名号\d+\n电工初级班/);
	assert.equal(gw.dbValue("SELECT channel FROM enrolment e JOIN course c ON c.id = e.course_id WHERE c.code = '2031'"), 'ussd');
	await sim.until(() => sim.messages.some((m) => m.to === ZHANG && /您已报名电工初级班/.test(m.text)), 5000, 'SMS confirmation');
	r = await s.step('1');
	assert.deepEqual(r, { end: true, text: '会话已结束，请重新拨打*12333#' }, 'a step after the end');
});

gwTest('HTTP: subsidy check, wrong input, a repeated request, registration', { timeout: 30000 }, async (t, h) => {
	const { gw, port } = await setup(h);
	const s = new Session(port, ZHANG);
	await s.step();
	let r = await s.step('7');
	assert.match(r.text, /^输入有误，请重新选择\n揭阳人社/);
	r = await s.step('1');
	assert.match(r.text, /^张\*明的补贴共2笔/);
	const again = await s.step();	// the same text once more: the same screen
	assert.deepEqual(again, r);
	const reg = new Session(port, LI_PHONE);
	await reg.step();
	r = await reg.step('1');
	assert.match(r.text, /请输入18位身份证号/);
	r = await reg.step(ID_LI);
	assert.match(r.text, /请输入您的姓名/);
	r = await reg.step('李四');
	assert.equal(r.end, false);
	assert.match(r.text, /^绑定成功：李\*\n/);
	assert.equal(gw.dbValue('SELECT bound_by FROM worker WHERE id = 2'), 'ussd');
});

gwTest('HTTP: unknown and expired sessions are told to dial again', { timeout: 30000 }, async (t, h) => {
	const { port } = await setup(h, { ussd: { guard_timeout: 1, session_max: 60 } });
	let r = await new Session(port, ZHANG, 'nosuch').step('1');
	assert.deepEqual(r, { end: true, text: '会话已结束，请重新拨打*12333#' });
	const s = new Session(port, ZHANG);
	await s.step();
	await sleep(2200);
	r = await s.step('1');
	assert.deepEqual(r, { end: true, text: '会话已结束，请重新拨打*12333#' });
});

gwTest('HTTP: 400 with a reason, 405, 415, 413, shared secret 403', { timeout: 30000 }, async (t, h) => {
	const { port } = await setup(h, { http: { secret: 's3cret', max_body: 512 } });
	const H = { 'X-USSD-Secret': 's3cret' };
	const ok = { sessionId: 'a1', serviceCode: '*12333#', phoneNumber: ZHANG, text: '' };
	let r = await U.post(port, ok, { headers: H });
	assert.equal(r.status, 200);
	for (const f of ['sessionId', 'serviceCode', 'phoneNumber', 'text']) {
		const body = { ...ok };
		delete body[f];
		r = await U.post(port, body, { headers: H });
		assert.equal(r.status, 400, f);
		assert.equal(r.body, `${f}: missing\n`);
	}
	r = await U.post(port, { ...ok, phoneNumber: 'abc' }, { headers: H });
	assert.deepEqual([r.status, r.body], [400, 'phoneNumber: not a telephone number\n']);
	r = await U.post(port, { ...ok, sessionId: 'has space' }, { headers: H });
	assert.equal(r.status, 400);
	assert.match(r.body, /^sessionId: not valid/);
	r = await U.post(port, { ...ok, serviceCode: '12333x' }, { headers: H });
	assert.equal(r.status, 400);
	r = await U.post(port, null, { headers: H, raw: 'sessionId=a1&text=%zz&serviceCode=1&phoneNumber=8613800138001' });
	assert.deepEqual([r.status, r.body], [400, 'text: not valid (encoding)\n']);
	r = await U.post(port, ok, { headers: { ...H, 'Content-Type': 'application/json' } });
	assert.equal(r.status, 415);
	r = await U.post(port, ok, { headers: H, method: 'PUT' });
	assert.equal(r.status, 405);
	r = await U.post(port, { ...ok, text: 'x'.repeat(600) }, { headers: H });
	assert.deepEqual([r.status, r.body], [413, 'request body too large\n']);
	r = await U.post(port, ok);
	assert.deepEqual([r.status, r.body], [403, 'bad or missing shared secret\n']);
	r = await U.post(port, ok, { headers: { 'X-USSD-Secret': 's3cre' } });
	assert.equal(r.status, 403);
});

gwTest('HTTP: a client not on the allow-list is refused', { timeout: 30000 }, async (t, h) => {
	const { sim, port } = await setup(h, { http: { allow: ['10.9.9.9', '192.168.0.0/16'] } });
	await assert.rejects(U.post(port, { sessionId: 'x', serviceCode: '*12333#', phoneNumber: ZHANG, text: '' }),
		/ECONNRESET|socket hang up|EPIPE/);
	// SMPP still works
	const s = await new U.Phone(sim, ZHANG).dial();
	assert.match(s.text, /^揭阳人社/);
});

gwTest('HTTP: a database failure ends the dialogue politely', { timeout: 30000 }, async (t, h) => {
	const { gw, port } = await setup(h);
	const s = new Session(port, ZHANG);
	await s.step();
	gw.db('DROP TABLE subsidy;');
	const r = await s.step('1');
	assert.deepEqual(r, { end: true, text: '系统繁忙，请稍后再拨*12333#。咨询12333' });
});

gwTest('HTTP: 300 concurrent dialogues, each answered for its own number; SMPP alongside', { timeout: 60000 }, async (t, h) => {
	const N = 300;
	const { sim, gw, port } = await setup(h, { load: N, http: { max_connections: 1000 } });
	const ss = Array.from({ length: N }, (_, i) => new Session(port, U.loadNumber(i), `c${i}`));
	const phone = new U.Phone(sim, U.CHEN);
	const [firsts, smpp] = await Promise.all([Promise.all(ss.map((s) => s.step())), phone.dial()]);
	for (const r of firsts) assert.match(r.text, /^揭阳人社/);
	assert.match(smpp.text, /^揭阳人社/);
	const subs = await Promise.all(ss.map((s) => s.step('1')));
	subs.forEach((r, i) => {
		const c = [...`工人${i}`];
		assert.ok(r.text.startsWith(`${c[0]}${'*'.repeat(c.length - 2)}${c[c.length - 1]}，暂无您的补贴记录`), r.text);
	});
	assert.match((await phone.answer('1')).text, /陈\*，暂无|补贴共3笔/);
	const sock = net.connect(port, '127.0.0.1');	// an idle client does not stall anything
	await new Promise((r) => sock.on('connect', r));
	const again = await Promise.all(ss.slice(0, 10).map((s) => s.step('0')));
	for (const r of again) assert.match(r.text, /^揭阳人社/);
	sock.destroy();
	await gw.stopClean();	// open dialogues and connections: freed, no leak
});
