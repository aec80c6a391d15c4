'use strict';
// gw.js - harness for the integration tests: runs the real skillgw (and
// skillctl) against the SMSC simulator, on 127.0.0.1 only, with a temporary
// directory, config and database per test, and kills everything it started.
//
//   const { gwTest } = require('./lib/gw');
//   gwTest('an MT goes out', async (t, h) => {
//     const sim = await h.smsc({ password: 'secret1' });
//     const gw = await h.gateway({ sim });
//     await gw.waitBound();
//     const id = gw.send('8613800138000', 'hello');
//     await sim.waitFor('message', (m) => m.text === 'hello');
//   });
//
// The bureau's API: h.gateway({ api: true }) (or { api: { ...settings } })
// enables it on a free port of 127.0.0.1 with the repository's console;
// gw.addUser(name, role, password) and gw.token(name, role) make
// credentials with skillctl; gw.api(method, path, { body, token, session,
// csrf, headers, raw }) calls it (fetch) and resolves with { status,
// headers, json, text }; gw.login(user, password) resolves with a session
// { cookie, csrf, user, role } to pass as { session }.
//
// Binaries: SKILLGW_BIN (default build-san/skillgw), SKILLCTL_BIN (default
// build-san/skillctl), relative to the repository root. KEEP_TMP=1 keeps the
// temporary directories; they are also kept when a test fails.

