'use strict';
// notify.test.js - workers hear about decisions on their own case without
// asking. Everything goes through skillctl import (the bureau's CSV files)
// and the running daemon against the SMSC simulator:
// - 1,000 subsidies flipped to 已发放 make exactly 1,000 SMS with the right
//   amounts; the same file again makes none; a worker without a bound
//   number gets nothing and the import says so; a rejection carries its
//   reason;
// - a course cancelled reaches every trainee enrolled in it and nobody
//   else; a course whose dates change tells its trainees the new dates; an
//   enrolment the bureau cancels is told, a worker's own QX is not;
// - a reminder goes out the day before at notify.reminder_at (the clock
//   moved with SKILLGW_CLOCK_OFFSET_MS), not before it and not twice;
// - --no-notify and --dry-run queue nothing, and say what they would have;
// - quiet hours hold them (replies still go), and they leave when it ends;
// - kill -9 in the middle of 10,000: each reaches the SMSC, no more duplicates
//   than the window, and no event made into two messages.

const assert = require('node:assert/strict');
const path = require('path');
const { gwTest, until, sleep, ROOT } = require('./lib/gw');
const { day, residentId, csvFile } = require('./lib/roster');

const SIG = '【揭阳人社】';
const COMMANDS = {
	enabled: true, messages: path.join(ROOT, 'conf', 'messages.conf'), signature: SIG,
	hotline: '12333', rate_limit: 1000, rate_window: 60, register_max_failures: 5, list_parts: 3,
};
const NO_QUIET = { quiet_start: '00:00', quiet_end: '00:00' };

/** A name from the digits of i: 工人五, 工人一二. */
const nameOf = (i) => `工人${[...String(i)].map((d) => '零一二三四五六七八九'[d]).join('')}`;
const number = (i) => `86137${String(i).padStart(8, '0')}`;
const idOf = (i) => residentId(`445281${1970 + Math.floor(i / 1000)}0101${String(i % 1000).padStart(3, '0')}`);

/** A gateway with commands on; the catalogue and `workers` workers imported
 *  (worker 0 has no number when unbound0). */
async function setup(h, { workers = 10, unbound0 = false, notify = {}, notices = NO_QUIET, link = {}, env, api } = {}) {
	const sim = await h.smsc({ behaviour: { dlr: true } });
	const gw = await h.gateway({
		sim, link: { window: 50, ...link }, env, api,
		extra: { commands: COMMANDS, notices, notify: { share: 100, ...notify } },
	});
	await gw.waitBound();
	const d = gw.dir;
	importOk(gw, 'occupations', csvFile(d, 'occ.csv', ['职业代码', '职业名称', '职业类别'],
		[['E1', '电工', '制造'], ['C1', '中式烹调师', '服务']]));
	importOk(gw, 'institutions', csvFile(d, 'inst.csv', ['机构代码', '机构名称', '区县', '是否目录内'],
		[['I1', '普宁职校', '445281', '是'], ['I2', '揭阳技师学院', '445202', '是']]));
	importOk(gw, 'courses', coursesCsv(gw, {}));
	const rows = [];
	for (let i = 0; i < workers; i++) {
		rows.push([idOf(i), nameOf(i), unbound0 && i === 0 ? '' : number(i).slice(2), '445281']);
	}
	importOk(gw, 'workers', csvFile(d, 'workers.csv', ['身份证号', '姓名', '手机号', '区县'], rows));
	return { sim, gw };
}

const COURSES = {
	3001: { name: '电工初级班', occ: 'E1', level: 5, inst: 'I1', start: 10, end: 40, status: '报名中' },
	3002: { name: '中式烹调师班', occ: 'C1', level: 5, inst: 'I1', start: 12, end: 42, status: '报名中' },
	3003: { name: '电工中级班', occ: 'E1', level: 4, inst: 'I2', start: 2, end: 30, status: '报名中' },
};

/** The course file, with changes per code ({start, end, inst, status}). */
function coursesCsv(gw, change, name = 'courses.csv') {
	const rows = Object.entries(COURSES).map(([code, c0]) => {
		const c = { ...c0, ...(change[code] || {}) };
		return [code, c.name, c.occ, c.level, '就业技能培训', c.inst, '445281', day(c.start), day(c.end),
			day(Math.min(c.start, 1)), 50, 1200, c.status];
	});
	return csvFile(gw.dir, name, ['课程编号', '课程名称', '职业', '等级', '培训类型', '机构代码', '区县',
		'开班日期', '结业日期', '报名截止日期', '计划人数', '补贴标准', '状态'], rows);
}

