'use strict';
// storage.test.js - the daemon and the operator's tools when the database's
// storage fails, provoked without root or a small file system:
//
// - full: the test build caps the database of every connection of skillgw
//   and skillctl at $SKILLGW_TEST_MAX_PAGES pages (PRAGMA max_page_count,
//   gateway/db.c); the test's own sqlite3 connection, which has no cap,
//   fills the file past it with a table of its own, so that SQLite answers
//   SQLITE_FULL ("database or disk is full") as on a full disk, and drops
//   that table to give the space back;
// - locked: an sqlite3 shell keeps BEGIN IMMEDIATE open, as an operator's
//   would.
//
// Covered: MOs answered with a temporary error while writes fail, and
// replied to when the SMSC sends them again after; none of those
// acknowledged before lost; the reserve released at the first full write
// (MOs stored in it) and kept again after; one log line when the fault
// begins and one when it ends, none per PDU; show queue and /metrics
// while it lasts; the API's 503 with its cause; skillctl send, import,
// notice create and export stopping with one line and exit 2; the WAL
// within its bound after a 300,000-number send failed on a full database;
// skillctl on a read-only database (a read-only bind mount when the tests
// run as root, whom file modes do not stop; the file's mode otherwise), a
// forbidden one (root runs skillctl as nobody) and a corrupt one; under
// sustained MT load the WAL within DB_WAL_HARD_LIMIT (and a commit's
// pages), checkpointed by the keeper thread, never by the loop.

const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { gwTest, until, sleep, vty, writeConfig, CTL, ROOT } = require('./lib/gw');
const { csvFile, residentId } = require('./lib/roster');

const MESSAGES = path.join(ROOT, 'conf', 'messages.conf');
const COMMANDS = { enabled: true, messages: MESSAGES, signature: '【揭阳人社】', hotline: '12333' };
const TEMP_ERROR = 0x64;		// ESME_RX_T_APPN
const WAL_LIMIT = 8 * 1024 * 1024;	// DB_WAL_LIMIT (include/gateway/db.h)
const START_RE = /DDB ERROR .*storage: .*: (disk full|locked by another process)/;
const END_RE = /storage: .*: writes work again/;

/** A gateway with SMS commands and the API on; cap: pages (full), or none. */
async function storageGateway(h, { cap, reserve = 1 } = {}) {
	const sim = await h.smsc();
	const gw = await h.gateway({
		sim, api: true, gateway: { storage_reserve: reserve },
		extra: { commands: COMMANDS, notices: { optout_hint: '回TD退订' } },
		env: cap ? { SKILLGW_TEST_MAX_PAGES: String(cap) } : {},
	});
	await gw.waitBound();
	await gw.waitLog(/SMS commands on/);
	return { sim, gw };
}

/** Fill the database past cap pages with no free page left (the test's
 * own connection has no cap). */
function fill(gw, cap) {
	const free = gw.dbValue('PRAGMA freelist_count');
	const pages = gw.dbValue('PRAGMA page_count');
	const n = Math.max(cap - pages, 0) + free + 16;
	gw.db('CREATE TABLE IF NOT EXISTS test_filler (b BLOB); ' +
		`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n}) ` +
		'INSERT INTO test_filler SELECT zeroblob(3900) FROM c');
	assert.equal(gw.dbValue('PRAGMA freelist_count'), 0, 'no free page left');
	assert.ok(gw.dbValue('PRAGMA page_count') > cap, 'past the cap');
}

/** An MO "BZ" (help) from number; resolves with its deliver_sm_resp status. */
async function mo(sim, number) {
	const r = await sim.sendMo({ from: number, to: '12333', text: 'BZ', timeoutMs: 20000 });
	return r.status;
}

/** MOs from base, base+1 ... until one gets a temporary error (at most max);
 * returns the numbers acknowledged and the one refused. */
async function moUntilRefused(sim, base, max) {
	const acked = [];
	for (let i = 0; i < max; i++) {
		const n = String(base + i);
		const st = await mo(sim, n);
		if (st === TEMP_ERROR) return { acked, refused: n };
		assert.equal(st, 0, `MO from ${n}: status ${st}`);
		acked.push(n);
	}
	throw new Error(`no MO refused in ${max}`);
}

/** Storage lines logged since the last start, ERROR lines among them. */
function storageLines(gw) {
	return {
		start: gw.lines(START_RE, gw.mark),
		end: gw.lines(END_RE, gw.mark),
		errors: gw.lines(/ ERROR /, gw.mark),
	};
}

