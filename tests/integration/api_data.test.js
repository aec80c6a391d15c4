'use strict';
// api_data.test.js - the API's resources against the real daemon and the
// SMSC simulator: messages (one, many, refused, read back with receipts),
// a campaign previewed, made and run to 100% through the API with its
// report, the moves refused in the wrong state, imports (a bad row listed
// with line, column and reason; GBK; apply of a validated file; progress
// and one at a time on a larger file), the enrolment export, workers and
// subsidies (masked below admin, a status change with the import's rules),
// the status, and /metrics checked by promtool.

const assert = require('node:assert/strict');
const { execFileSync } = require('child_process');
const path = require('path');
const iconv = require('iconv-lite');
const { gwTest, until, ROOT } = require('./lib/gw');
const { residentId: idNumber } = require('./lib/roster');

const SIG = '【揭阳人社】';
const HINT = '回TD退订';
const MESSAGES = path.join(ROOT, 'conf', 'messages.conf');

const number = (i) => `86139${String(i).padStart(8, '0')}`;

/** n workers (6 of 10 in 普宁), a course, an enrolment and two subsidies. */
function fixtureSql(n) {
	return `INSERT INTO occupation VALUES ('6-31-01-03', '电工', '制造', 0, 0);
INSERT INTO institution VALUES ('JY001', '揭阳技师学院', '445202', 1, 0, 0);
INSERT INTO course (id, code, name, occupation, level, training_type, institution, region, start_date, end_date,
 enrol_deadline, capacity, subsidy_fen, status, created_at, updated_at)
 VALUES (1, '2001', '电工（初级工）培训班', '6-31-01-03', 5, 'employment', 'JY001', '445202', '2030-03-01', '2030-04-01',
 '2030-02-20', 30, 150000, 'open', 0, 0);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n})
INSERT INTO worker (id, id_number, name, msisdn, region, key_groups, birth_date, bound_by, created_at, updated_at)
SELECT i, printf('4452811990010%05d', i), '学员' || i, printf('86139%08d', i),
 CASE WHEN i % 10 < 6 THEN '445281' ELSE '445202' END, 'migrant,unemployed', '1990-01-01', 'roster', 0, 0 FROM c;
UPDATE worker SET name = '陈小明', id_number = '${idNumber('44528119900101123')}' WHERE id = 1;
INSERT INTO enrolment (worker_id, course_id, status, channel, created_at, updated_at)
 VALUES (1, 1, 'enrolled', 'sms', strftime('%s', 'now') * 1000, strftime('%s', 'now') * 1000);
INSERT INTO subsidy (reference, worker_id, kind, course_id, occupation, level, amount_fen, status, applied_date, year, created_at, updated_at)
 VALUES ('BT2026001', 1, 'training', 1, '6-31-01-03', 5, 150000, 'reviewing', '2026-03-01', 2026, 0, 0),
 ('BT2026002', 1, 'training', NULL, '6-31-01-03', 5, 150000, 'approved', '2026-04-01', 2026, 0, 0);
DELETE FROM notify_event; -- history: nobody is told`;
}

async function dataGateway(h, { n = 30, sim: simOpts = {}, api = {} } = {}) {
	const sim = await h.smsc({ behaviour: { dlr: true }, ...simOpts });
	const gw = await h.gateway({
		sim, start: false, api,
		extra: {
			commands: { enabled: true, messages: MESSAGES, signature: SIG, rate_limit: 1000 },
			notices: { optout_hint: HINT, max_parts: 3, quiet_start: '00:00', quiet_end: '00:00', timezone: 'Asia/Shanghai', tick_ms: 50 },
		},
	});
	assert.equal(gw.ctl(['queue']).code, 0);
	gw.db(fixtureSql(n));
	gw.addUser('admin', 'admin', 'Admin-Password-1');
	gw.start();
	await gw.waitBound();
	await gw.waitApi();
	return { gw, sim, ops: gw.token('ops', 'operator'), viewer: gw.token('view', 'viewer') };
}

const err = (r) => r.json && r.json.error && r.json.error.code;