/** Subsidies of workers [from, to): status 已批准 / 已发放 / 不予补贴. */
function subsidiesCsv(gw, name, from, to, status, { amount = '1500', reason = '' } = {}) {
	const rows = [];
	for (let i = from; i < to; i++) {
		rows.push([`S${i}`, idOf(i), '职业培训补贴', '3001', 'E1', '5', amount, status,
			status === '不予补贴' ? reason : '', day(-30), day(-3), status === '已发放' ? day(-1) : '', '']);
	}
	return csvFile(gw.dir, name, ['业务编号', '身份证号', '补贴类型', '课程编号', '职业', '等级', '补贴金额',
		'状态', '原因', '申请日期', '审核日期', '发放日期', '年度'], rows);
}

function enrolCsv(gw, name, list) {
	return csvFile(gw.dir, name, ['身份证号', '课程编号', '状态'], list.map(([i, code, st]) => [idOf(i), code, st || '已报名']));
}

function importOk(gw, kind, file, ...opts) {
	const r = gw.ctl(['import', kind, file, ...opts]);
	assert.equal(r.code, 0, `import ${kind}: ${r.stderr}`);
	return r.stdout;
}

/** Messages the simulator accepted for a number. */
const to = (sim, i) => sim.messages.filter((m) => m.to === number(i));

gwTest('1,000 subsidies paid: exactly 1,000 SMS with the amounts; again: none; unbound counted; a rejection says why',
	{ timeout: 180000 }, async (t, h) => {
		const N = 1001;	// worker 0 has no number
		const { sim, gw } = await setup(h, { workers: N, unbound0: true });
		// history: approved, loaded silently
		const hist = importOk(gw, 'subsidies', subsidiesCsv(gw, 'approved.csv', 0, N, '已批准'), '--no-notify');
		assert.match(hist, /notifications: none queued \(--no-notify\); 1000 would have been, 1 worker without a bound number/);
		await sleep(1000);
		assert.equal(sim.messages.length, 0, 'a backfill texts nobody');
		assert.equal(gw.dbValue('SELECT count(*) FROM notify_event'), 0);

		const paid = subsidiesCsv(gw, 'paid.csv', 0, N, '已发放');
		const out = importOk(gw, 'subsidies', paid);
		assert.match(out, /notifications: 1000 queued, 1 worker without a bound number/);
		await until(() => sim.messages.length >= 1000, { timeout: 60000, what: '1,000 notifications' });
		await sleep(1000);
		assert.equal(sim.messages.length, 1000, 'exactly one each');
		const seen = new Set(sim.messages.map((m) => m.to));
		assert.equal(seen.size, 1000);
		assert.ok(!seen.has(number(0)), 'the unbound worker got nothing');
		const m5 = to(sim, 5)[0].text;
		assert.ok(m5.startsWith(SIG), m5);
		assert.match(m5, /工\*五您好/);
		assert.match(m5, /职业培训补贴（电工初级班）1500\.00元已于\d{4}年\d+月\d+日发放/);
		assert.match(m5, /回BT查询详情/);
		assert.ok(!m5.includes(idOf(5)), 'no ID number in it');
		assert.equal(gw.dbValue("SELECT count(*) FROM notify_event WHERE state = 'nonumber'"), 1);

		// the same file again: nothing changes, nothing is sent
		const again = importOk(gw, 'subsidies', paid);
		assert.match(again, /notifications: none/);
		await sleep(1500);
		assert.equal(sim.messages.length, 1000);

		// a rejection carries its reason and the hotline
		importOk(gw, 'subsidies', subsidiesCsv(gw, 'rejected.csv', 7, 8, '不予补贴', { reason: '培训课时不足' }));
		const rej = await sim.waitMessage((m) => m.to === number(7) && /不予补贴/.test(m.text), 10000, 'the rejection');
		assert.match(rej.text, /原因：培训课时不足。如有疑问请致电12333/);

		// what the operator sees, per day and kind
		await until(() => {
			const st = JSON.parse(gw.ctl(['--json', 'notify', 'status']).stdout);
			const p = st.find((r) => r.kind === 'subsidy_paid');
			return p && p.delivered === 1000 && p;
		}, { timeout: 30000, what: 'receipts of the 1,000' });
		const st = JSON.parse(gw.ctl(['--json', 'notify', 'status']).stdout);
		const p = st.find((r) => r.kind === 'subsidy_paid');
		assert.equal(p.events, 1001);
		assert.equal(p.nonumber, 1);
		assert.equal(p.day, day(0));
		const list = gw.ctl(['notify', 'list', '--kind', 'subsidy_rejected']);
		assert.match(list.stdout, /subsidy_rejected\s+137\*\*\*\*0007\s+queued/);
		await gw.stopClean();
	});