/** Every number in numbers got exactly one message (its reply). */
function assertOneReplyEach(sim, numbers) {
	const counts = sim.messageCountByDestination();
	for (const n of numbers) assert.equal(counts.get(n), 1, `replies to ${n}: ${counts.get(n)}`);
}

gwTest('a full disk: MOs stored in the reserve, then refused with a temporary error and replied to once space returns; none lost; said once each way', { timeout: 150000 }, async (t, h) => {
	const CAP = 1200;
	const { sim, gw } = await storageGateway(h, { cap: CAP });
	const before = [];
	for (let i = 0; i < 3; i++) {
		before.push(String(8613700000000 + i));
		assert.equal(await mo(sim, before[i]), 0, 'acknowledged before the fault');
	}
	await until(() => sim.messages.length >= 3, { what: 'the replies before the fault' });
	const token = gw.token('ops', 'operator');

	fill(gw, CAP);
	// the first refused write releases the reserve: the next MOs go into it
	const first = await moUntilRefused(sim, 8613700001000, 200);
	await gw.waitLog(/storage: .*: disk full: released the 1 MiB reserve/);
	assert.equal(await mo(sim, first.refused), 0, 'stored in the reserve');
	// the test takes the reserve's pages too: now writes fail
	fill(gw, CAP);
	const second = await moUntilRefused(sim, 8613700002000, 200);
	const refused = [second.refused];
	for (let i = 0; i < 5; i++) {
		const n = String(8613700003000 + i);
		assert.equal(await mo(sim, n), TEMP_ERROR, `MO from ${n} during the fault`);
		refused.push(n);
	}
	for (const n of refused) assert.equal(gw.dbValue(`SELECT count(*) FROM mo WHERE src = '${n}'`), 0, `${n} not stored`);

	// visible while it lasts: the VTY, /metrics, the API's 503
	const show = await vty(gw.config.gateway.vty.port, ['show queue']);
	assert.match(show, /storage\s+FAULT disk full for \d+ s/);
	assert.match(show, /reserve\s+0 of 1048576 bytes/);
	let m = await gw.api('GET', '/metrics');
	assert.match(m.text, /^skillgw_storage_fault\{cause="disk_full"\} 1$/m);
	assert.match(m.text, /^skillgw_storage_fault\{cause="locked"\} 0$/m);
	assert.match(m.text, /^skillgw_storage_reserve_bytes 0$/m);
	assert.match(m.text, /^skillgw_storage_wal_bytes \d+$/m);
	const to = Array.from({ length: 200 }, (_, i) => String(13900000000 + i));
	const api = await gw.api('POST', '/api/v1/messages', { token, body: { to, text: '【揭阳人社】通知' } });
	assert.equal(api.status, 503, api.text);
	assert.equal(api.json.error.code, 'storage');
	assert.equal(api.json.error.cause, 'disk_full');
	assert.match(api.json.error.message, /disk full/);
	const nums = path.join(gw.dir, 'nums.txt');
	fs.writeFileSync(nums, to.join('\n'));
	const ctl = gw.ctl(['send', '--file', nums, '--text', 'x']);
	assert.equal(ctl.code, 2, ctl.stderr);
	assert.equal(ctl.stderr.trim().split('\n').length, 1, ctl.stderr);
	assert.match(ctl.stderr, /^skillctl send: .*skillgw\.db: disk full \(at .*nums\.txt:\d+\); nothing queued$/m);

	// space returns: writes work again by themselves, the reserve is back
	gw.db('DROP TABLE test_filler');
	await gw.waitLog(END_RE, { timeout: 15000 });
	assert.match(gw.lines(END_RE, gw.mark)[0], /the reserve is kept again/);
	m = await gw.api('GET', '/metrics');
	assert.match(m.text, /^skillgw_storage_fault\{cause="disk_full"\} 0$/m);
	assert.match(m.text, /^skillgw_storage_reserve_bytes 1048576$/m);
	// the SMSC sends the refused MOs again: stored and replied to now
	for (const n of refused) assert.equal(await mo(sim, n), 0, `MO from ${n} after the fault`);
	const acked = [...before, ...first.acked, first.refused, ...second.acked, ...refused];
	await until(() => acked.every((n) => sim.messageCountByDestination().get(n) >= 1),
		{ timeout: 20000, what: 'a reply to every MO acknowledged' });
	await sleep(500);	// a second reply would come now
	assertOneReplyEach(sim, acked);
	for (const n of acked) assert.equal(gw.dbValue(`SELECT count(*) FROM mo WHERE src = '${n}'`), 1, `MO from ${n} stored once`);
	await until(() => gw.dbValue('SELECT count(*) FROM mt WHERE state IN (0, 1)') === 0,
		{ what: 'nothing left queued or sending' });
	assert.equal(gw.dbValue('SELECT count(*) FROM mt'), acked.length, 'one reply each, nothing of the API\'s or skillctl\'s');

	const l = storageLines(gw);
	t.diagnostic(`MOs acknowledged ${acked.length}, refused then replied ${refused.length}; log: ${l.start[0]} | ${l.end[0]}`);
	assert.equal(l.start.length, 1, `one line when it began: ${l.start.join(' | ')}`);
	assert.equal(l.end.length, 1, 'one line when it ended');
	assert.deepEqual(l.errors, l.start, 'no other ERROR line: none per PDU');
	await gw.stopClean();
});

