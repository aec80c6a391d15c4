'use strict';
// notices.test.js - bulk notice campaigns end to end: skillctl notice
// creates and steers a campaign, the real daemon expands it and sends it
// through the SMSC simulator.
//
// Covered: a 20,000-recipient campaign delivered completely with none twice
// and every receipt counted; opt-outs skipped, also one sent as "TD" in the
// middle of the campaign; pause, resume and cancel; a restart and a kill -9
// in the middle resume without duplicates beyond the window; quiet hours
// hold bulk (the clock is moved with SKILLGW_CLOCK_OFFSET_MS) and sending
// resumes at their end; SMS replies keep their latency while a campaign
// runs and bulk keeps to its share of max_tps; refusals of create.
//
// The roster is written with the sqlite3 CLI; quiet hours are off
// (00:00-00:00) except in their own test, so that the time of day does not
// matter.

const assert = require('node:assert/strict');
const path = require('path');
const fs = require('fs');
const { gwTest, until, sleep, ROOT } = require('./lib/gw');

const SIG = '【揭阳人社】';
const HINT = '回TD退订';
const MESSAGES = path.join(ROOT, 'conf', 'messages.conf');
const ZONE_MS = 8 * 3600 * 1000;	// Asia/Shanghai, no DST

function noticeCfg(extra = {}) {
	return {
		optout_hint: HINT, max_parts: 3, bulk_share: 80, quiet_start: '00:00', quiet_end: '00:00',
		timezone: 'Asia/Shanghai', batch: 500, ahead: 2000, scan: 5000, tick_ms: 50, ...extra,
	};
}

/** n workers bound to 86139xxxxxxxx numbers, half in 普宁 (445281). */
function rosterSql(n) {
	return `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n})
INSERT INTO worker (id, id_number, name, msisdn, region, key_groups, birth_date, bound_by, created_at, updated_at)
SELECT i, 'T' || i, '学员' || i, printf('86139%08d', i), CASE WHEN i % 2 THEN '445281' ELSE '445202' END,
 'migrant', '1990-01-01', 'roster', 0, 0 FROM c;`;
}

const number = (i) => `86139${String(i).padStart(8, '0')}`;

/** A gateway whose database holds a roster of n workers. */
async function rosterGateway(h, sim, n, o = {}) {
	const gw = await h.gateway({
		sim, link: o.link, queue: o.queue, start: false,
		extra: {
			commands: { enabled: !!o.commands, messages: MESSAGES, signature: SIG, rate_limit: 1000 },
			notices: noticeCfg(o.notices),
		},
	});
	if (o.env) {
		const base = gw.env.bind(gw);
		gw.env = () => ({ ...base(), ...o.env });
	}
	const r = gw.ctl(['queue']);
	assert.equal(r.code, 0, `skillctl queue: ${r.stderr}`);
	gw.db(rosterSql(n));
	if (o.start !== false) {
		gw.start();
		await gw.waitBound();
	}
	return gw;
}