gwTest('a course cancelled reaches its trainees and nobody else; new dates are told; the bureau cancelling is told, QX is not',
	{ timeout: 90000 }, async (t, h) => {
		const { sim, gw } = await setup(h, { workers: 12 });
		// 1-5 in 3001, 6-8 in 3002, 9 was in 3001 but cancelled, 10 in 3003
		importOk(gw, 'enrolments', enrolCsv(gw, 'enrol.csv', [
			[1, '3001'], [2, '3001'], [3, '3001'], [4, '3001'], [5, '3001'],
			[6, '3002'], [7, '3002'], [8, '3002'], [9, '3001', '已取消'], [10, '3003'],
		]), '--no-notify');
		const out = importOk(gw, 'courses', coursesCsv(gw, { 3001: { status: '已取消' } }, 'cancel.csv'));
		assert.match(out, /notifications: 5 queued/);
		await until(() => sim.messages.length >= 5, { timeout: 20000, what: 'the cancellations' });
		await sleep(1000);
		assert.deepEqual(sim.messages.map((m) => m.to).sort(), [1, 2, 3, 4, 5].map(number).sort());
		assert.match(to(sim, 3)[0].text, /您报名的电工初级班（3001），原定\d+月\d+日开课，已取消/);

		// new dates for 3002: its three trainees hear them
		importOk(gw, 'courses', coursesCsv(gw, { 3001: { status: '已取消' }, 3002: { start: 15, end: 45 } }, 'moved.csv'));
		const moved = await sim.waitMessage((m) => m.to === number(6) && /有变更/.test(m.text), 10000, 'the change');
		const [, mm, dd] = day(15).split('-').map(Number);
		assert.ok(moved.text.includes(`培训时间${mm}月${dd}日至`), moved.text);
		assert.match(moved.text, /培训机构：普宁职校/);
		await until(() => sim.messages.length >= 8, { timeout: 10000, what: 'three changes' });

		// the bureau cancels 6's enrolment: told; 7 cancels with QX: not
		const reply7 = sim.waitMessage((m) => m.to === number(7) && /已取消/.test(m.text), 10000, 'the QX reply');
		assert.equal((await sim.sendMo({ from: number(7), to: '12333', text: 'QX3002' })).status, 0);
		await reply7;
		importOk(gw, 'enrolments', enrolCsv(gw, 'enrol2.csv', [[6, '3002', '已取消']]));
		const gone = await sim.waitMessage((m) => m.to === number(6) && /由人社部门取消/.test(m.text), 10000, 'the bureau\'s cancellation');
		assert.match(gone.text, /中式烹调师班（3002，\d+月\d+日开课）/);
		await sleep(1000);
		assert.equal(to(sim, 7).length, 2, 'worker 7: the change and the reply to QX, no notification of it');
		assert.equal(gw.dbValue("SELECT count(*) FROM notify_event WHERE kind = 'enrolment_cancelled'"), 1);
		assert.equal(to(sim, 10).length, 0, 'a trainee of another course heard nothing');
		await gw.stopClean();
	});

/** The ms offset that puts the daemon's clock at hh:mm China time on ISO day d. */
const offsetTo = (d, hhmm) => String(Date.parse(`${d}T${hhmm}:00+08:00`) - Date.now());