/** An sqlite3 shell holding the write lock of gw's database until released. */
async function holdLock(t, gw) {
	const lock = spawn('sqlite3', ['-bail', gw.dbPath], { stdio: ['pipe', 'pipe', 'ignore'] });
	t.after(() => { try { lock.kill('SIGKILL'); } catch (e) { /* gone */ } });
	let out = '';
	lock.stdout.on('data', (d) => { out += d; });
	// .timeout: the daemon holds the lock for a moment in each of its
	// iterations; -bail: a BEGIN that failed all the same ends the shell
	// before it says it holds the lock
	lock.stdin.write(".timeout 5000\nBEGIN IMMEDIATE;\nSELECT 'holding';\n");
	await until(() => out.includes('holding'), { what: 'the lock held' });
	return { release: () => lock.stdin.end('COMMIT;\n') };
}

gwTest('a lock kept by another process: MOs refused with a temporary error, replied to after; operator tools stop with one line each', { timeout: 150000 }, async (t, h) => {
	const { sim, gw } = await storageGateway(h);
	assert.equal(await mo(sim, '8613700010000'), 0);
	const token = gw.token('ops', 'operator');
	const nums = path.join(gw.dir, 'nums.txt');
	fs.writeFileSync(nums, '13900000001\n13900000002\n');
	const workers = csvFile(gw.dir, 'workers.csv', ['身份证号', '姓名', '手机号', '区县'],
		[[residentId('44528119900101123'), '张三', '13900000003', '445281']]);
	const lock = await holdLock(t, gw);

	const refused = [];
	for (let i = 0; i < 3; i++) {
		const n = String(8613700011000 + i);
		assert.equal(await mo(sim, n), TEMP_ERROR, `MO from ${n} while locked`);
		refused.push(n);
	}
	await gw.waitLog(/storage: .*: locked by another process for longer than 5 s/);
	const show = await vty(gw.config.gateway.vty.port, ['show queue']);
	assert.match(show, /storage\s+FAULT locked by another process for longer than 5 s/);
	const api = await gw.api('POST', '/api/v1/messages', { token, body: { to: '13900000009', text: '【揭阳人社】通知' } });
	assert.equal(api.status, 503, api.text);
	assert.equal(api.json.error.cause, 'locked');

	const cases = [
		[['send', '--file', nums, '--text', 'x'], /^skillctl send: .*skillgw\.db: locked by another process for longer than 5 s; nothing queued$/],
		[['import', 'workers', workers], /^skillctl import: .*skillgw\.db: locked by another process for longer than 5 s \(at .*workers\.csv.*\); nothing imported$/],
		[['notice', 'create', '--name', 'n', '--text', '{name}您好', '--numbers', nums], /^skillctl notice create: .*skillgw\.db: locked by another process for longer than 5 s; nothing created$/],
		[['export', 'enrolments', path.join(gw.dir, 'e.csv')], /^skillctl export: .*skillgw\.db: locked by another process for longer than 5 s; nothing exported/],
	];
	for (const [args, re] of cases) {
		const r = gw.ctl(args);
		assert.equal(r.code, 2, `${args[0]}: exit ${r.code}: ${r.stderr}`);
		assert.equal(r.stderr.trim().split('\n').length, 1, `${args[0]}: one line: ${r.stderr}`);
		assert.match(r.stderr.trim(), re);
	}
	assert.ok(!fs.existsSync(path.join(gw.dir, 'e.csv')), 'no export left behind');

	lock.release();
	await gw.waitLog(END_RE, { timeout: 15000 });
	for (const n of refused) assert.equal(await mo(sim, n), 0, `MO from ${n} after the lock`);
	await until(() => refused.every((n) => sim.messageCountByDestination().get(n) >= 1),
		{ timeout: 15000, what: 'the replies after the lock' });
	assert.equal(gw.dbValue('SELECT count(*) FROM mt'), 1 + refused.length, 'the replies only: the tools kept nothing');
	assert.equal(gw.dbValue('SELECT count(*) FROM campaign'), 0);
	assert.equal(gw.dbValue('SELECT count(*) FROM worker'), 0);
	const l = storageLines(gw);
	assert.equal(l.start.length, 1, `one line when it began: ${l.start.join(' | ')}`);
	assert.equal(l.end.length, 1, 'one line when it ended');
	assert.deepEqual(l.errors, l.start, 'no other ERROR line');
	await gw.stopClean();
});

