'use strict';
// demo.test.js - the demo as "make run" starts it: scripts/demo.sh loads
// the demo data (when scripts/load-demo.sh exists), starts skillgw and
// runs the handset (the SMSC simulator) in its --script mode. Every script
// of SCRIPTS runs in turn on one temporary demo directory (database, data,
// log), on free loopback ports, bounded in time; every process demo.sh
// started is gone afterwards.
//
// A handset script fails (exit 1) on the first expectation not met; its
// output is printed as diagnostics then.
//
// The demo data's dates are relative to the day it is generated: DAYS are
// run too, each in a demo directory of its own (at once), with
// SKILLGW_DEMO_TODAY, so that the data set is made for that day and the
// gateway's and skillctl's clock moved to it; demo-days.script then checks
// what README.md's table of demo numbers promises, and checkDay() the data.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { BIN, ROOT, until } = require('./lib/gw');

// Each script with what it shows. The scripts of the features still being
// built are in this directory; enable each here once its feature answers.
const SCRIPTS = [
	['demo.script', 'a notice sent with skillctl arrives with its delivery report; an SMS from the phone is stored'],
	['demo-sms.script', 'SMS commands: subsidy status of the demo numbers, help, courses'],
	['demo-ussd.script', 'USSD: main menu, wrong choice, subsidy check, enrolment'],
	['demo-notify.script', 'a subsidy paid by an import is texted to the worker without asking',
		{ SKILLGW_DEMO_QUIET: '00:00-00:00' }],
];

// A December day (the one this was written on), the turn of the year,
// mid-year, a leap day.
const DAYS = ['2026-12-05', '2027-01-02', '2027-06-30', '2028-02-29'];

const BUILD = path.dirname(BIN);
const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer/;
const VAR = fs.mkdtempSync(path.join(os.tmpdir(), 'skillgw-demo-'));
let failed = false;
const groups = new Set();	// process groups of running demo.sh

function killGroups(sig) {
	for (const pgid of groups) {
		try { process.kill(-pgid, sig); } catch (e) { groups.delete(pgid); }
	}
}
process.on('exit', () => killGroups('SIGKILL'));

after(() => {
	killGroups('SIGKILL');
	if (!failed && !process.env.KEEP_TMP) fs.rmSync(VAR, { recursive: true, force: true });
});

const alive = (pid) => {
	try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
};

/** sh scripts/demo.sh BUILD --script FILE in its own process group, on the
 * demo directory dir, with env added; bounded. */
function runDemo(script, timeoutMs, dir = VAR, env = {}) {
	return new Promise((resolve) => {
		const p = spawn('sh', ['scripts/demo.sh', BUILD, '--script', script, '--bind-timeout', '30'], {
			cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
			env: {
				...process.env, SKILLGW_DEMO_VAR: dir, SKILLGW_DEMO_SMSC_PORT: '0', SKILLGW_DEMO_VTY_PORT: '0', SKILLGW_DEMO_API_PORT: '0', NO_COLOR: '1',
				...env,
			},
		});
		groups.add(p.pid);
		let out = '';
		p.stdout.on('data', (d) => { out += d; });
		p.stderr.on('data', (d) => { out += d; });
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			try { process.kill(-p.pid, 'SIGTERM'); } catch (e) { /* gone */ }
			setTimeout(() => { try { process.kill(-p.pid, 'SIGKILL'); } catch (e) { /* gone */ } }, 12000).unref();
		}, timeoutMs);
		p.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({ code, signal, out, timedOut, pid: p.pid });
		});
	});
}

function db(sql, dir = VAR) {
	const out = execFileSync('sqlite3', ['-json', '-cmd', '.timeout 5000', path.join(dir, 'skillgw.db'), sql], {
		encoding: 'utf8', timeout: 15000,
	});
	return out.trim() ? JSON.parse(out) : [];
}

