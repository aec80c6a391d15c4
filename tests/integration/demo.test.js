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
	['demo-ussd.script', 'USSD: main menu, wrong choice, subsidy check, enrolment'],		// issue 4
];

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

/** sh scripts/demo.sh BUILD --script FILE in its own process group; bounded. */
function runDemo(script, timeoutMs) {
	return new Promise((resolve) => {
		const p = spawn('sh', ['scripts/demo.sh', BUILD, '--script', script, '--bind-timeout', '30'], {
			cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
			env: {
				...process.env, SKILLGW_DEMO_VAR: VAR, SKILLGW_DEMO_SMSC_PORT: '0', SKILLGW_DEMO_VTY_PORT: '0', NO_COLOR: '1',
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

function db(sql) {
	const out = execFileSync('sqlite3', ['-json', '-cmd', '.timeout 5000', path.join(VAR, 'skillgw.db'), sql], {
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
};

for (const [file, what] of SCRIPTS) {
	test(`make run's demo, scripted (${file}): ${what}`, { timeout: 240000 }, async (t) => {
		let r;
		try {
			r = await runDemo(path.join(__dirname, file), 200000);
			const log = fs.existsSync(path.join(VAR, 'skillgw.log')) ? fs.readFileSync(path.join(VAR, 'skillgw.log'), 'utf8') : '';
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

			if (CHECKS[file]) CHECKS[file]();
		} catch (e) {
			failed = true;
			if (r) for (const l of r.out.split('\n').slice(-80)) t.diagnostic(`demo| ${l}`);
			const logf = path.join(VAR, 'skillgw.log');
			if (fs.existsSync(logf)) {
				for (const l of fs.readFileSync(logf, 'utf8').split('\n').slice(-30)) t.diagnostic(`log| ${l}`);
			}
			t.diagnostic(`demo directory kept: ${VAR}`);
			throw e;
		} finally {
			groups.delete(r ? r.pid : -1);
		}
	});
}