gwTest('skillctl send of 300,000 numbers on a full database: one line, exit 2, nothing queued, the WAL back within its bound', { timeout: 240000 }, async (t, h) => {
	const CAP = 4096;	// 16 MiB: the send fails about a third of the way
	const { sim, gw } = await storageGateway(h, { cap: CAP, reserve: 0 });
	const file = path.join(gw.dir, 'numbers.txt');
	fs.writeFileSync(file, Array.from({ length: 300000 }, (_, i) => String(13800000000 + i)).join('\n') + '\n');
	const r = gw.ctl(['send', '--file', file, '--text', '【揭阳人社】通知'], { timeout: 200000 });
	const walSize = () => (fs.existsSync(`${gw.dbPath}-wal`) ? fs.statSync(`${gw.dbPath}-wal`).size : 0);
	// skillctl truncates the WAL as it closes unless the daemon is reading
	// at that moment; then the daemon's WAL thread does, within a second or
	// two. Either way the WAL must not keep the disk.
	const t0 = Date.now();
	let wal = walSize();
	while (wal > WAL_LIMIT && Date.now() - t0 < 5000) {
		await new Promise((res) => setTimeout(res, 100));
		wal = walSize();
	}
	t.diagnostic(`skillctl: exit ${r.code}, ${r.stderr.trim()}; WAL ${wal} bytes ${Date.now() - t0} ms after it`);
	assert.equal(r.code, 2);
	assert.equal(r.stdout, '');
	assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
	assert.match(r.stderr, /^skillctl send: .*skillgw\.db: disk full \(at .*numbers\.txt:\d+\); nothing queued\n$/);
	assert.equal(gw.dbValue('SELECT count(*) FROM mt'), 0, 'nothing queued');
	assert.ok(wal <= WAL_LIMIT, `WAL ${wal} bytes > ${WAL_LIMIT}`);
	// and the daemon answers as before
	assert.equal(await mo(sim, '8613700020000'), 0);
	await sim.waitMessage((x) => x.to === '8613700020000');
	await gw.stopClean();
});

const WAL_HARD = 2 * WAL_LIMIT;	// DB_WAL_HARD_LIMIT: the loop checkpoints past it
const WAL_SLACK = 4 * 1024 * 1024;	// and one group commit's pages above it