gwTest('messages: one and many queued, refused as a whole, read back with parts and receipts', { timeout: 40000 }, async (t, h) => {
	const { gw, sim, ops, viewer } = await dataGateway(h);
	let r = await gw.api('POST', '/api/v1/messages', { token: ops, body: { to: '13900000001', text: '您好，培训班明天开课。' } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.queued, 1);
	assert.equal(r.json.parts, 1);
	const id = r.json.ids[0];
	assert.equal(gw.mt(id).dst, '8613900000001');
	await sim.waitMessage((m) => m.to === '8613900000001', 10000, 'the message');
	await gw.waitMtState(id, 3);
	r = await gw.api('GET', `/api/v1/messages/${id}`, { token: viewer });
	assert.equal(r.status, 200);
	assert.equal(r.json.state, 'delivered');
	assert.equal(r.json.text, '您好，培训班明天开课。');
	assert.equal(r.json.receipts.length, 1);
	assert.equal(r.json.receipts[0].state, 'DELIVRD');
	r = await gw.api('POST', '/api/v1/messages', { token: ops, body: { to: ['13900000002', '+8613900000003', '8613900000004'], text: 'hi', prio: 'bulk' } });
	assert.equal(r.json.queued, 3);
	const before = gw.dbValue('SELECT count(*) FROM mt');
	r = await gw.api('POST', '/api/v1/messages', { token: ops, body: { to: ['13900000005', 'abc'], text: 'hi' } });
	assert.equal(r.status, 400);
	assert.match(r.json.error.message, /to\[1\]: 'abc' has characters other than digits/);
	r = await gw.api('POST', '/api/v1/messages', { token: ops, body: { to: '13900000005', text: '很'.repeat(600) } });
	assert.match(r.json.error.message, /text: longer than 8 SMS parts/);
	assert.equal(gw.dbValue('SELECT count(*) FROM mt'), before, 'nothing queued');
	await until(() => gw.dbValue('SELECT count(*) FROM mt WHERE state = 3') === 4, { what: 'all delivered' });
	r = await gw.api('GET', '/api/v1/messages', { token: viewer, query: { state: 'delivered', limit: 2 } });
	assert.equal(r.json.total, 4);
	assert.equal(r.json.items.length, 2);
	assert.ok(r.json.items[0].id > r.json.items[1].id, 'newest first');
	assert.equal((await gw.api('GET', '/api/v1/messages/99999', { token: viewer })).status, 404);
	assert.equal((await gw.api('GET', '/api/v1/messages', { token: viewer, query: { state: 'lost' } })).status, 400);
	const a = gw.db("SELECT actor, detail FROM audit WHERE action = 'message_send'");
	assert.equal(a.length, 2);
	assert.equal(a[0].actor, 'token:ops');
	assert.match(a[0].detail, /^from 127\.0\.0\.1: queued 1 message\(s\)/);
	await gw.stopClean();
});

gwTest('a campaign through the API: preview, create, start, 100% delivered, report; moves refused', { timeout: 60000 }, async (t, h) => {
	const { gw, sim, ops, viewer } = await dataGateway(h, { n: 30 });
	const draft = { text: '{name}您好，{region}电工班下周开班。', region: ['普宁'] };
	let r = await gw.api('POST', '/api/v1/campaigns/preview', { token: ops, body: draft });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.recipients, 18, '6 in 10 are in 普宁市');
	assert.equal(r.json.samples.length, 3);
	assert.ok(r.json.samples[0].text.startsWith(SIG) && r.json.samples[0].text.endsWith(HINT), r.json.samples[0].text);
	assert.match(r.json.samples[0].text, /^【揭阳人社】陈\*明您好，普宁市电工班下周开班。回TD退订$/, 'the name masked');
	r = await gw.api('POST', '/api/v1/campaigns/preview', { token: ops, body: { text: '{course}开课', region: '北京' } });
	assert.equal(r.status, 400);
	assert.match(r.json.error.message, /^region: '北京' is not known/);
	r = await gw.api('POST', '/api/v1/campaigns', { token: ops, body: { ...draft, name: '普宁电工班' } });
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	assert.equal(r.json.state, 'draft');
	assert.equal(r.json.recipients, 18);
	r = await gw.api('POST', `/api/v1/campaigns/${id}/pause`, { token: ops });
	assert.equal(r.status, 409);
	assert.match(r.json.error.message, /only a running campaign can be paused/);
	assert.equal((await gw.api('POST', `/api/v1/campaigns/${id}/start`, { token: viewer })).status, 403);
	r = await gw.api('POST', `/api/v1/campaigns/${id}/start`, { token: ops });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.state, 'running');
	const done = await until(async () => {
		const s = await gw.api('GET', `/api/v1/campaigns/${id}`, { token: viewer });
		return s.json.state === 'done' && s.json.messages.delivered === 18 ? s.json : null;
	}, { timeout: 30000, what: 'the campaign done, every message delivered' });
	assert.equal(done.progress, 1);
	assert.equal(done.recipients.queued, 18);
	assert.deepEqual(done.audience, { region: '普宁' });
	assert.equal(sim.messages.filter((m) => m.text.includes('电工班下周开班')).length, 18);
	r = await gw.api('GET', '/api/v1/campaigns', { token: viewer });
	assert.equal(r.json.total, 1);
	assert.equal(r.json.items[0].state, 'done');
	r = await gw.api('GET', `/api/v1/campaigns/${id}/report`, { token: ops });
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /^text\/csv/);
	assert.match(r.headers.get('content-disposition'), /campaign-\d+\.csv/);
	const lines = r.text.replace(/^\ufeff/, '').trim().split('\r\n');
	assert.equal(lines[0], 'msisdn,outcome,submitted_at,done_at,reason');
	assert.equal(lines.length, 19);
	assert.ok(lines.slice(1).every((l) => /^\t?86139\d{8},delivered,\d{4}-\d\d-\d\d \d\d:\d\d,/.test(l)), lines[1]);
	r = await gw.api('POST', `/api/v1/campaigns/${id}/cancel`, { token: ops });
	assert.equal(r.status, 409);
	assert.equal((await gw.api('POST', `/api/v1/campaigns/${id}/explode`, { token: ops })).status, 404);
	assert.equal((await gw.api('GET', '/api/v1/campaigns/999', { token: viewer })).status, 404);
	// a campaign to numbers, previewed stored, cancelled as a draft
	r = await gw.api('POST', '/api/v1/campaigns', { token: ops, body: { name: 'n', text: '通知', numbers: ['13900000001', '+8613900000001', '13800000099'] } });
	assert.equal(r.json.recipients, 2, 'the duplicate dropped');
	r = await gw.api('GET', `/api/v1/campaigns/${r.json.id}/preview`, { token: viewer });
	assert.deepEqual(r.json.detail, { numbers: 2, duplicates: 1, opted_out: 0, unknown: 1 });
	r = await gw.api('POST', `/api/v1/campaigns/${r.json.id}/cancel`, { token: ops });
	assert.equal(r.json.state, 'cancelled');
	assert.ok(gw.db("SELECT detail FROM audit WHERE action = 'notice_start'")[0].detail.startsWith('from 127.0.0.1: campaign'));
	await gw.stopClean();
});