gwTest('a reminder goes out the day before at notify.reminder_at, not earlier and not twice', { timeout: 90000 }, async (t, h) => {
	const { sim, gw } = await setup(h, { workers: 4, notify: { reminder_days: 1, reminder_at: '09:00' } });
	importOk(gw, 'enrolments', enrolCsv(gw, 'enrol.csv', [[1, '3003'], [2, '3003', '已取消'], [3, '3001']]), '--no-notify');
	const eve = day(COURSES[3003].start - 1);
	await gw.stopClean();

	gw.extraEnv = { SKILLGW_CLOCK_OFFSET_MS: offsetTo(eve, '08:58') };
	gw.start();
	await gw.waitBound();
	await sleep(1500);
	assert.equal(sim.messages.length, 0, 'nothing before 09:00');
	await gw.stopClean();

	gw.extraEnv = { SKILLGW_CLOCK_OFFSET_MS: offsetTo(eve, '09:01') };
	gw.start();
	await gw.waitBound();
	const m = await sim.waitMessage((x) => x.to === number(1), 15000, 'the reminder');
	const [y, mo, d] = day(COURSES[3003].start).split('-').map(Number);
	assert.ok(m.text.includes(`电工中级班（3003）将于${y}年${mo}月${d}日开课，培训机构：揭阳技师学院`), m.text);
	assert.match(m.text, /回QX3003取消报名/);
	await gw.stopClean();

	gw.extraEnv = { SKILLGW_CLOCK_OFFSET_MS: offsetTo(eve, '15:00') };
	gw.start();
	await gw.waitBound();
	await sleep(1500);
	assert.equal(sim.messages.length, 1, 'one reminder: not to the cancelled, not to another course, not twice');
	assert.equal(gw.dbValue("SELECT count(*) FROM notify_event WHERE kind = 'reminder'"), 1);
	await gw.stopClean();
});

gwTest('--dry-run and --no-notify queue nothing and say what they would have', { timeout: 60000 }, async (t, h) => {
	const { sim, gw } = await setup(h, { workers: 6 });
	importOk(gw, 'subsidies', subsidiesCsv(gw, 'approved.csv', 0, 6, '已批准'), '--no-notify');
	const dry = importOk(gw, 'subsidies', subsidiesCsv(gw, 'paid.csv', 0, 6, '已发放'), '--dry-run');
	assert.match(dry, /dry run: nothing was changed/);
	assert.match(dry, /updated 6/);
	assert.match(dry, /notifications: 6 would be queued/);
	assert.equal(gw.dbValue("SELECT count(*) FROM subsidy WHERE status = 'paid'"), 0);
	assert.equal(gw.dbValue('SELECT count(*) FROM notify_event'), 0);
	const quiet = importOk(gw, 'subsidies', path.join(gw.dir, 'paid.csv'), '--no-notify');
	assert.match(quiet, /notifications: none queued \(--no-notify\); 6 would have been/);
	assert.equal(gw.dbValue("SELECT count(*) FROM subsidy WHERE status = 'paid'"), 6);
	await sleep(1500);
	assert.equal(sim.messages.length, 0);
	assert.equal(gw.dbValue('SELECT count(*) FROM notify_event'), 0);
	await gw.stopClean();
});

gwTest('quiet hours hold notifications (replies still go); they leave when quiet hours end', { timeout: 60000 }, async (t, h) => {
	// quiet from an hour ago to an hour from now, China time
	const hm = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(11, 16);
	const notices = { quiet_start: hm(Date.now() - 3600e3), quiet_end: hm(Date.now() + 3600e3) };
	const { sim, gw } = await setup(h, { workers: 3, notices });
	importOk(gw, 'subsidies', subsidiesCsv(gw, 'approved.csv', 0, 3, '已批准'));
	await until(() => gw.dbValue("SELECT count(*) FROM notify_event WHERE state = 'queued'") === 3,
		{ timeout: 10000, what: 'three queued' });
	const reply = sim.waitMessage((m) => m.to === number(1), 10000, 'a reply in quiet hours');
	assert.equal((await sim.sendMo({ from: number(1), to: '12333', text: 'BT' })).status, 0);
	assert.match((await reply).text, /已批准/);
	await sleep(1500);
	assert.equal(sim.messages.length, 1, 'only the reply');
	await gw.stopClean();
	gw.extraEnv = { SKILLGW_CLOCK_OFFSET_MS: String(3600e3 + 60e3) };
	gw.start();
	await gw.waitBound();
	await until(() => sim.messages.length >= 4, { timeout: 15000, what: 'the held notifications' });
	assert.equal(sim.messages.filter((m) => /审核通过/.test(m.text)).length, 3);
	await gw.stopClean();
});