gwTest('sustained MT load: the WAL stays within its bound, checkpointed by the keeper thread, not inside the loop\'s commits', { timeout: 120000 }, async (t, h) => {
	const N = 40000, SECS = 15;
	const sim = await h.smsc();
	// no quiet hours: the rows are paced ones, held from 21:00 in Shanghai
	// (13:00 UTC) by the default quiet hours, and the test then sent none
	const gw = await h.gateway({ sim, start: false, link: { window: 100, registered_delivery: false },
		extra: { notices: { quiet_start: '00:00', quiet_end: '00:00' } } });
	assert.equal(gw.ctl(['queue']).code, 0, 'the schema');
	gw.db(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${N})
		INSERT INTO mt (dst, text, prio, state, next_try, expires_at, created_at)
		SELECT printf('8613%09d', i), 'wal load ' || i, 2, 0, 0,
		 CAST(strftime('%s','now') AS INTEGER) * 1000 + 86400000, CAST(strftime('%s','now') AS INTEGER) * 1000 FROM c`);
	gw.start();
	await gw.waitBound();
	const walPath = `${gw.dbPath}-wal`;
	let max = 0, samples = 0;
	const t0 = Date.now();
	// sending, for SECS at most: the loop's commits write the WAL all along
	while (Date.now() - t0 < SECS * 1000 && sim.messages.length < N) {
		const wal = fs.existsSync(walPath) ? fs.statSync(walPath).size : 0;
		if (wal > max) max = wal;
		samples++;
		await sleep(20);
	}
	const sent = sim.messages.length;
	await gw.stopClean();
	const line = gw.lines(/commits: \d+, longest/).pop() || '';
	t.diagnostic(`${sent} MTs in ${((Date.now() - t0) / 1000).toFixed(1)} s; WAL at most ${max} bytes over ${samples} looks; ${line.replace(/^.*DDB \w+ \S+ /, '')}`);
	assert.ok(sent >= 2000, `sustained load: ${sent} MTs sent`);
	assert.ok(max <= WAL_HARD + WAL_SLACK, `WAL ${max} bytes > ${WAL_HARD + WAL_SLACK}`);
	const m = line.match(/WAL checkpoints: (\d+) by the keeper thread, \d+ tails \(longest [\d.]+ ms\) and (\d+) by the loop/);
	assert.ok(m, `the commit figures at stop: ${line}`);
	assert.ok(Number(m[1]) > 0, 'the keeper thread checkpointed');
	assert.equal(Number(m[2]), 0, 'the loop never had to');
});

/** skillctl ARGS with the configuration cfg (a file), as gw.ctl does, run
 * by wrap (a command line before it: unshare, setpriv). */
function ctlVia(gw, wrap, cfg, args) {
	const r = spawnSync(wrap[0], [...wrap.slice(1), CTL, '-c', cfg, ...args],
		{ encoding: 'utf8', env: gw.env(), timeout: 30000 });
	return { code: r.status, stdout: r.stdout || '', stderr: r.stderr || '', error: r.error };
}

/** A copy of gw's configuration in a directory anyone may read, with the
 * database at db; its path. */
function configFor(h, gw, db) {
	const dir = h.tmpdir();
	fs.chmodSync(dir, 0o755);
	const p = path.join(dir, 'skillgw.conf');
	fs.writeFileSync(p, writeConfig({ ...gw.config, gateway: { ...gw.config.gateway, database: db } }));
	fs.chmodSync(p, 0o644);
	return p;
}

function assertOneLine(r, re) {
	assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
	assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
	assert.match(r.stderr.trim(), re);
}

gwTest('skillctl on a read-only, forbidden or corrupt database: one line naming it, exit 2', { timeout: 60000 }, async (t, h) => {
	const gw = await h.gateway({ port: 2775, start: false });
	assert.equal(gw.ctl(['queue']).code, 0);	// the database exists
	const root = process.getuid() === 0;
	const send = ['send', '--to', '13800138000', '--text', 'hi'];

	// read-only: the file's mode stops whoever is not root; root is stopped
	// by a read-only bind of the directory in a mount namespace of its own
	let r;
	if (!root) {
		fs.chmodSync(gw.dbPath, 0o444);
		r = gw.ctl(send);
		fs.chmodSync(gw.dbPath, 0o600);
	} else {
		r = ctlVia(gw, ['unshare', '-m', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', gw.dir],
			gw.cfgPath, send);
	}
	if (root && /mount|unshare/.test(r.stderr)) {
		t.diagnostic(`read-only not provoked (no mount namespace here): ${r.stderr.trim()}`);
	} else {
		assertOneLine(r, /^skillctl send: .*skillgw\.db: read-only; nothing queued$/);
	}

	// permission denied: the file's mode again; root runs skillctl as
	// nobody, for whom the test's directory (0700) is closed
	if (!root) {
		fs.chmodSync(gw.dbPath, 0o000);
		r = gw.ctl(send);
		fs.chmodSync(gw.dbPath, 0o600);
	} else {
		r = ctlVia(gw, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
			configFor(h, gw, gw.dbPath), send);
	}
	if (r.error || (root && /setpriv/.test(r.stderr))) {
		t.diagnostic(`permission denied not provoked: ${r.error ? r.error.message : r.stderr.trim()}`);
	} else {
		assertOneLine(r, /^skillctl send: .*skillgw\.db: permission denied; nothing queued$/);
	}

	// corrupt: a file that is no database
	const bad = path.join(gw.dir, 'bad.db');
	fs.writeFileSync(bad, Buffer.alloc(16384, 'x'));
	r = ctlVia(gw, ['env'], configFor(h, gw, bad), send);
	assertOneLine(r, /^skillctl send: .*bad\.db: corrupt \(restore a backup\); nothing queued$/);
	r = ctlVia(gw, ['env'], configFor(h, gw, bad), ['import', 'workers', path.join(gw.dir, 'none.csv')]);
	assertOneLine(r, /^skillctl cannot open the database: .*bad\.db: corrupt \(restore a backup\); nothing done$/);
	assert.equal(gw.dbValue('SELECT count(*) FROM mt'), 0);
});