/** i in Chinese numerals (names have no digits). */
const zh = (i) => String(i).replace(/\d/g, (d) => '零一二三四五六七八九'[d]);

/** Workers CSV: n good rows (n < 336000), a wrong check character on the given lines. */
function workersCsv(n, badLines = []) {
	const rows = ['身份证号,姓名,手机号,区县'];
	for (let i = 1; i <= n; i++) {
		const month = String(1 + Math.floor(i / 28000)).padStart(2, '0');
		const day = String(1 + Math.floor((i % 28000) / 1000)).padStart(2, '0');
		let id = idNumber(`4452811985${month}${day}${String(i % 1000).padStart(3, '0')}`);
		if (badLines.includes(i + 1)) id = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
		rows.push(`${id},工人${zh(i)},137${String(i).padStart(8, '0')},普宁市`);
	}
	return `${rows.join('\n')}\n`;
}

async function waitJob(gw, token, id) {
	return until(async () => {
		const r = await gw.api('GET', `/api/v1/imports/${id}`, { token });
		return ['done', 'failed', 'cancelled'].includes(r.json.state) ? r.json : null;
	}, { timeout: 30000, what: `import ${id} ends` });
}

gwTest('imports: bad rows listed, apply with skip_bad, a validated file applied, GBK', { timeout: 60000 }, async (t, h) => {
	const { gw, ops, viewer } = await dataGateway(h, { n: 3 });
	const up = (body, query) => gw.api('POST', '/api/v1/imports', { token: ops, body, query, headers: { 'Content-Type': 'text/csv' } });
	let r = await up(workersCsv(3, [3]), { kind: 'workers' });
	assert.equal(r.status, 202, r.text);
	let job = await waitJob(gw, ops, r.json.id);
	assert.equal(job.state, 'done');
	assert.equal(job.result, 'invalid');
	assert.equal(job.rows, 3);
	assert.equal(job.bad, 1);
	assert.equal(job.bad_rows.length, 1);
	assert.equal(job.bad_rows[0].line, 3);
	assert.equal(job.bad_rows[0].column, '身份证号');
	assert.match(job.bad_rows[0].reason, /check/);
	assert.equal(gw.dbValue("SELECT count(*) FROM worker WHERE name LIKE '工人%'"), 0, 'validation writes nothing');
	r = await gw.api('POST', `/api/v1/imports/${job.id}/apply`, { token: ops });
	assert.equal(r.status, 409, 'bad rows: not without skip_bad');
	r = await gw.api('POST', `/api/v1/imports/${job.id}/apply`, { token: ops, query: { skip_bad: 'true' } });
	assert.equal(r.status, 202, r.text);
	job = await waitJob(gw, ops, job.id);
	assert.equal(job.result, 'applied');
	assert.equal(job.imported, 2);
	assert.equal(job.applied_rows, 2);
	assert.equal(gw.dbValue("SELECT count(*) FROM worker WHERE name LIKE '工人%'"), 2);
	// apply at once, a GBK file
	const gbk = iconv.encode(workersCsv(5).replace(/工人/g, '陈工'), 'gbk');
	r = await up(gbk, { kind: 'workers', mode: 'apply' });
	job = await waitJob(gw, ops, r.json.id);
	assert.equal(job.encoding, 'GBK/GB18030');
	assert.equal(job.result, 'applied');
	assert.equal(job.imported, 3);
	assert.equal(job.unchanged, 0);
	assert.equal(gw.dbValue("SELECT count(*) FROM worker WHERE name LIKE '陈工%'"), 5, 'names as GBK had them');
	// a file that is not of the kind
	r = await up('a,b\n1,2\n', { kind: 'courses', mode: 'apply' });
	job = await waitJob(gw, ops, r.json.id);
	assert.equal(job.state, 'failed');
	assert.match(job.error, /missing/);
	assert.equal((await up('x', { kind: 'robots' })).status, 400);
	assert.equal((await gw.api('GET', '/api/v1/imports', { token: viewer })).status, 403);
	r = await gw.api('GET', '/api/v1/imports', { token: ops });
	assert.equal(r.json.total, 3);
	assert.ok(gw.db("SELECT detail FROM audit WHERE action = 'import'").some((x) => /workers from the API \(127\.0\.0\.1\): rows 3, imported 2/.test(x.detail)));
	await gw.stopClean();
});