gwTest('kill -9 in the middle of 10,000 notifications: each reaches the SMSC, duplicates within the window', { timeout: 300000 }, async (t, h) => {
	const N = 10000;
	const WINDOW = 50;
	const { sim, gw } = await setup(h, { workers: N, link: { window: WINDOW, max_tps: 2000 }, notify: { batch: 500 } });
	importOk(gw, 'subsidies', subsidiesCsv(gw, 'approved.csv', 0, N, '已批准'), '--no-notify');
	const out = importOk(gw, 'subsidies', subsidiesCsv(gw, 'paid.csv', 0, N, '已发放'));
	assert.match(out, /notifications: 10000 queued/);
	await until(() => sim.submits.length >= 3000, { timeout: 60000, what: '3,000 sent' });
	await gw.kill9();
	gw.start();
	await gw.waitBound();
	// every message at the SMSC; receipts the daemon had not acknowledged
	// when it died are lost with the simulator's session (a real SMSC sends
	// them again): at most a window of messages stays "submitted"
	await until(() => gw.dbValue('SELECT count(*) FROM mt WHERE state IN (2, 3)') === N &&
		sim.messageCountByDestination().size === N,
	{ timeout: 120000, interval: 500, what: 'all 10,000 at the SMSC' });
	assert.ok(gw.dbValue('SELECT count(*) FROM mt WHERE state = 2') <= WINDOW, 'receipts lost: no more than the window');
	const per = sim.messageCountByDestination();
	let dup = 0;
	for (let i = 0; i < N; i++) {
		const n = per.get(number(i)) || 0;
		assert.ok(n >= 1, `worker ${i} got nothing`);
		dup += n - 1;
	}
	assert.ok(dup <= WINDOW, `${dup} duplicates, more than the window of ${WINDOW}`);
	assert.equal(gw.dbValue('SELECT count(*) FROM mt'), N, 'one message per event');
	assert.equal(gw.dbValue("SELECT count(*) FROM notify_event WHERE state = 'queued' AND mt_id IS NOT NULL"), N);
	t.diagnostic(`duplicates after kill -9: ${dup}`);
	await gw.stopClean();
});

gwTest('the API: a subsidy decided through it is told; an import with notify=false is not; both are shown', { timeout: 90000 }, async (t, h) => {
	const { sim, gw } = await setup(h, { workers: 6, api: {} });
	await gw.waitApi();
	const ops = gw.token('ops', 'operator');
	const viewer = gw.token('view', 'viewer');
	importOk(gw, 'subsidies', subsidiesCsv(gw, 'approved.csv', 0, 6, '已批准'), '--no-notify');
	// the back office pays one subsidy
	let r = await gw.api('PATCH', '/api/v1/subsidies/S2', { token: ops, body: { status: 'paid', paid_date: day(0) } });
	assert.equal(r.status, 200, r.text);
	const m = await sim.waitMessage((x) => x.to === number(2), 10000, 'the payment told');
	assert.match(m.text, /1500\.00元已于\d{4}年\d+月\d+日发放/);
	// a backfill through the API tells nobody, and says how many it would have
	const csv = require('fs').readFileSync(subsidiesCsv(gw, 'paid.csv', 3, 6, '已发放'), 'utf8');
	r = await gw.api('POST', '/api/v1/imports', { token: ops, body: csv, query: { kind: 'subsidies', mode: 'apply', notify: 'false' } });
	assert.equal(r.status, 202, r.text);
	const job = await until(async () => {
		const j = (await gw.api('GET', `/api/v1/imports/${r.json.id}`, { token: ops })).json;
		return j.state === 'done' && j;
	}, { timeout: 20000, what: 'the import' });
	assert.equal(job.result, 'applied');
	assert.equal(job.notify, false);
	assert.equal(job.notifications, 3);
	await sleep(1500);
	assert.equal(sim.messages.length, 1, 'only the payment made through the API');
	// what the bureau sees; the numbers masked; no credentials, no answer
	r = await gw.api('GET', '/api/v1/notifications/days', { token: viewer });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.items.map((d) => [d.kind, d.events]), [['subsidy_paid', 1]]);
	r = await gw.api('GET', '/api/v1/notifications', { token: viewer, query: { kind: 'subsidy_paid' } });
	assert.equal(r.json.items.length, 1);
	assert.equal(r.json.items[0].msisdn, '137****0002');
	assert.equal((await gw.api('GET', '/api/v1/notifications', { query: { kind: 'nonsense' }, token: viewer })).status, 400);
	assert.equal((await gw.api('GET', '/api/v1/notifications')).status, 401);
	await gw.stopClean();
});