// What each script leaves in the database, beyond its own expectations.
const CHECKS = {
	'demo.script': () => {
		const mt = db("SELECT dst, state FROM mt WHERE text LIKE '%电工培训班%'");
		assert.equal(mt.length, 1, 'the notice is one row');
		assert.equal(mt[0].dst, '8613800138000');
		assert.equal(mt[0].state, 3, 'the notice is delivered (state 3) after its receipt');
		const mo = db("SELECT src, dst, text FROM mo WHERE text = '你好'");
		assert.equal(mo.length, 1, 'the SMS from the phone is stored once');
		assert.equal(mo[0].src, '8613800138000');
	},
	'demo-quality.script': (dir) => {
		// the trainee's three answers; nobody else was asked anything
		const q = db("SELECT q.kind, q.answer, q.via, q.comment FROM quality_question q JOIN worker w" +
			" ON w.id = q.worker_id WHERE w.msisdn = '8613800138005' ORDER BY q.kind", dir);
		assert.deepEqual(q, [
			{ kind: 'attendance', answer: 1, via: 'sms', comment: null },
			{ kind: 'employment', answer: 1, via: 'ussd', comment: null },
			{ kind: 'survey', answer: 5, via: 'sms', comment: '老师讲得很好' },
		]);
		assert.equal(db('SELECT count(*) AS n FROM quality_question', dir)[0].n, 3, 'no stranger asked');
		assert.equal(db("SELECT count(*) AS n FROM quality_refusal WHERE reason = 'wrong'", dir)[0].n, 1);
	},
	'demo-notify.script': () => {
		// the data set is history (none of its decisions told); reminders
		// of its courses starting tomorrow are the gateway's own
		const n = db("SELECT kind, state FROM notify_event WHERE kind <> 'reminder'");
		assert.deepEqual(n, [{ kind: 'subsidy_paid', state: 'queued' }], 'one notification: the payment');
	},
};

// The data set of day (its demo directory dir) after demo-days.script: the
// dates README.md's table depends on, and no record after the day.
function checkDay(day, dir) {
	const q = (sql) => db(sql.replace(/:day/g, `'${day}'`), dir);
	const numbers = fs.readFileSync(path.join(dir, 'demo', 'demo-numbers.txt'), 'utf8');
	assert.match(numbers, new RegExp(`^# today ${day}:`, 'm'), 'demo-numbers.txt names the day');
	const c = Object.fromEntries(q("SELECT code, status, start_date, enrol_deadline, capacity, seats_taken" +
		" FROM course WHERE code IN ('2001', '2002', '2003', '2004')").map((x) => [x.code, x]));
	assert.equal(c[2001].status, 'open');
	assert.ok(c[2001].enrol_deadline >= day && c[2001].start_date > day, `2001 is open on ${day}: ${JSON.stringify(c[2001])}`);
	assert.equal(c[2001].start_date.slice(0, 4), day.slice(0, 4), '2001 starts in the year of the day');
	assert.equal(q("SELECT count(*) AS n FROM enrolment e JOIN worker w ON w.id = e.worker_id" +
		" JOIN course c ON c.id = e.course_id WHERE c.code = '2001' AND w.msisdn = '8613800138000'" +
		" AND e.status = 'enrolled'")[0].n, 1, '13800138000 is enrolled in 2001');
	assert.equal(c[2002].capacity, 20);
	assert.equal(c[2002].seats_taken, 20, '2002 had two seats left, taken by the script');
	assert.ok(c[2002].enrol_deadline >= day, '2002 is open');
	assert.ok(c[2003].enrol_deadline < day && c[2003].status === 'open', `2003 is past its deadline: ${JSON.stringify(c[2003])}`);
	assert.equal(c[2004].status, 'closed');
	assert.equal(q("SELECT count(*) AS n FROM subsidy s JOIN worker w ON w.id = s.worker_id WHERE w.msisdn = '8613800138004'" +
		" AND s.kind = 'training' AND s.status <> 'rejected' AND s.year = " + Number(day.slice(0, 4)))[0].n, 3,
		'13800138004 has three training subsidies in the calendar year');
	assert.equal(q("SELECT count(*) AS n FROM subsidy s JOIN worker w ON w.id = s.worker_id" +
		" WHERE w.msisdn = '8613800138004' AND s.applied_date > :day")[0].n, 0);
	// only 2003 of the open courses is past its deadline; nothing happened after the day
	assert.deepEqual(q("SELECT code FROM course WHERE status = 'open' AND (enrol_deadline < :day" +
		" OR start_date <= :day)").map((x) => x.code), ['2003']);
	assert.equal(q("SELECT count(*) AS n FROM course WHERE status = 'finished' AND end_date >= :day")[0].n, 0);
	assert.equal(q("SELECT count(*) AS n FROM certificate WHERE issued_date > :day")[0].n, 0);
	assert.equal(q("SELECT count(*) AS n FROM subsidy WHERE applied_date > :day OR decided_date > :day" +
		" OR paid_date > :day")[0].n, 0);
}

/** Run file through demo.sh and check what every run must show; t's
 * diagnostics get the output when it fails. */