gwTest('imports: a larger file shows its progress, runs one at a time, and can be stopped', { timeout: 90000 }, async (t, h) => {
	const { gw, ops } = await dataGateway(h, { n: 3 });
	const N = 100000;
	const csv = workersCsv(N);
	let r = await gw.api('POST', '/api/v1/imports', { token: ops, body: csv, query: { kind: 'workers', mode: 'apply' } });
	const id = r.json.id;
	const seen = await until(async () => {
		const j = (await gw.api('GET', `/api/v1/imports/${id}`, { token: ops })).json;
		assert.notEqual(j.state, 'done', 'not seen running');
		return j.progress.rows_read > 0 ? j : null;
	}, { timeout: 20000, interval: 10, what: 'progress while it runs' });
	assert.ok(seen.progress.fraction > 0 && seen.progress.fraction < 1, JSON.stringify(seen.progress));
	r = await gw.api('POST', '/api/v1/imports', { token: ops, body: 'x', query: { kind: 'workers' } });
	assert.equal(r.status, 409, `one at a time: ${r.status} ${r.text}`);
	const job = await waitJob(gw, ops, id);
	assert.equal(job.result, 'applied');
	assert.equal(job.imported, N);
	assert.equal(gw.dbValue("SELECT count(*) FROM worker WHERE name LIKE '工人%'"), N);
	// stopped in the middle: what was committed stays, the job says cancelled
	r = await gw.api('POST', '/api/v1/imports', { token: ops, body: csv.replace(/普宁市/g, '榕城区'), query: { kind: 'workers', mode: 'apply' } });
	await until(async () => (await gw.api('GET', `/api/v1/imports/${r.json.id}`, { token: ops })).json.state === 'applying', { interval: 10, what: 'applying' });
	assert.equal((await gw.api('DELETE', `/api/v1/imports/${r.json.id}`, { token: ops })).status, 204);
	const stopped = await waitJob(gw, ops, r.json.id);
	assert.equal(stopped.state, 'cancelled');
	// whole transactions: the rows the job counts as applied are exactly
	// those in the database (a chunk ends early when the loop waits)
	assert.ok(stopped.applied_rows < N, `stopped before the end: ${stopped.applied_rows}`);
	assert.equal(gw.dbValue("SELECT count(*) FROM worker WHERE region = '445202' AND name LIKE '工人%'"), stopped.applied_rows);
	await gw.stopClean();
});