function ctlJson(gw, args, { code = 0 } = {}) {
	const r = gw.ctl(['--json', 'notice', ...args], { timeout: 60000 });
	assert.equal(r.code, code, `skillctl notice ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
	return code === 0 ? JSON.parse(r.stdout) : r;
}

function create(gw, text, args = []) {
	return ctlJson(gw, ['create', '--name', 'test', '--text', text, '--operator', 'tester', ...args]).id;
}

const status = (gw, id) => ctlJson(gw, ['status', String(id)]);

/** Notices (by their marker) the simulator accepted, per number. */
function notices(sim, mark) {
	const by = new Map();
	for (const m of sim.messages) if (m.text.includes(mark)) by.set(m.to, (by.get(m.to) || 0) + 1);
	return by;
}

const dups = (by) => [...by.values()].reduce((a, n) => a + n - 1, 0);

gwTest('a campaign of 20,000 recipients is delivered completely, none twice', { timeout: 58000 }, async (t, h) => {
	const sim = await h.smsc({ behaviour: { dlr: { delayMs: 0 } } });
	const gw = await rosterGateway(h, sim, 20000, { link: { window: 100 }, notices: { bulk_share: 100, ahead: 5000, batch: 2000 } });
	const mark = '全员通知';
	const id = create(gw, `{name}您好，${mark}：技能培训补贴政策已更新。`);
	const t0 = Date.now();
	ctlJson(gw, ['start', String(id)]);
	await until(() => notices(sim, mark).size === 20000, { timeout: 45000, interval: 250, what: '20,000 numbers reached' });
	const secs = (Date.now() - t0) / 1000;
	const by = notices(sim, mark);
	t.diagnostic(`20,000 notices in ${secs.toFixed(1)} s (${Math.round(20000 / secs)}/s)`);
	assert.equal(dups(by), 0, 'nobody twice');
	const sample = sim.messages.find((m) => m.to === number(2));
	assert.equal(sample.text, `${SIG}学*2您好，${mark}：技能培训补贴政策已更新。${HINT}`);
	const s = await until(() => {
		const x = status(gw, id);
		return x.state === 'done' && x.messages.delivered === 20000 ? x : null;
	}, { timeout: 15000, interval: 250, what: 'done with 20,000 receipts' });
	assert.equal(s.recipients.queued, 20000);
	assert.equal(s.progress, 1);
	assert.deepEqual(sim.violations, []);
	await gw.stopClean();
});

gwTest('opted-out numbers are skipped, also one who sends TD in the middle', { timeout: 45000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await rosterGateway(h, sim, 300, { commands: true, start: false });
	gw.db('UPDATE worker SET opted_out = 1 WHERE id IN (5, 6, 7)');
	gw.start();
	await gw.waitBound();
	const mark = '报名提醒';
	const id = create(gw, `${mark}：{region}新开电工班。`, ['--rate', '40']);
	const pre = ctlJson(gw, ['preview', String(id)]);
	assert.equal(pre.recipients, 297, 'three opted out before');
	ctlJson(gw, ['start', String(id)]);
	await until(() => notices(sim, mark).size >= 40, { timeout: 10000, what: '40 notices out' });
	// the last worker, not reached yet, stops the notices
	const late = number(300);
	assert.ok(!notices(sim, mark).has(late));
	await sim.sendMo({ from: late, to: '12333', text: 'TD' });
	await sim.waitMessage((m) => m.to === late && m.text.includes('退订'), 10000, 'the opt-out confirmation');
	await until(() => status(gw, id).state === 'done', { timeout: 20000, interval: 250, what: 'campaign done' });
	const by = notices(sim, mark);
	assert.equal(by.size, 296);
	for (const i of [5, 6, 7, 300]) assert.ok(!by.has(number(i)), `worker ${i} gets no notice`);
	assert.equal(dups(by), 0);
	const s = status(gw, id);
	assert.equal(s.recipients.optout, 1, 'the mid-campaign opt-out');
	assert.equal(gw.dbValue(`SELECT opted_out FROM worker WHERE id = 300`), 1);
	await gw.stopClean();
});

gwTest('pause stops sending, resume goes on, cancel ends it', { timeout: 45000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await rosterGateway(h, sim, 400);
	const mark = '开课通知';
	const id = create(gw, `${mark}：请准时参加培训。`, ['--rate', '50']);
	ctlJson(gw, ['start', String(id)]);
	await until(() => notices(sim, mark).size >= 50, { timeout: 10000, what: '50 notices out' });
	const p = ctlJson(gw, ['pause', String(id)]);
	assert.equal(p.state, 'paused');
	await sleep(1000);	// what a link held is finished
	const atPause = notices(sim, mark).size;
	await sleep(2000);
	assert.equal(notices(sim, mark).size, atPause, 'nothing leaves while paused');
	ctlJson(gw, ['resume', String(id)]);
	await until(() => notices(sim, mark).size >= atPause + 50, { timeout: 10000, what: 'sending again' });
	const c = ctlJson(gw, ['cancel', String(id)]);
	assert.equal(c.state, 'cancelled');
	await sleep(1000);
	const atCancel = notices(sim, mark).size;
	await sleep(2000);
	assert.equal(notices(sim, mark).size, atCancel, 'nothing leaves after cancel');
	assert.ok(atCancel < 400);
	assert.equal(dups(notices(sim, mark)), 0);
	const s = status(gw, id);
	assert.equal(s.state, 'cancelled');
	assert.equal(s.messages.queued, 0);
	const r = gw.ctl(['notice', 'resume', String(id)]);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /only a paused campaign can be resumed/);
	const audit = gw.db("SELECT action FROM audit WHERE actor = 'tester' OR action LIKE 'notice_%' ORDER BY id").map((x) => x.action);
	assert.deepEqual(audit, ['notice_create', 'notice_start', 'notice_pause', 'notice_resume', 'notice_cancel']);
	await gw.stopClean();
});

gwTest('a restart and a kill -9 in the middle resume without duplicates beyond the window', { timeout: 55000 }, async (t, h) => {
	const sim = await h.smsc({ behaviour: { respondDelayMs: 5 } });
	const window = 10;
	const gw = await rosterGateway(h, sim, 3000, { link: { window }, notices: { ahead: 300, batch: 100 } });
	const mark = '复工通知';
	const id = create(gw, `${mark}：{name}，培训恢复。`, ['--rate', '400']);
	ctlJson(gw, ['start', String(id)]);
	await until(() => notices(sim, mark).size >= 600, { timeout: 15000, what: '600 notices out' });
	await gw.stopClean();
	gw.start();
	await gw.waitBound();
	await until(() => notices(sim, mark).size >= 1500, { timeout: 15000, what: '1500 notices out' });
	await gw.kill9();
	gw.start();
	await gw.waitBound();
	await until(() => notices(sim, mark).size === 3000, { timeout: 25000, interval: 250, what: 'all 3000 reached' });
	const d = dups(notices(sim, mark));
	t.diagnostic(`duplicates after a restart and a kill -9: ${d} (window ${window})`);
	assert.ok(d <= window, `at most the window (${window}) twice, saw ${d}`);
	await until(() => status(gw, id).state === 'done', { timeout: 10000, what: 'campaign done' });
	assert.equal(gw.dbValue(`SELECT count(*) FROM campaign_recipient WHERE campaign_id = ${id}`), 3000);
	assert.equal(gw.dbValue(`SELECT count(*) FROM mt WHERE campaign_id = ${id}`), 3000, 'one row per recipient');
	await gw.stopClean();
});

/** The clock offset that makes now read as hh:mm:ss in Shanghai, ahead. */
function offsetTo(hh, mm, ss) {
	const now = Date.now();
	const day = 24 * 3600 * 1000;
	const local = (now + ZONE_MS) % day;
	const want = ((hh * 60 + mm) * 60 + ss) * 1000;
	return (want - local + day) % day;
}

gwTest('quiet hours hold bulk, sending resumes when they end', { timeout: 40000 }, async (t, h) => {
	const sim = await h.smsc();
	const quiet = { quiet_start: '21:00', quiet_end: '08:00' };
	const gw = await rosterGateway(h, sim, 50, {
		notices: quiet, env: { SKILLGW_CLOCK_OFFSET_MS: String(offsetTo(22, 0, 0)) },
	});
	const mark = '夜间测试';
	const id = create(gw, `${mark}：请查收。`);
	ctlJson(gw, ['start', String(id)]);
	const r = gw.ctl(['send', '--to', number(999), '--text', 'bulk at night', '--prio', 'bulk']);
	assert.equal(r.code, 0, r.stderr);
	gw.send(number(998), 'a reply at night');
	await sim.waitMessage((m) => m.text === 'a reply at night', 10000, 'the reply');
	await sleep(3000);
	assert.equal(notices(sim, mark).size, 0, 'no notice at 22:00');
	assert.ok(!sim.messages.some((m) => m.text === 'bulk at night'), 'no bulk at 22:00');
	await gw.stopClean();
	// the same database at 07:59:56: nothing until 08:00, then everything
	const off = offsetTo(7, 59, 56);
	const base = Object.getPrototypeOf(gw).env.bind(gw);
	gw.env = () => ({ ...base(), SKILLGW_CLOCK_OFFSET_MS: String(off) });
	const t0 = Date.now();
	gw.start();
	await gw.waitBound();
	await until(() => notices(sim, mark).size === 50 && sim.messages.some((m) => m.text === 'bulk at night'),
		{ timeout: 20000, interval: 100, what: 'everything after 08:00' });
	const first = Math.min(...sim.messages.filter((m) => m.text.includes(mark)).map((m) => m.time));
	t.diagnostic(`first notice ${first - t0} ms after the start at 07:59:56`);
	assert.ok(first - t0 >= 3500, `nothing before 08:00 (first after ${first - t0} ms)`);
	await until(() => status(gw, id).state === 'done', { timeout: 10000, what: 'campaign done' });
	await gw.stopClean();
});

/** Round trip of an SMS command: MO in, reply accepted by the SMSC. */
async function roundTrip(sim, from) {
	const t0 = Date.now();
	await sim.sendMo({ from, to: '12333', text: 'BZ' });
	const m = await sim.waitMessage((x) => x.to === from && x.time >= t0, 10000, `reply to ${from}`);
	return m.time - t0;
}

const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.ceil(p * a.length) - 1)];

gwTest('SMS replies keep their latency while a campaign runs; bulk keeps to its share', { timeout: 50000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await rosterGateway(h, sim, 3000, { commands: true, link: { max_tps: 200, window: 10 } });
	const base = [];
	for (let i = 0; i < 10; i++) base.push(await roundTrip(sim, number(2000 + i)));
	const mark = '政策宣传';
	const id = create(gw, `${mark}：补贴政策问答，回BZ查看指令。`);
	ctlJson(gw, ['start', String(id)]);
	await until(() => notices(sim, mark).size >= 200, { timeout: 10000, what: '200 notices out' });
	const during = [];
	const n0 = notices(sim, mark).size;
	const t0 = Date.now();
	for (let i = 0; i < 20; i++) {
		during.push(await roundTrip(sim, number(2100 + i)));
		await sleep(50);
	}
	const rate = (notices(sim, mark).size - n0) / ((Date.now() - t0) / 1000);
	t.diagnostic(`reply p50/max before ${pct(base, 0.5)}/${Math.max(...base)} ms, during ${pct(during, 0.5)}/${Math.max(...during)} ms; bulk ${rate.toFixed(0)}/s`);
	assert.ok(Math.max(...during) < Math.max(...base) + 300, 'replies keep their latency');
	assert.ok(rate <= 200 * 0.8 * 1.1, `bulk within 80% of max_tps 200 (${rate.toFixed(0)}/s)`);
	assert.ok(rate >= 200 * 0.8 * 0.6, `bulk uses its share (${rate.toFixed(0)}/s)`);
	assert.equal(status(gw, id).state, 'running');
	ctlJson(gw, ['cancel', String(id)]);
	await gw.stopClean();
});

gwTest('create refuses what cannot be sent, with the reason', { timeout: 20000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await rosterGateway(h, sim, 10, { start: false, notices: { max_parts: 1 } });
	const refuse = (args, re, lines = 1) => {
		const r = gw.ctl(['notice', 'create', '--name', 'x', ...args]);
		assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
		assert.equal(r.stderr.trim().split('\n').length, lines, `${lines} line(s): ${r.stderr}`);
		assert.match(r.stderr, re);
	};
	refuse(['--text', '很'.repeat(60)], /= 2 SMS parts .*notices\.max_parts is 1/);
	refuse(['--text', '你好{姓名}'], /not a placeholder/);
	refuse(['--text', '{course}开课'], /\{course\} and \{start_date\} need/);
	refuse(['--text', 'x', '--region', '北京'], /--region: '北京' is not known/);
	refuse(['--text', 'x', '--end', '2001-01-01 00:00'], /--end: .* has passed/);
	const f = path.join(gw.dir, 'n.csv');
	fs.writeFileSync(f, '手机号码,备注\n13900000001,a\nabc,b\n');
	refuse(['--text', 'x', '--numbers', f], /n\.csv:3: number: 'abc' has characters other than digits\n.*1 bad line/, 2);
	fs.writeFileSync(f, '手机号码,备注\n13900000001,a\n+86 139-0000-0001,dup\n13900000002,b\n');
	const ok = gw.ctl(['--json', 'notice', 'create', '--name', 'file', '--text', '你好', '--numbers', f]);
	assert.equal(ok.code, 0, ok.stderr);
	assert.equal(JSON.parse(ok.stdout).recipients, 2, 'the duplicate dropped');
	assert.equal(gw.dbValue('SELECT count(*) FROM campaign_recipient'), 2, 'every number written, not the first only');
	const list = ctlJson(gw, ['list']);
	assert.equal(list.length, 1);
	assert.equal(list[0].state, 'draft');
	const rep = path.join(gw.dir, 'r.csv');
	ctlJson(gw, ['report', String(list[0].id), rep]);
	assert.match(fs.readFileSync(rep, 'utf8'), /msisdn,outcome,submitted_at,done_at,reason\r\n\t?8613900000001,pending/);
	assert.equal(ctlJson(gw, ['start', String(list[0].id)]).state, 'running');
	assert.equal(ctlJson(gw, ['cancel', String(list[0].id)]).state, 'cancelled');
	const again = gw.ctl(['notice', 'cancel', String(list[0].id)]);
	assert.equal(again.code, 1);
	assert.match(again.stderr, /is cancelled: it has ended already/);
	assert.equal(gw.ctl(['notice', 'status', '99']).code, 1);
});