const { test } = require('node:test');
const { spawn, execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { createSmsc } = require('../../sim/smsc');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.resolve(ROOT, process.env.SKILLGW_BIN || 'build-san/skillgw');
const CTL = path.resolve(ROOT, process.env.SKILLCTL_BIN || 'build-san/skillctl');

// every process we start, killed on exit whatever happens
const children = new Set();
process.on('exit', () => {
	for (const p of children) {
		try { p.kill('SIGKILL'); } catch (e) { /* gone */ }
	}
});
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, () => {
		for (const p of children) {
			try { p.kill('SIGKILL'); } catch (e) { /* gone */ }
		}
		process.exit(130);
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll fn (may be async) until truthy; bounded. Returns the value. */
async function until(fn, { timeout = 10000, interval = 50, what = 'condition' } = {}) {
	const end = Date.now() + timeout;
	let last;
	for (;;) {
		try {
			last = await fn();
		} catch (e) {
			last = undefined;
			if (Date.now() > end) throw new Error(`${what}: not reached within ${timeout} ms (last error: ${e.message})`);
		}
		if (last) return last;
		if (Date.now() > end) throw new Error(`${what}: not reached within ${timeout} ms`);
		await sleep(interval);
	}
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

// ---- libconfig writer ----------------------------------------------------

function cfgValue(v, indent) {
	const pad = '\t'.repeat(indent);
	if (typeof v === 'string') return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
	if (typeof v === 'boolean') return v ? 'true' : 'false';
	if (typeof v === 'number') {
		if (Number.isInteger(v)) return String(v);
		const s = String(v);
		return /[.eE]/.test(s) ? s : `${s}.0`;
	}
	if (Array.isArray(v)) {
		if (v.length && typeof v[0] === 'object') {
			return `(\n${v.map((x) => `${pad}\t${cfgValue(x, indent + 1)}`).join(',\n')}\n${pad})`;
		}
		return `[ ${v.map((x) => cfgValue(x, indent)).join(', ')} ]`;
	}
	if (v && typeof v === 'object') {
		const lines = Object.entries(v).filter(([, x]) => x !== undefined)
			.map(([k, x]) => `${pad}\t${k} = ${cfgValue(x, indent + 1)};`);
		return `{\n${lines.join('\n')}\n${pad}}`;
	}
	throw new Error(`cannot write ${v} to a config file`);
}

function writeConfig(obj) {
	return `${Object.entries(obj).filter(([, v]) => v !== undefined)
		.map(([k, v]) => `${k} = ${cfgValue(v, 0)};`).join('\n')}\n`;
}

function merge(a, b) {
	const out = { ...a };
	for (const [k, v] of Object.entries(b || {})) {
		if (v === undefined) continue;
		out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object'
			? merge(a[k], v) : v;
	}
	return out;
}

function defaultLink(port) {
	return {
		name: 'sim', host: '127.0.0.1', port, system_id: 'skillgw', password: 'secret1', system_type: '',
		bind: 'transceiver', address_range: '', source_addr: '12333', source_ton: 0, source_npi: 1,
		dest_ton: 1, dest_npi: 1, window: 10, max_tps: 0, enquire_link: 30, inactivity: 120,
		response_timeout: 10, reconnect_min: 1, reconnect_max: 4, throttle_pause_ms: 200,
		gsm_data_coding: 0, long_messages: 'udh', submit_id_format: 'asis', dlr_id_format: 'asis',
		registered_delivery: true, default: true, prefixes: [],
	};
}

// ---- the daemon ------------------------------------------------------------

const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer/;

class Gateway {
	constructor(h, { dir, config }) {
		this.h = h;
		this.dir = dir;
		this.config = config;
		this.cfgPath = path.join(dir, 'skillgw.conf');
		this.dbPath = config.gateway.database;
		this.logPath = path.join(dir, 'skillgw.log');
		this.logText = '';
		this.proc = null;
		this.starts = 0;
		this.exits = [];
		this.mark = 0;		// log offset at the last start
		this.extraEnv = {};	// more environment for the daemon
		fs.writeFileSync(this.cfgPath, writeConfig(config));
	}

	/** Rewrite the config file (takes effect at the next start). */
	rewrite(changes) {
		this.config = merge(this.config, changes);
		fs.writeFileSync(this.cfgPath, writeConfig(this.config));
	}

	env() {
		return {
			...process.env,
			ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
			UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
			...this.extraEnv,
		};
	}

	start(args = []) {
		if (this.alive()) throw new Error('skillgw already running');
		if (!fs.existsSync(BIN)) throw new Error(`no daemon binary at ${BIN} (set SKILLGW_BIN)`);
		this.starts++;
		this.expectExit = false;
		this.mark = this.logText.length;
		this._appendLog(`\n===== test harness: start #${this.starts}: ${BIN} -c ${this.cfgPath} =====\n`);
		const p = spawn(BIN, ['-c', this.cfgPath, ...args], {
			cwd: this.dir, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.proc = p;
		children.add(p);
		p.stdout.on('data', (d) => this._appendLog(d.toString('utf8')));
		p.stderr.on('data', (d) => this._appendLog(d.toString('utf8')));
		p.exited = new Promise((resolve) => {
			p.on('close', (code, signal) => {
				children.delete(p);
				const e = { code, signal, time: Date.now() };
				this.exits.push(e);
				this._appendLog(`===== test harness: skillgw exited code=${code} signal=${signal} =====\n`);
				resolve(e);
				if (!this.expectExit) this.h.unexpectedExit(this, e);
			});
		});
		p.on('error', (e) => this._appendLog(`===== test harness: spawn error ${e.message} =====\n`));
		return this;
	}

	_appendLog(s) {
		this.logText += s;
		try { fs.appendFileSync(this.logPath, s); } catch (e) { /* dir removed */ }
	}

	get pid() { return this.proc && this.proc.pid; }

	alive() {
		return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
	}

	/** Log lines matching re (since the given offset, default the whole log). */
	lines(re, since = 0) {
		return this.logText.slice(since).split('\n').filter((l) => re.test(l));
	}

	/** Wait for a log line matching re; {since: offset} (default: the last start). */
	async waitLog(re, { timeout = 10000, since = this.mark, count = 1 } = {}) {
		const end = Date.now() + timeout;
		for (;;) {
			const l = this.lines(re, since);
			if (l.length >= count) return l[count - 1];
			if (!this.alive()) {
				throw new Error(`skillgw not running (exits ${JSON.stringify(this.exits)}) while waiting for log ${re}`);
			}
			if (Date.now() > end) throw new Error(`no log line ${re}${count > 1 ? ` x${count}` : ''} within ${timeout} ms`);
			await sleep(50);
		}
	}

	/**
	 * Wait for the n-th "link NAME: bound" since the last start. A tx+rx link
	 * logs its sessions as NAME-tx and NAME-rx: each counts.
	 */
	waitBound({ n = 1, link = 'sim', timeout = 10000, since = this.mark } = {}) {
		return this.waitLog(new RegExp(`link ${link}(-tx|-rx)?: bound`), { timeout, since, count: n });
	}

	/** Sanitizer reports in the log are failures whatever the test checks. */
	checkSanitizer() {
		const bad = this.lines(SANITIZER_RE);
		if (bad.length) throw new Error(`sanitizer report in ${this.logPath}:\n${bad.slice(0, 5).join('\n')}`);
	}

	/** SIGTERM (or the given signal) and wait; SIGKILL when it does not exit in time.
	 *  (A test that kills the daemon itself sets gw.expectExit = true first.) */
	async stop({ signal = 'SIGTERM', timeout = 10000 } = {}) {
		if (!this.alive()) return this.exits[this.exits.length - 1] || null;
		const p = this.proc;
		this.expectExit = true;
		p.kill(signal);
		const r = await Promise.race([p.exited, sleep(timeout).then(() => null)]);
		if (!r) {
			p.kill('SIGKILL');
			await p.exited;
			throw new Error(`skillgw did not exit within ${timeout} ms after ${signal}`);
		}
		return r;
	}

	/** SIGTERM, and insist on a clean exit 0 with no sanitizer report. */
	async stopClean(opts) {
		const r = await this.stop(opts);
		this.checkSanitizer();
		if (!r || r.code !== 0) throw new Error(`skillgw exit after SIGTERM: code=${r && r.code} signal=${r && r.signal}`);
		return r;
	}

	async kill9() {
		if (!this.alive()) return null;
		const p = this.proc;
		this.expectExit = true;
		p.kill('SIGKILL');
		return p.exited;
	}

	// ---- database and skillctl

	/** Run the daemon binary to completion (e.g. -t) with this config. Returns {code, stdout, stderr}. */
	run(args, { timeout = 15000 } = {}) {
		const r = spawnSync(BIN, args, { cwd: this.dir, env: this.env(), encoding: 'utf8', timeout });
		if (r.error) throw new Error(`skillgw ${args.join(' ')}: ${r.error.message}`);
		if (SANITIZER_RE.test(r.stderr)) throw new Error(`sanitizer report from skillgw ${args.join(' ')}:\n${r.stderr.slice(0, 3000)}`);
		return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
	}

	/** Write the config file as given text (for validation tests). */
	writeRaw(textBody) {
		fs.writeFileSync(this.cfgPath, textBody);
	}

	/** Rows of a query on the gateway's database (sqlite3 CLI, JSON). Synchronous on purpose. */
	db(sql) {
		if (!fs.existsSync(this.dbPath)) throw new Error(`no database at ${this.dbPath} yet`);
		const out = execFileSync('sqlite3', ['-json', '-cmd', '.timeout 5000', this.dbPath, sql], {
			encoding: 'utf8', timeout: 15000, stdio: ['ignore', 'pipe', 'pipe'],
		});
		return out.trim() ? JSON.parse(out) : [];
	}

	/** The first column of the first row, or undefined. */
	dbValue(sql) {
		const r = this.db(sql)[0];
		return r ? Object.values(r)[0] : undefined;
	}

	/** Run skillctl -c CONFIG ARGS... ({input}: its standard input). Returns {code, stdout, stderr}. Bounded. */
	ctl(args, { timeout = 30000, input } = {}) {
		if (!fs.existsSync(CTL)) throw new Error(`no skillctl binary at ${CTL} (set SKILLCTL_BIN)`);
		const r = spawnSync(CTL, ['-c', this.cfgPath, ...args], {
			cwd: this.dir, env: this.env(), encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024,
			input: input === undefined ? '' : input,
		});
		if (r.error) throw new Error(`skillctl ${args.join(' ')}: ${r.error.message}`);
		const res = { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
		if (SANITIZER_RE.test(r.stderr)) throw new Error(`sanitizer report from skillctl ${args[0]}:\n${r.stderr.slice(0, 3000)}`);
		return res;
	}

	/** skillctl send --to N --text T; returns the MT id it printed. */
	send(to, textBody) {
		const r = this.ctl(['send', '--to', to, '--text', textBody]);
		if (r.code !== 0) throw new Error(`skillctl send failed (${r.code}): ${r.stderr}${r.stdout}`);
		const m = r.stdout.match(/\d+/);
		if (!m) throw new Error(`skillctl send printed no id: ${JSON.stringify(r.stdout)}`);
		return Number(m[0]);
	}

	/** skillctl send --file with one number per line, same text. */
	sendFile(numbers, textBody) {
		const f = path.join(this.dir, `numbers-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
		fs.writeFileSync(f, `${numbers.join('\n')}\n`);
		const r = this.ctl(['send', '--file', f, '--text', textBody], { timeout: 60000 });
		if (r.code !== 0) throw new Error(`skillctl send --file failed (${r.code}): ${r.stderr}${r.stdout}`);
		return r;
	}

	mt(id) { return this.db(`SELECT * FROM mt WHERE id = ${Number(id)}`)[0]; }

	// ---- the API

	/** http://127.0.0.1:PORT (the api group of the config). */
	get apiUrl() {
		if (!this.config.api || !this.config.api.enabled) throw new Error('the API is not enabled (h.gateway({ api: true }))');
		return `http://127.0.0.1:${this.config.api.port}`;
	}

	/** skillctl user add NAME --role ROLE --password-stdin. */
	addUser(name, role, password = 'Test-Password-1') {
		const r = this.ctl(['user', 'add', name, '--role', role, '--password-stdin'], { input: `${password}\n` });
		if (r.code !== 0) throw new Error(`skillctl user add ${name}: ${r.stderr}${r.stdout}`);
		return password;
	}

	/** skillctl token create: the token (shown once). */
	token(name, role) {
		const r = this.ctl(['token', 'create', '--name', name, '--role', role]);
		if (r.code !== 0) throw new Error(`skillctl token create ${name}: ${r.stderr}${r.stdout}`);
		return r.stdout.trim();
	}

	/**
	 * One call of the API. opts: body (object: JSON; string or Buffer as
	 * is), token (Bearer), session ({cookie, csrf}: the cookie, and the
	 * CSRF header unless csrf: false), headers, query (object).
	 */
	async api(method, p, opts = {}) {
		const headers = { ...(opts.headers || {}) };
		let body = opts.body;
		if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
			body = JSON.stringify(body);
			if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
		}
		if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
		if (opts.session) {
			headers.Cookie = opts.session.cookie;
			if (opts.csrf !== false && method !== 'GET') headers['X-CSRF-Token'] = opts.session.csrf;
		}
		let url = `${this.apiUrl}${p}`;
		if (opts.query) url += `?${new URLSearchParams(opts.query)}`;
		const res = await fetch(url, { method, headers, body, redirect: 'manual' });
		const buf = Buffer.from(await res.arrayBuffer());
		const text = buf.toString('utf8');
		let json;
		try { json = JSON.parse(text); } catch (e) { json = undefined; }
		return { status: res.status, headers: res.headers, json, text, buf };
	}

	/** POST /api/v1/session: {cookie, csrf, user, role}. */
	async login(user, password) {
		const r = await this.api('POST', '/api/v1/session', { body: { username: user, password } });
		if (r.status !== 200) throw new Error(`login ${user}: ${r.status} ${r.text}`);
		const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
		return { cookie, csrf: r.json.csrf, user: r.json.user, role: r.json.role, setCookie: r.headers.get('set-cookie') };
	}

	/** Wait until the API answers. */
	async waitApi({ timeout = 10000 } = {}) {
		return until(async () => (await this.api('GET', '/api/v1/openapi.json')).status === 200,
			{ timeout, what: 'the API answers' });
	}

	async waitMtState(id, states, { timeout = 10000 } = {}) {
		const want = [].concat(states);
		return until(() => {
			const r = this.mt(id);
			return r && want.includes(r.state) ? r : null;
		}, { timeout, what: `mt ${id} in state ${want.join('/')} (now ${JSON.stringify(this.mt(id))})` });
	}
}

// ---- per-test context -------------------------------------------------------

class Harness {
	constructor(t) {
		this.t = t;
		this.sims = [];
		this.gws = [];
		this.dirs = [];
		this.failed = false;
		// rejects when a gateway exits without the test asking for it
		this.died = new Promise((_, reject) => { this._die = reject; });
		this.died.catch(() => {});
	}

	unexpectedExit(gw, e) {
		const why = gw.lines(SANITIZER_RE).slice(0, 3).join(' | ');
		this._die(new Error(`skillgw exited unexpectedly (code=${e.code} signal=${e.signal})${why ? `: ${why}` : ''}`));
	}

	tmpdir() {
		const d = fs.mkdtempSync(path.join(os.tmpdir(), 'skillgw-it-'));
		this.dirs.push(d);
		return d;
	}

	async smsc(opts = {}) {
		const sim = await createSmsc({ port: 0, systemId: 'skillgw', password: 'secret1', ...opts });
		this.sims.push(sim);
		return sim;
	}

	/**
	 * A gateway with its own directory and config. {sim | port}: the SMSC;
	 * link: overrides for the default link; links: a full list instead;
	 * gateway/queue/text: overrides; env: more environment for the
	 * daemon; start (default true).
	 */
	async gateway(o = {}) {
		const dir = this.tmpdir();
		const port = o.port || (o.sim && o.sim.port);
		const vtyPort = await freePort();
		const base = {
			gateway: {
				database: path.join(dir, 'skillgw.db'), log_level: 'info', country_code: '86',
				glossary: path.join(ROOT, 'conf', 'glossary.conf'),
				shutdown_timeout: 5, vty: { address: '127.0.0.1', port: vtyPort },
			},
			queue: { max_attempts: 8, retry_min: 1, retry_max: 5, validity: 86400, batch: 512, poll_ms: 200, max_parts: 8 },
			// the texts notifications need (commands stay off unless a test turns them on)
			commands: { messages: path.join(ROOT, 'conf', 'messages.conf') },
			text: { concat_timeout: 5 },
			links: o.links || [merge(defaultLink(port), o.link)],
		};
		const config = merge(base, { gateway: o.gateway, queue: o.queue, text: o.text });
		if (o.extra) Object.assign(config, o.extra);
		if (o.api) {
			const consoleDir = path.join(ROOT, 'gateway', 'api', 'console');
			config.api = {
				enabled: true, address: '127.0.0.1', port: await freePort(),
				console_dir: fs.existsSync(consoleDir) ? consoleDir : '',
				...(typeof o.api === 'object' ? o.api : {}),
			};
		}
		const gw = new Gateway(this, { dir, config });
		if (o.env) gw.extraEnv = o.env;
		this.gws.push(gw);
		if (o.start !== false) gw.start();
		return gw;
	}

	async cleanup() {
		for (const gw of this.gws) {
			if (gw.alive()) await gw.kill9();
		}
		for (const sim of this.sims) await sim.close();
		if (!this.failed && !process.env.KEEP_TMP) {
			for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
		}
	}

	report(err) {
		const t = this.t;
		t.diagnostic(`FAILED: ${err && err.message ? err.message.split('\n')[0] : err}`);
		for (const gw of this.gws) {
			t.diagnostic(`gateway dir kept: ${gw.dir} (alive=${gw.alive()}, exits=${JSON.stringify(gw.exits)})`);
			const tail = gw.logText.split('\n').slice(-40);
			for (const l of tail) t.diagnostic(`  log| ${l}`);
		}
		for (const [i, sim] of this.sims.entries()) {
			t.diagnostic(`sim#${i}: binds=${sim.binds.length} submits=${sim.submits.length} messages=${sim.messages.length} ` +
				`counters=${JSON.stringify(sim.counters)}`);
			for (const v of sim.violations.slice(0, 10)) t.diagnostic(`  sim violation: ${v}`);
		}
	}
}

/**
 * node:test test with a harness: bounded (own deadline, so the log tail is
 * printed on a timeout too), cleans up every process and directory.
 */
function gwTest(name, opts, fn) {
	if (typeof opts === 'function') { fn = opts; opts = {}; }
	const timeout = opts.timeout || 30000;
	return test(name, { ...opts, timeout: timeout + 15000 }, async (t) => {
		const h = new Harness(t);
		let timer;
		try {
			await Promise.race([
				fn(t, h),
				h.died,
				new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`test deadline of ${timeout} ms passed`)), timeout); }),
			]);
			for (const gw of h.gws) gw.checkSanitizer();
		} catch (e) {
			h.failed = true;
			h.report(e);
			throw e;
		} finally {
			clearTimeout(timer);
			await h.cleanup();
		}
	});
}

/** n distinct mobile numbers, international without '+'. */
function numbers(n, base = 8613900000000) {
	return Array.from({ length: n }, (_, i) => String(base + i));
}

/** The binaries exist (tests skip with a clear message otherwise). */
/** VTY commands, each sent after the prompt (or a password prompt); resolves with the output.
 * (An "exit" right behind a command would close the session before its
 * output is flushed.) */
function vty(port, commands, { timeout = 5000 } = {}) {
	return new Promise((resolve, reject) => {
		const sock = net.connect(port, '127.0.0.1');
		const todo = [...commands];
		let out = '';
		let prompts = 0;
		const timer = setTimeout(() => { sock.destroy(); reject(new Error(`VTY: no answer in ${timeout} ms`)); }, timeout);
		sock.setEncoding('latin1');
		sock.on('data', (d) => {
			out += d;
			const n = (out.match(/skillgw[>#] |Password: /g) || []).length;
			if (n === prompts) return;
			prompts = n;
			if (todo.length) {
				// LF alone: libosmocore ends a line at CR and again at LF,
				// and at a password prompt the empty second line is a try
				sock.write(`${todo.shift()}\n`);
			} else {
				clearTimeout(timer);
				sock.destroy();
				resolve(Buffer.from(out, 'latin1').toString('utf8'));
			}
		});
		sock.on('error', (e) => { clearTimeout(timer); reject(e); });
	});
}

function haveBinaries() {
	return fs.existsSync(BIN) && fs.existsSync(CTL);
}

module.exports = {
	gwTest, until, sleep, freePort, numbers, writeConfig, haveBinaries, defaultLink, Gateway, Harness,
	BIN, CTL, ROOT, vty,
};