gwTest('export, workers masked below admin, a subsidy decided with the import\'s rules', { timeout: 40000 }, async (t, h) => {
	const { gw, ops, viewer } = await dataGateway(h, { n: 5 });
	let r = await gw.api('GET', '/api/v1/exports/enrolments', { token: ops, query: { since: '2000-01-01' } });
	assert.equal(r.status, 200);
	assert.ok(r.text.startsWith('\ufeff身份证号,姓名,手机号,课程编号'), r.text.slice(0, 40));
	assert.match(r.text, /陈小明/);
	assert.equal((await gw.api('GET', '/api/v1/exports/enrolments', { token: ops, query: { since: 'soon' } })).status, 400);
	assert.equal((await gw.api('GET', '/api/v1/exports/enrolments', { token: viewer })).status, 403);
	r = await gw.api('GET', '/api/v1/workers', { token: viewer, query: { msisdn: '13900000001' } });
	assert.equal(r.json.total, 1);
	const w = r.json.items[0];
	assert.equal(w.name, '陈*明');
	assert.match(w.id_number, /^445\*{11}\d{3}[\dX]$/);
	assert.equal(w.birth_date, null);
	assert.deepEqual(w.key_groups, ['migrant', 'unemployed']);
	assert.equal(w.enrolments[0].course_code, '2001');
	assert.equal(w.subsidies.length, 2);
	const admin = await gw.login('admin', 'Admin-Password-1');
	r = await gw.api('GET', `/api/v1/workers/${w.id}`, { session: admin });
	assert.equal(r.json.name, '陈小明');
	assert.equal(r.json.id_number, idNumber('44528119900101123'));
	assert.equal((await gw.api('GET', '/api/v1/workers/4040', { token: viewer })).status, 404);
	assert.equal((await gw.api('GET', '/api/v1/workers', { token: viewer, query: { id_number: '123' } })).status, 400);
	// a decision: the rules of the import
	const patch = (ref, body) => gw.api('PATCH', `/api/v1/subsidies/${ref}`, { token: ops, body });
	r = await patch('BT2026001', { status: 'rejected' });
	assert.equal(r.status, 400);
	assert.match(r.json.error.message, /reason: is empty; a rejected subsidy/);
	r = await patch('BT2026001', { status: '已发放' });
	assert.match(r.json.error.message, /paid_date: is empty/);
	r = await patch('BT2026001', { status: 'paid', paid_date: '2026-01-01' });
	assert.match(r.json.error.message, /paid_date: 2026-01-01 is before the application/);
	r = await patch('BT2026001', { status: 'sent' });
	assert.match(r.json.error.message, /not a subsidy status/);
	assert.equal((await patch('NOPE', { status: 'paid' })).status, 404);
	// the two training subsidies share occupation and level: the second is flagged
	assert.equal(gw.dbValue("SELECT rule_flag FROM subsidy WHERE reference = 'BT2026002'"), null, 'no flags before');
	r = await patch('BT2026001', { status: 'paid', paid_date: '2026-05-01', decided_date: '2026-04-20' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.status, 'paid');
	assert.equal(r.json.paid_date, '2026-05-01');
	r = await gw.api('GET', '/api/v1/subsidies/BT2026002', { token: viewer });
	assert.equal(r.json.rule_flag, 'same occupation and level as BT2026001');
	r = await patch('BT2026001', { status: 'rejected', reason: '材料不全' });
	assert.equal(r.json.reason, '材料不全');
	assert.equal(gw.dbValue("SELECT rule_flag FROM subsidy WHERE reference = 'BT2026002'"), null, 'a rejected one counts no more');
	const a = gw.db("SELECT actor, detail FROM audit WHERE action = 'subsidy_status' ORDER BY id");
	assert.deepEqual(a.map((x) => x.detail), ['from 127.0.0.1: BT2026001: reviewing -> paid', 'from 127.0.0.1: BT2026001: paid -> rejected']);
	await gw.stopClean();
});

gwTest('status and /metrics: links, queue, today, a command\'s reply latency; promtool agrees', { timeout: 40000 }, async (t, h) => {
	const { gw, sim, viewer } = await dataGateway(h, { n: 3 });
	const t0 = Date.now();
	await sim.sendMo({ from: '8613900000001', to: '12333', text: 'BT' });
	await sim.waitMessage((m) => m.to === '8613900000001' && m.time >= t0, 10000, 'the reply');
	let r = await until(async () => {
		const x = await gw.api('GET', '/api/v1/status', { token: viewer });
		return x.json.today.mt >= 1 ? x : null;
	}, { what: 'the reply counted as accepted' });
	assert.equal(r.status, 200);
	assert.equal(r.json.links[0].name, 'sim');
	assert.equal(r.json.links[0].state, 'bound');
	assert.equal(r.json.links[0].window.size, 10);
	assert.ok(r.json.today.mo >= 1 && r.json.today.mt >= 1, JSON.stringify(r.json.today));
	assert.ok(r.json.traffic.points.some((p) => p.mo >= 1));
	assert.ok(r.json.queue.submitted + r.json.queue.delivered >= 1, JSON.stringify(r.json.queue));
	r = await until(async () => {
		const x = await gw.api('GET', '/metrics');
		return /^skillgw_receipts_total\{state="delivered",matched="yes"\} \d+$/m.test(x.text) ? x : null;
	}, { what: 'the receipt counted' });
	assert.equal(r.status, 200, 'loopback without credentials');
	assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
	for (const re of [/^skillgw_link_up\{link="sim"\} 1$/m, /^skillgw_smpp_pdus_total\{session="sim",direction="in",command="deliver_sm",status="ESME_ROK"\} \d+$/m,
		/^skillgw_queue_messages\{state="queued"\} \d+$/m, /^skillgw_commands_total\{command="subsidy",keyword="BT"\} 1$/m,
		/^skillgw_mo_reply_seconds_count 1$/m, /^skillgw_mo_reply_seconds_bucket\{le="\+Inf"\} 1$/m, /^# TYPE skillgw_mo_reply_seconds histogram$/m,
		/^skillgw_receipts_total\{state="delivered",matched="yes"\} \d+$/m]) assert.match(r.text, re);
	let out;
	try {
		out = execFileSync('promtool', ['check', 'metrics'], { input: r.text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
	} catch (e) {
		assert.fail(`promtool check metrics: ${e.stdout}${e.stderr}${e.code === 'ENOENT' ? ' (promtool missing: sh scripts/deps.sh installs prometheus)' : ''}`);
	}
	assert.equal(out.trim(), '', `promtool: ${out}`);
	// a token works from anywhere; a bad one does not
	assert.equal((await gw.api('GET', '/metrics', { token: viewer })).status, 200);
	assert.equal((await gw.api('GET', '/metrics', { token: 'sgw_9_x' })).status, 401);
	await gw.stopClean();
});