async function demoRun(t, file, dir, env, check) {
	let r;
	try {
		r = await runDemo(path.join(__dirname, file), 200000, dir, env);
		const log = fs.existsSync(path.join(dir, 'skillgw.log')) ? fs.readFileSync(path.join(dir, 'skillgw.log'), 'utf8') : '';
		const why = r.timedOut ? 'did not finish in time' : `exit code ${r.code} signal ${r.signal}`;
		assert.ok(!r.timedOut && r.code === 0, `demo.sh with ${file}: ${why}`);
		assert.doesNotMatch(log, SANITIZER_RE, 'sanitizer report in the gateway log');
		assert.match(r.out, /every step passed/);

		// demo.sh stopped what it started and removed its config copy
		const gwPid = Number((r.out.match(/skillgw started \(pid (\d+)/) || [])[1]);
		assert.ok(gwPid > 0, 'demo.sh says which skillgw it started');
		await until(() => !alive(gwPid), { timeout: 5000, what: `skillgw ${gwPid} gone` });
		assert.ok(!fs.existsSync(path.join(ROOT, 'conf', `.demo-${r.pid}.conf`)), 'the config copy is removed');
		assert.match(log, /stopped/, 'skillgw stopped in order');

		if (check) check();
	} catch (e) {
		failed = true;
		if (r) for (const l of r.out.split('\n').slice(-80)) t.diagnostic(`demo| ${l}`);
		const logf = path.join(dir, 'skillgw.log');
		if (fs.existsSync(logf)) {
			for (const l of fs.readFileSync(logf, 'utf8').split('\n').slice(-30)) t.diagnostic(`log| ${l}`);
		}
		t.diagnostic(`demo directory kept: ${dir}`);
		throw e;
	} finally {
		groups.delete(r ? r.pid : -1);
	}
}

for (const [file, what, env = {}] of SCRIPTS) {
	test(`make run's demo, scripted (${file}): ${what}`, { timeout: 240000 }, async (t) => {
		await demoRun(t, file, VAR, env, CHECKS[file]);
	});
}

// Training quality asks at the gateway's first start: on a data set of its
// own, at 10:00, inside the class hours of the demo's course 2005.
test("make run's demo, scripted (demo-quality.script): a trainee confirms attendance, rates a course, says whether working",
	{ timeout: 240000 }, async (t) => {
		const dir = path.join(VAR, 'quality');
		await demoRun(t, 'demo-quality.script', dir, { SKILLGW_DEMO_TIME: '10:00' },
			() => CHECKS['demo-quality.script'](dir));
	});

test('gen-demo.js: the same seed, today and worker count give the same bytes; --today is checked', () => {
	const gen = (...args) => execFileSync('node', ['scripts/gen-demo.js', ...args], { cwd: ROOT, encoding: 'utf8' });
	const files = (dir) => fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f))]);
	const a = path.join(VAR, 'gen-a'), b = path.join(VAR, 'gen-b'), c = path.join(VAR, 'gen-c');
	gen('--out', a, '--workers', '200', '--today', '2027-01-02');
	gen('--out', b, '--workers', '200', '--today', '2027-01-02');
	gen('--out', c, '--workers', '200', '--today', '2027-01-03');
	assert.deepEqual(files(a), files(b));
	assert.notDeepEqual(files(a), files(c), 'another day gives other dates');
	for (const bad of ['2027-02-29', '2027-1-2', 'tomorrow', '1999-12-31']) {
		assert.throws(() => execFileSync('node', ['scripts/gen-demo.js', '--out', c, '--today', bad], {
			cwd: ROOT, encoding: 'utf8', stdio: 'pipe',
		}), (e) => e.status === 1 && /--today .*want a date YYYY-MM-DD/.test(e.stderr), bad);
	}
	// the clock moved by whole days to the day asked for; --at: to a time of it
	const off = Number(gen('--today', '2028-02-29', '--clock-offset'));
	assert.equal(off % 86400000, 0);
	const at = Number(gen('--today', '2028-02-29', '--clock-offset', '--at', '10:00'));
	assert.equal(new Date(Date.now() + at + 8 * 3600e3).toISOString().slice(0, 13), '2028-02-29T10');
	assert.throws(() => execFileSync('node', ['scripts/gen-demo.js', '--clock-offset', '--at', '25:00'], {
		cwd: ROOT, encoding: 'utf8', stdio: 'pipe',
	}), (e) => e.status === 1 && /--at/.test(e.stderr));
	assert.equal(execFileSync('node', ['scripts/gen-demo.js', '--print-today'], {
		cwd: ROOT, encoding: 'utf8', env: { ...process.env, SKILLGW_CLOCK_OFFSET_MS: String(off) },
	}).trim(), '2028-02-29');
});

test('the demo numbers show what README.md says on any day (SKILLGW_DEMO_TODAY)', {
	timeout: 240000, concurrency: true,
}, async (t) => {
	await Promise.all(DAYS.map((day) => t.test(day, async (st) => {
		const dir = path.join(VAR, `day-${day}`);
		await demoRun(st, 'demo-days.script', dir, { SKILLGW_DEMO_TODAY: day }, () => checkDay(day, dir));
	})));
});
