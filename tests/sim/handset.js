#!/usr/bin/env node
'use strict';
// handset.js - a mobile handset in the terminal, for trying skillgw.
//
// It is the carrier's side: an SMSC simulator (smsc.js) that the gateway
// binds to, with a person typing at one of its phones. Dial *12333# and
// answer the menus with digits (USSD over SMPP: deliver_sm with
// ussd_service_op 1 to start and 18 for each answer; the gateway's submit_sm
// with op 2 shows a screen and waits, op 17 shows the last one); send SMS
// with "sms TEXT" and see the reply with all parts joined; switch phones with
// "as NUMBER". Messages the gateway sends that answer nothing (notices) are
// shown as they arrive, with the delivery report the handset sends back.
//
//   node tests/sim/handset.js [--port 2775] [--numbers demo-numbers.txt]
//   node tests/sim/handset.js --script FILE     (non-interactive, exit 1 on
//                                               a failed expectation)
//
// With stdin not a terminal, the lines read from stdin run as a script.
// "node tests/sim/handset.js --help" lists every option and command.
//
// How a reply is told from a notice: the first SMS (not USSD) to a number
// after an "sms" from it, within the step timeout, is its reply; every other
// SMS to it is a notice. SMPP carries no link between the two, so a notice
// that arrives in the same moment as an awaited reply can be taken for it.

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { spawn } = require('child_process');
const { createSmsc } = require('./smsc');
const T = require('./text');
const P = require('./pdu');

// ---- USSD over SMPP (ussd_service_op values, SMPP 3.4 section 5.3.2.44)

const OP = { PSSR_IND: 1, USSR_REQ: 2, USSN_REQ: 3, PSSR_RESP: 17, USSR_CONF: 18 };
const OP_NAMES = {
	0: 'PSSD indication', 1: 'PSSR indication', 2: 'USSR request', 3: 'USSN request',
	16: 'PSSD response', 17: 'PSSR response', 18: 'USSR confirm', 19: 'USSN confirm',
};
const opName = (op) => `${OP_NAMES[op] || 'vendor op'} (op ${op})`;

// Used when no demo-numbers.txt is given: the numbers of the demo data set.
const BUILTIN_NUMBERS = [
	['13800138000', 'paid subsidy and one enrolment'],
	['13800138001', 'rejected subsidy (with the reason)'],
	['13800138002', 'on the roster but not registered: asked to register'],
	['13800138003', 'subsidy approved, not yet paid'],
	['13800138004', 'three subsidies this year (the yearly cap)'],
	['13900139000', 'not on the roster: help, courses and register only'],
];

// ---- options ----------------------------------------------------------------

const USAGE = `usage: handset.js [options]

An SMSC simulator with a handset in the terminal: skillgw binds to it, you
dial USSD codes and send SMS from demo numbers.

  --host H             listen address (default 127.0.0.1)
  --port N             listen port (default 2775; 0 = any free port)
  --system-id ID       accept only this system_id (default: any)
  --password P         accept only this password (default: any)
  --number N           the current number at start (default: the first demo number)
  --numbers FILE       demo numbers, one a line: NUMBER description
                       (default: the demo data set's numbers)
  --short-code C       where SMS go (default 12333)
  --ussd-code C        the service code shown in the help (default *12333#)
  --ussd-dest A        destination_addr of USSD (default: the dialled code's digits)
  --country CC         country code added to 11-digit numbers (default 86)
  --timeout S          seconds to wait for a reply or a screen (default 10)
  --bind-timeout S     script mode: seconds to wait for the gateway to bind (default 30)
  --dlr STATE|off      delivery reports sent for the gateway's MTs (default DELIVRD)
  --abort-op N         ussd_service_op of a user abort (default 18 with the end bit set)
  --width N            screen width in columns (default 24, a Chinese character is 2)
  --ussd-limit-gsm N   characters a USSD screen may have in GSM 7-bit (default 182)
  --ussd-limit-ucs2 N  ... and in UCS-2 (default 80)
  --skillctl BIN       skillctl binary for the "ctl" command
  --config FILE        the gateway's configuration, for "ctl"
  --watch-pid PID      report when this process (the gateway) exits
  --gateway-log FILE   its log, quoted when it exits
  --script FILE        run the commands of FILE, then exit (0: every expectation met)
  --ascii              draw boxes with ASCII characters
  --verbose            log every bind, PDU problem and MO of the simulator
  -h, --help           this text
`;

function parseArgs(argv) {
	const o = {
		host: '127.0.0.1', port: 2775, systemId: undefined, password: undefined,
		number: null, numbers: null, shortCode: '12333', ussdCode: '*12333#', ussdDest: null,
		country: '86', timeout: 10, bindTimeout: 30, dlr: 'DELIVRD', abortOp: null, width: 24,
		limitGsm: 182, limitUcs2: 80, skillctl: null, config: null, watchPid: 0, gatewayLog: null,
		script: null, ascii: false, verbose: false,
	};
	const num = (v, name, min, max) => {
		const n = Number(v);
		if (!Number.isFinite(n) || n < min || n > max) die(`${name}: ${v} is not a number from ${min} to ${max}`, 2);
		return n;
	};
	for (let i = 0; i < argv.length; i++) {
		let a = argv[i];
		let v = null;
		const eq = a.indexOf('=');
		if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
		const val = () => {
			if (v !== null) return v;
			if (i + 1 >= argv.length) die(`${a} needs a value (see --help)`, 2);
			return argv[++i];
		};
		switch (a) {
		case '--host': o.host = val(); break;
		case '--port': o.port = num(val(), a, 0, 65535); break;
		case '--system-id': o.systemId = val(); break;
		case '--password': o.password = val(); break;
		case '--number': o.number = val(); break;
		case '--numbers': o.numbers = val(); break;
		case '--short-code': o.shortCode = val(); break;
		case '--ussd-code': o.ussdCode = val(); break;
		case '--ussd-dest': o.ussdDest = val(); break;
		case '--country': o.country = val(); break;
		case '--timeout': o.timeout = num(val(), a, 0.1, 3600); break;
		case '--bind-timeout': o.bindTimeout = num(val(), a, 0.1, 3600); break;
		case '--dlr': o.dlr = val(); break;
		case '--abort-op': o.abortOp = num(val(), a, 0, 255); break;
		case '--width': o.width = num(val(), a, 8, 200); break;
		case '--ussd-limit-gsm': o.limitGsm = num(val(), a, 1, 10000); break;
		case '--ussd-limit-ucs2': o.limitUcs2 = num(val(), a, 1, 10000); break;
		case '--skillctl': o.skillctl = val(); break;
		case '--config': o.config = val(); break;
		case '--watch-pid': o.watchPid = num(val(), a, 1, 2 ** 31); break;
		case '--gateway-log': o.gatewayLog = val(); break;
		case '--script': o.script = val(); break;
		case '--ascii': o.ascii = true; break;
		case '--verbose': o.verbose = true; break;
		case '-h': case '--help':
			// the commands: the same text as the "help" command's
			process.stdout.write(`${USAGE}\n${commandHelp()}`);
			process.exit(0);
			break;
		default: die(`unknown option ${a} (see --help)`, 2);
		}
	}
	o.dlr = parseDlr(o.dlr);
	if (o.dlr === undefined) die('--dlr: a receipt state (DELIVRD, UNDELIV, EXPIRED, REJECTD, ...) or off', 2);
	return o;
}

function die(msg, code = 1) {
	process.stderr.write(`handset: ${msg}\n`);
	process.exit(code);
}

function parseDlr(s) {
	const u = String(s).toUpperCase();
	if (u === 'OFF' || u === 'NONE' || u === 'NO') return null;
	const states = ['DELIVRD', 'UNDELIV', 'EXPIRED', 'DELETED', 'REJECTD', 'ACCEPTD', 'UNKNOWN', 'ENROUTE'];
	return states.includes(u) ? u : undefined;
}

// ---- numbers ------------------------------------------------------------------

/** Digits of a number typed any usual way: +86 138-0013-8000, 8613800138000. */
function digitsOf(s) { return String(s).replace(/[\s\-()+]/g, ''); }

/** The number as people write it in China (11 digits for a mobile). */
function national(s, cc) {
	const d = digitsOf(s);
	if (d.startsWith(cc) && d.length === cc.length + 11) return d.slice(cc.length);
	if (d.startsWith(`00${cc}`) && d.length === cc.length + 13) return d.slice(cc.length + 2);
	return d;
}

/** The number as the carrier's SMSC sends it: international, no "+". */
function international(s, cc) {
	const d = national(s, cc);
	return /^1\d{10}$/.test(d) ? cc + d : d;
}

/**
 * Demo numbers from a file: one a line, "NUMBER description" (separated by
 * white space, a comma or a colon; the number without spaces); lines
 * without a number (titles, a CSV header, # comments) are skipped.
 */
function readNumbers(file) {
	const out = [];
	for (const raw of fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)) {
		const line = raw.trim();
		if (!line || line.startsWith('#')) continue;
		const m = line.match(/^"?(\+?\d[\d-]{4,18}\d)"?(?:\s*[,;:|=]\s*|\s+|$)(.*)$/);
		if (!m) continue;
		const n = digitsOf(m[1]);
		if (!/^\d{6,15}$/.test(n)) continue;
		out.push([n, m[2].replace(/^"|"$/g, '').trim()]);
	}
	return out;
}

// ---- drawing ----------------------------------------------------------------

const WIDE = [
	[0x1100, 0x115F], [0x2E80, 0x303E], [0x3041, 0x33FF], [0x3400, 0x4DBF], [0x4E00, 0x9FFF],
	[0xA000, 0xA4CF], [0xAC00, 0xD7A3], [0xF900, 0xFAFF], [0xFE30, 0xFE4F], [0xFF00, 0xFF60],
	[0xFFE0, 0xFFE6], [0x1F300, 0x1F64F], [0x1F900, 0x1F9FF], [0x20000, 0x3FFFD],
];

/** Terminal columns of one character (East Asian wide = 2). */
function charWidth(ch) {
	const cp = ch.codePointAt(0);
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
	if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0xFE00 && cp <= 0xFE0F)) return 0;
	for (const [a, b] of WIDE) if (cp >= a && cp <= b) return 2;
	return 1;
}

function strWidth(s) {
	let w = 0;
	for (const ch of s) w += charWidth(ch);
	return w;
}

/** Lines of text as a phone of `width` columns shows them. */
function wrap(textBody, width) {
	const out = [];
	for (const line of textBody.replace(/\r\n?/g, '\n').split('\n')) {
		let cur = '';
		let w = 0;
		for (const ch of line) {
			const cw = charWidth(ch);
			if (w + cw > width && cur) {
				out.push(cur);
				cur = '';
				w = 0;
			}
			cur += ch;
			w += cw;
		}
		out.push(cur);
	}
	return out;
}

function makeStyle(tty, ascii) {
	const colour = tty && !process.env.NO_COLOR;
	const sgr = (code) => (s) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
	return {
		dim: sgr('2'), bold: sgr('1'), red: sgr('31'), green: sgr('32'), yellow: sgr('33'), cyan: sgr('36'),
		box: ascii
			? { tl: '+', tr: '+', bl: '+', br: '+', h: '-', v: '|', bar: '|', top: '+', end: '+' }
			: { tl: '┌', tr: '┐', bl: '└', br: '┘', h: '─', v: '│', bar: '│', top: '╭', end: '╰' },
	};
}

/** A phone screen: the text in a box `width` columns wide. */
function screenBox(textBody, width, st) {
	const b = st.box;
	const lines = wrap(textBody, width);
	const inner = Math.max(width, ...lines.map(strWidth));
	const out = [`  ${b.tl}${b.h.repeat(inner + 2)}${b.tr}`];
	for (const l of lines) out.push(`  ${b.v} ${l}${' '.repeat(inner - strWidth(l))} ${b.v}`);
	out.push(`  ${b.bl}${b.h.repeat(inner + 2)}${b.br}`);
	return out;
}

/** How the phone counts the characters of a received text. */
function charCount(textBody, dcs) {
	const ucs2 = dcs === 8 || (dcs !== 0 && dcs !== 1 && !T.gsmCanEncode(textBody));
	return ucs2
		? { n: textBody.length, coding: 'UCS-2' }		// UTF-16 code units
		: { n: T.gsmSeptetCount(textBody), coding: 'GSM 7-bit' };
}

function ts() {
	const d = new Date();
	return [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Split a command line into words; "double" and 'single' quotes group;
 *  $NAME and ${NAME} outside single quotes are environment variables. */
function shellWords(s) {
	const words = [];
	let cur = null;
	let q = null;
	// $NAME and ${NAME}, outside single quotes: the environment's value, as sh
	const env = (i) => {
		const m = s.slice(i).match(/^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/);
		return m ? { value: process.env[m[1] || m[2]] || '', len: m[0].length } : null;
	};
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		const v = c === '$' && q !== "'" ? env(i) : null;
		if (v) {
			if (cur === null) cur = '';
			cur += v.value;
			i += v.len - 1;
		} else if (q) {
			if (c === q) q = null;
			else if (c === '\\' && q === '"' && i + 1 < s.length) cur += s[++i];
			else cur += c;
		} else if (c === '"' || c === "'") {
			q = c;
			if (cur === null) cur = '';
		} else if (/\s/.test(c)) {
			if (cur !== null) words.push(cur);
			cur = null;
		} else {
			if (cur === null) cur = '';
			cur += c === '\\' && i + 1 < s.length ? s[++i] : c;
		}
	}
	if (q) throw new Error(`unclosed ${q}`);
	if (cur !== null) words.push(cur);
	return words;
}

/** `expect` argument: /regex/flags, or a substring. groups(s): what the
 * regex's parentheses matched in s ([] for a substring). */
function matcher(arg) {
	const m = arg.match(/^\/(.*)\/([a-z]*)$/s);
	if (m) {
		const re = new RegExp(m[1], m[2]);
		return { test: (s) => re.test(s), what: `/${m[1]}/${m[2]}`, groups: (s) => (s.match(re) || []).slice(1) };
	}
	return { test: (s) => s.includes(arg), what: JSON.stringify(arg), groups: () => [] };
}

class StepError extends Error {}

// ---- the handset --------------------------------------------------------------

function commandHelp(h) {
	const code = h ? h.o.ussdCode : '*12333#';
	const sc = h ? h.o.shortCode : '12333';
	return `Commands
  ${code.padEnd(16)} dial the USSD code; answer each menu with its digits
  DIGITS or TEXT   the answer to the open USSD menu (ussd TEXT sends any text)
  cancel           end the USSD session (as the phone's red key does)
  sms TEXT         send an SMS to ${sc} and show the reply: sms BT, sms 报名 2031, sms BZ
  as NUMBER        use another phone: as 13800138001
  numbers          the demo data's notes: IDs to register with, course codes
  ctl ARGS         run skillctl with the gateway's config ($NAME: an
                   environment variable, as in sh), e.g.
                   ctl send --to 13800138000 --text "【揭阳人社】电工班3月开课"
  dlr STATE|off    delivery reports for the gateway's messages (DELIVRD, UNDELIV, EXPIRED)
  status           the gateway's link and the counters
  wait SECONDS     pause (notices keep arriving)
  help             this text
  quit             stop (also Ctrl-D)
In a script (--script FILE) also:
  expect TEXT      the last screen or reply contains TEXT; expect /REGEX/ matches
  expect-not TEXT  ... does not
  expect-end       the last USSD screen ended the session
  expect-open      the last USSD screen waits for an answer
  expect-notice T  a notice containing T arrives (or has arrived) within the timeout
                   (with /REGEX/, what its parentheses matched is $1 .. $9 in the
                   lines after it, until another one captures: expect-notice
                   /QD(\d{6})/, then sms QD $1)
  timeout SECONDS  how long each step waits
Lines starting with # are comments.
`;
}

class Handset {
	constructor(o, out, st) {
		this.o = o;
		this.out = out;
		this.st = st;
		this.numbers = BUILTIN_NUMBERS;
		this.numbersFrom = null;
		this.current = null;
		this.replyWait = new Map();	// number -> [{resolve, t0}]
		this.ussdWait = new Map();	// number -> {resolve, t0}
		this.sessions = new Map();	// number -> {sessNo, seq, umr, waiting}
		this.nextSess = Math.floor(Math.random() * 200);
		this.notices = [];		// {n, number, text, msg, consumed, reports}
		this.noticeOf = new WeakMap();	// submit rec -> notice
		this.dlrPending = new Set();	// submit recs whose receipt is not acknowledged yet
		this.last = null;		// {kind: 'ussd'|'sms', text, op, ended}
		this.bound = false;
		this.sim = null;
		this.gatewayGone = false;
	}

	async start() {
		const o = this.o;
		if (o.numbers) {
			try {
				const list = readNumbers(o.numbers).map(([n, d]) => [national(n, o.country), d]);
				if (list.length) {
					this.numbers = list;
					this.numbersFrom = o.numbers;
				}
			} catch (e) {
				this.out(this.st.yellow(`(cannot read ${o.numbers}: ${e.message}; using the built-in demo numbers)`));
			}
		}
		this.current = national(o.number || this.numbers[0][0], o.country);
		this.sim = await createSmsc({
			host: o.host, port: o.port, systemId: o.systemId, password: o.password,
			log: o.verbose ? (s) => this.out(this.st.dim(`[smsc] ${s}`)) : () => {},
			behaviour: { dlr: this.dlrBehaviour(), idFormat: 'hex' },
		});
		const ev = this.sim.events;
		ev.on('bind', (a) => this.onBind(a));
		ev.on('close', (c) => this.onClose(c));
		ev.on('submit', (rec) => this.onSubmit(rec));
		ev.on('message', (m) => this.onMessage(m));
		ev.on('dlr', (d) => this.onDlr(d));
		ev.on('violation', (v) => this.out(this.st.red(`! the gateway broke the protocol: ${v}`)));
		if (o.watchPid) this.watch(o.watchPid);
		return this;
	}

	dlrBehaviour() {
		return this.o.dlr ? { form: 'tlv', stat: this.o.dlr, delayMs: 300 } : false;
	}

	describe(number) {
		const e = this.numbers.find(([n]) => national(n, this.o.country) === number);
		return e ? e[1] : '';
	}

	// ---- the link

	linkUp() { return this.sim.txConns().length > 0 && this.sim.rxConns().length > 0; }

	onBind(a) {
		if (a.status) {
			this.out(this.st.red(`gateway ${a.system_id}: bind_${a.mode} refused (${P.statusName(a.status)})`));
			return;
		}
		this.out(this.st.green(`gateway "${a.system_id}" bound as ${a.mode}`) +
			this.st.dim(` (link from ${this.connAddr(a.conn)})`));
		if (this.linkUp()) this.bound = true;
	}

	connAddr(id) {
		const c = [...this.sim.conns].find((x) => x.id === id);
		return c ? `${c.socket.remoteAddress}:${c.socket.remotePort}` : '?';
	}

	onClose(conn) {
		if (!conn.bound && !conn.systemId) return;
		this.out(this.st.yellow(`gateway link closed (${conn.bound || 'unbound'}); it should reconnect`));
		this.bound = this.linkUp();
	}

	watch(pid) {
		const gone = () => {
			try {
				process.kill(pid, 0);
			} catch (e) {
				return e.code !== 'EPERM';
			}
			// a zombie (exited, its parent not yet told) is gone too
			try {
				return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
			} catch (e) {
				return false;
			}
		};
		const t = setInterval(() => {
			if (gone()) {
				clearInterval(t);
				this.gatewayGone = true;
				this.out(this.st.red(`skillgw (pid ${pid}) has stopped.`));
				this.quoteLog();
			}
		}, 500);
		t.unref();
	}

	quoteLog() {
		const f = this.o.gatewayLog;
		if (!f) return;
		let tail = [];
		try { tail = fs.readFileSync(f, 'utf8').trimEnd().split('\n').slice(-12); } catch (e) { /* none */ }
		this.out(this.st.dim(`last lines of ${f}:`));
		for (const l of tail) this.out(this.st.dim(`  ${l}`));
	}

	async waitBound(ms) {
		const end = Date.now() + ms;
		while (!this.linkUp()) {
			if (this.gatewayGone) throw new StepError('the gateway stopped before it bound');
			if (Date.now() > end) throw new StepError(`no gateway bound within ${ms / 1000} s`);
			await sleep(50);
		}
		this.bound = true;
	}

	// ---- what the gateway sends

	willReceipt(rec) {
		const d = this.sim.behaviour.dlr;
		if (!d || !rec.accepted) return false;
		const rd = rec.registered_delivery & 0x03;
		if (!rd) return false;
		return !(rd === 2 && (d.stat || 'DELIVRD') === 'DELIVRD');
	}

	onSubmit(rec) {
		if (this.willReceipt(rec)) this.dlrPending.add(rec);
	}

	onMessage(msg) {
		const rec = msg.recs[0];
		const number = national(msg.to, this.o.country);
		const opTlv = rec.tlvs[P.TLV.ussd_service_op];
		if (opTlv) return this.onUssd(number, msg, opTlv, rec.tlvs[P.TLV.its_session_info]);
		const q = this.replyWait.get(number);
		if (q && q.length) {
			const w = q.shift();
			const ms = Date.now() - w.t0;
			this.showSms(number, msg, `reply to ${number} after ${(ms / 1000).toFixed(2)} s`);
			this.last = { kind: 'sms', text: msg.text, number };
			w.resolve(msg);
			return;
		}
		this.onNotice(number, msg);
	}

	onNotice(number, msg) {
		const n = {
			n: this.notices.length + 1, number, text: msg.text, msg, consumed: false, reports: new Map(),
			wanted: msg.recs.filter((r) => this.willReceipt(r)).length,
		};
		this.notices.push(n);
		for (const r of msg.recs) this.noticeOf.set(r, n);
		const other = number === this.current ? '' : ' (not the current phone)';
		this.showSms(number, msg, `notice #${n.n} to ${number}${other}, not a reply`);
		if (!n.wanted) {
			const asked = msg.recs.some((r) => r.registered_delivery & 0x03);
			this.out(this.st.dim(`  ${asked ? 'no delivery report (switched off: dlr)' : 'the gateway asked for no delivery report'}`));
		}
		this.noticeWaiters();
	}

	onDlr({ rec, status }) {
		if (status === 0) this.dlrPending.delete(rec);
		const n = this.noticeOf.get(rec);
		if (!n) return;
		const stat = (this.sim.behaviour.dlr && this.sim.behaviour.dlr.stat) || 'DELIVRD';
		if (status !== 0) {
			const why = typeof status === 'number' ? P.statusName(status) : status;
			this.out(this.st.yellow(`  notice #${n.n}: delivery report ${stat} not taken by the gateway (${why}); the simulator retries`));
			return;
		}
		n.reports.set(rec, stat);
		if (n.reports.size === n.wanted) {
			const parts = n.wanted > 1 ? ` for all ${n.wanted} parts` : '';
			this.out(`  ${this.st.dim(`${ts()}`)} notice #${n.n}: delivery report ${this.st.bold(stat)}${parts} sent, the gateway took it`);
		}
	}

	showSms(number, msg, what) {
		const st = this.st;
		const c = charCount(msg.text, msg.data_coding);
		const parts = `${msg.parts} part${msg.parts > 1 ? 's' : ''}`;
		this.out(`  ${st.box.top} ${st.dim(ts())} ${st.bold(`SMS from ${msg.from}`)}: ${what} ${st.dim(`· ${parts} · ${c.n} characters ${c.coding}`)}`);
		for (const l of wrap(msg.text, Math.max(this.o.width * 2, 36))) this.out(`  ${st.box.bar} ${l}`);
		this.out(`  ${st.box.end}`);
	}

	onUssd(number, msg, opTlv, its) {
		const st = this.st;
		const op = opTlv.length === 1 ? opTlv[0] : opTlv.readUIntBE(0, Math.min(opTlv.length, 6));
		if (opTlv.length !== 1) this.out(st.red(`! ussd_service_op is ${opTlv.length} octets (SMPP 3.4: 1)`));
		const s = this.sessions.get(number);
		const itsInfo = its && its.length === 2 ? { sessNo: its[0], seq: its[1] >> 1, end: its[1] & 1 } : null;
		const ended = op === OP.PSSR_RESP || op === 16 || (itsInfo && itsInfo.end === 1 && op !== OP.USSR_REQ);
		const c = charCount(msg.text, msg.data_coding);
		const limit = c.coding === 'UCS-2' ? this.o.limitUcs2 : this.o.limitGsm;
		const over = c.n > limit ? st.red(` OVER THE LIMIT OF ${limit}`) : '';
		const whose = number === this.current ? '' : ` for ${number} (not the current phone)`;
		this.out(st.dim(`  ${ts()} USSD${whose}: ${opName(op)}${s ? '' : ', no session open'}`));
		for (const l of screenBox(msg.text, this.o.width, st)) this.out(l);
		let echo = '';
		if (itsInfo) {
			echo = ` · its_session_info 0x${its.toString('hex')} (session ${itsInfo.sessNo}, seq ${itsInfo.seq}${itsInfo.end ? ', end' : ''})`;
		} else if (its) {
			echo = st.red(` · its_session_info of ${its.length} octets (SMPP 3.4: 2)`);
		}
		this.out(`  ${c.n}/${limit} characters ${c.coding}${over}${st.dim(echo)}`);
		if (s && !its) this.out(st.yellow('  ! its_session_info was not echoed'));
		else if (s && itsInfo && itsInfo.sessNo !== s.sessNo) {
			this.out(st.yellow(`  ! its_session_info session ${itsInfo.sessNo}, the handset's is ${s.sessNo}`));
		}
		if (ended) {
			this.out(st.bold('  (session ended)'));
			this.sessions.delete(number);
		} else if (op === OP.USSR_REQ && s) {
			s.waiting = true;
		} else if (op === OP.USSR_REQ) {
			// network-initiated request: answer it like any other
			this.sessions.set(number, { sessNo: itsInfo ? itsInfo.sessNo : this.newSessNo(), seq: itsInfo ? itsInfo.seq : 0, umr: null, waiting: true });
		}
		this.last = { kind: 'ussd', text: msg.text, op, ended: !!ended, number };
		const w = this.ussdWait.get(number);
		if (w) {
			this.ussdWait.delete(number);
			w.resolve(this.last);
		}
	}

	newSessNo() {
		this.nextSess = (this.nextSess + 1) & 0xFF;
		return this.nextSess;
	}

	// ---- what the handset sends

	needLink() {
		if (!this.linkUp()) throw new StepError('no gateway is bound to the simulator (yet): nothing can be sent');
	}

	/** Wait for the reply to the last MO of number (or null after the timeout). */
	awaitReply(number, t0) {
		return new Promise((resolve) => {
			const w = { t0, resolve: null };
			const timer = setTimeout(() => {
				const q = this.replyWait.get(number) || [];
				const i = q.indexOf(w);
				if (i >= 0) q.splice(i, 1);
				resolve(null);
			}, this.o.timeout * 1000);
			w.resolve = (m) => { clearTimeout(timer); resolve(m); };
			if (!this.replyWait.has(number)) this.replyWait.set(number, []);
			this.replyWait.get(number).push(w);
		});
	}

	/** Send an SMS from the current number; resolves when the reply is shown (or not). */
	async sms(textBody, { wait }) {
		this.needLink();
		const number = this.current;
		const t0 = Date.now();
		this.last = null;
		const replied = this.awaitReply(number, t0);
		this.out(this.st.dim(`  → SMS ${JSON.stringify(textBody)} from ${number} to ${this.o.shortCode}`));
		const r = await this.sim.sendMo({
			from: international(number, this.o.country), to: this.o.shortCode, text: textBody,
			timeoutMs: this.o.timeout * 1000,
			onResp: (p) => p.status === 0 && this.out(this.st.dim(`    stored by the gateway: deliver_sm_resp after ${p.ms.toFixed(1)} ms`)),
		});
		if (r.status !== 0) {
			const q = this.replyWait.get(number) || [];
			q.pop();
			throw new StepError(`the gateway did not take the SMS: ${this.statusText(r.status)}`);
		}
		const done = replied.then((m) => {
			if (!m) this.out(this.st.yellow(`  (no reply to ${number} within ${this.o.timeout} s)`));
			return m;
		});
		if (wait) await done;
	}

	statusText(st) {
		return typeof st === 'number' ? P.statusName(st) : `no answer (${st})`;
	}

	/** One USSD deliver_sm from number; resolves with the screen, or null after the timeout. */
	async ussdSend(number, textBody, op, s, { end = false, wait = true } = {}) {
		this.needLink();
		const its = Buffer.from([s.sessNo, ((s.seq & 0x7F) << 1) | (end ? 1 : 0)]);
		const dest = this.o.ussdDest || (textBody.match(/^\*?(\d+)/) || [])[1] || this.o.shortCode;
		const screen = end ? null : new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.ussdWait.delete(number);
				resolve(null);
			}, this.o.timeout * 1000);
			this.ussdWait.set(number, { resolve: (x) => { clearTimeout(timer); resolve(x); } });
		});
		s.waiting = false;
		this.out(this.st.dim(`  → ${textBody ? JSON.stringify(textBody) : 'release'}: ${opName(op)} from ${number}, its_session_info 0x${its.toString('hex')}${end ? ' (end)' : ''}`));
		const tlvs = { ussd_service_op: op, its_session_info: its };
		if (s.umr !== null) tlvs.user_message_reference = s.umr;
		const r = await this.sim.sendMo({
			from: international(number, this.o.country),
			to: op === OP.PSSR_IND ? dest : (s.dest || dest),
			text: textBody, split: 'none', timeoutMs: this.o.timeout * 1000, tlvs,
		});
		if (op === OP.PSSR_IND) s.dest = dest;
		if (r.status !== 0) {
			this.ussdWait.delete(number);
			this.sessions.delete(number);
			throw new StepError(`the gateway did not take the USSD message: ${this.statusText(r.status)}`);
		}
		if (!screen) return null;
		const p = screen.then((x) => {
			if (!x) this.out(this.st.yellow(`  (no USSD screen for ${number} within ${this.o.timeout} s)`));
			return x;
		});
		return wait ? p : null;
	}

	async dial(code, opts) {
		this.needLink();
		const number = this.current;
		const old = this.sessions.get(number);
		if (old) this.out(this.st.dim('  (the open session is left behind: a phone dialling again starts a new one)'));
		const sessNo = this.newSessNo();
		const s = { sessNo, seq: 0, umr: (sessNo << 8) | (Math.floor(Math.random() * 256)), waiting: false };
		this.sessions.set(number, s);
		this.last = null;
		return this.ussdSend(number, code, OP.PSSR_IND, s, opts);
	}

	async answer(textBody, opts) {
		const number = this.current;
		const s = this.sessions.get(number);
		if (!s) throw new StepError(`no USSD session on ${number}: dial ${this.o.ussdCode} first`);
		s.seq++;
		this.last = null;
		return this.ussdSend(number, textBody, OP.USSR_CONF, s, opts);
	}

	async cancel() {
		const number = this.current;
		const s = this.sessions.get(number);
		if (!s) {
			this.out('  (no USSD session open)');
			return;
		}
		s.seq++;
		this.sessions.delete(number);
		this.ussdWait.delete(number);
		if (!this.linkUp()) {
			this.out('  (session ended on the phone; no gateway is bound to tell)');
			return;
		}
		await this.ussdSend(number, '', this.o.abortOp === null ? OP.USSR_CONF : this.o.abortOp, s, { end: true });
		this.out('  (session ended by the user)');
	}

	ussdOpen() {
		const s = this.sessions.get(this.current);
		return !!(s && s.waiting);
	}

	// ---- skillctl

	ctl(args) {
		const o = this.o;
		if (!o.skillctl) throw new StepError('ctl: start the handset with --skillctl BIN --config FILE (scripts/demo.sh does)');
		const argv = o.config ? ['-c', o.config, ...args] : args;
		this.out(this.st.dim(`  $ ${path.relative(process.cwd(), o.skillctl) || o.skillctl} ${argv.map((a) => (/[\s"'\\]/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ')}`));
		return new Promise((resolve, reject) => {
			const p = spawn(o.skillctl, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
			let buf = '';
			const flush = (final) => {
				const lines = buf.split('\n');
				buf = final ? '' : lines.pop();
				for (const l of lines) if (l.length || !final) this.out(`  ${l.replace(/\r/g, '')}`);
			};
			const on = (d) => { buf += d.toString('utf8'); flush(false); };
			p.stdout.on('data', on);
			p.stderr.on('data', on);
			const timer = setTimeout(() => p.kill('SIGTERM'), 120000);
			p.on('error', (e) => { clearTimeout(timer); reject(new StepError(`ctl: ${e.message}`)); });
			p.on('close', (code, sig) => {
				clearTimeout(timer);
				if (buf) flush(true);
				if (code === 0) return resolve();
				reject(new StepError(`skillctl exited with ${code === null ? sig : code}`));
			});
		});
	}

	// ---- expectations (script mode)

	expect(arg, negate) {
		const m = matcher(arg);
		if (!this.last) throw new StepError(`expected ${negate ? 'no ' : ''}${m.what}, but there is no screen or reply to look at`);
		const ok = m.test(this.last.text);
		if (ok === !!negate) {
			throw new StepError(`expected the last ${this.last.kind === 'ussd' ? 'screen' : 'reply'} ${negate ? 'not ' : ''}to match ${m.what}; it was ${JSON.stringify(this.last.text)}`);
		}
		this.out(this.st.green(`  ok: ${negate ? 'no ' : ''}${m.what}`));
	}

	expectOpen() {
		if (!this.last || this.last.kind !== 'ussd') throw new StepError('expected a USSD menu, but there is no USSD screen');
		if (this.last.ended) throw new StepError(`expected the session to stay open, but ${opName(this.last.op)} ended it`);
		this.out(this.st.green('  ok: the session waits for an answer'));
	}

	expectEnd() {
		if (!this.last || this.last.kind !== 'ussd') throw new StepError('expected a final USSD screen, but there is no USSD screen');
		if (!this.last.ended) throw new StepError(`expected the session to end, but ${opName(this.last.op)} keeps it open`);
		this.out(this.st.green('  ok: the session ended'));
	}

	noticeWaiters() {
		for (const w of this.noticeWait || []) w();
	}

	async expectNotice(arg) {
		const m = matcher(arg);
		const find = () => this.notices.find((n) => !n.consumed && m.test(n.text));
		let n = find();
		if (!n) {
			this.noticeWait = this.noticeWait || new Set();
			let wake;
			const w = () => wake && wake();
			this.noticeWait.add(w);
			const end = Date.now() + this.o.timeout * 1000;
			try {
				while (!(n = find()) && Date.now() < end) {
					await new Promise((r) => {
						wake = r;
						setTimeout(r, Math.max(1, Math.min(200, end - Date.now())));
					});
				}
			} finally {
				this.noticeWait.delete(w);
			}
		}
		if (!n) {
			const seen = this.notices.filter((x) => !x.consumed).map((x) => JSON.stringify(x.text)).join(', ') || 'none';
			throw new StepError(`no notice matching ${m.what} within ${this.o.timeout} s (notices not yet matched: ${seen})`);
		}
		n.consumed = true;
		const groups = m.groups(n.text);
		if (groups.length) this.captures = groups;
		this.out(this.st.green(`  ok: notice #${n.n} matches ${m.what}`));
	}

	/** Before exiting: let the receipts already due reach the gateway (bounded). */
	async drain(ms = 5000) {
		const end = Date.now() + ms;
		while (this.dlrPending.size && this.linkUp() && Date.now() < end) await sleep(50);
	}

	status() {
		const sim = this.sim;
		const conns = [...sim.conns].map((c) => `${c.bound || 'not bound'} from ${c.socket.remoteAddress}:${c.socket.remotePort}`);
		this.out(`  simulator on ${sim.host}:${sim.port}; gateway connections: ${conns.length ? conns.join(', ') : 'none'}`);
		const c = sim.counters;
		this.out(`  received ${c.submit_sm} submit_sm (${c.accepted} accepted), ${sim.messages.length} messages, ` +
			`${this.notices.length} notices; sent ${sim.dlrs.length} delivery reports (${this.o.dlr ? this.sim.behaviour.dlr.stat : 'off'})`);
		const open = [...this.sessions.entries()].map(([n, s]) => `${n} (session ${s.sessNo})`);
		this.out(`  current number ${this.current}; USSD sessions open: ${open.length ? open.join(', ') : 'none'}`);
	}

	help() {
		const lines = commandHelp(this).trimEnd().split('\n');
		const ctlNote = this.o.skillctl ? '' : ' (needs --skillctl and --config)';
		for (const l of lines) this.out(l.startsWith('  ctl ') ? l + ctlNote : l);
		this.out('');
		this.out(`Demo numbers${this.numbersFrom ? ` (from ${this.numbersFrom})` : ''}:`);
		const w = Math.max(...this.numbers.map(([n]) => n.length));
		for (const [n, d] of this.numbers) {
			const cur = national(n, this.o.country) === this.current;
			this.out(`  ${cur ? '*' : ' '} ${n.padEnd(w)}  ${d}`);
		}
		this.out(`(* the current number; the gateway's own list of SMS commands: sms BZ${this.numbersFrom ? '; IDs, names and course codes: numbers' : ''})`);
	}

	showNumbersFile() {
		if (!this.numbersFrom) {
			this.out('  (no demo-numbers.txt: the demo data is not loaded; help lists the usual numbers)');
			return;
		}
		for (const l of fs.readFileSync(this.numbersFrom, 'utf8').replace(/^\uFEFF/, '').trimEnd().split(/\r?\n/)) this.out(`  ${l}`);
	}

	setNumber(arg) {
		if (!arg) {
			this.out(`  current number ${this.current}${this.describe(this.current) ? `: ${this.describe(this.current)}` : ''}`);
			return;
		}
		const n = national(arg, this.o.country);
		if (!/^\d{3,15}$/.test(n)) throw new StepError(`as: ${arg} is not a phone number`);
		this.current = n;
		const d = this.describe(n);
		this.out(`  now using ${n}${d ? `: ${d}` : ''}${this.ussdOpen() ? ' (a USSD menu is open on it)' : ''}`);
	}

	setDlr(arg) {
		const v = parseDlr(arg || '');
		if (v === undefined) throw new StepError('dlr: DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, UNKNOWN or off');
		this.o.dlr = v;
		this.sim.behaviour.dlr = this.dlrBehaviour();
		this.out(`  delivery reports: ${v || 'off'}`);
	}

	/**
	 * Run one command line. wait: block until its answer (scripts) rather
	 * than showing it when it comes (interactive). Returns 'quit' to stop.
	 */
	async exec(line, { wait }) {
		// $1 .. $9: what the last expect-notice /REGEX/ captured
		const l = line.trim().replace(/\$([1-9])/g, (all, k) => (this.captures && this.captures[k - 1] !== undefined ?
			this.captures[k - 1] : all));
		if (!l || l.startsWith('#')) return null;
		const sp = l.search(/\s/);
		const cmd = (sp < 0 ? l : l.slice(0, sp)).toLowerCase();
		const rest = sp < 0 ? '' : l.slice(sp + 1).trim();
		if (/^\*[\d*#]*#$/.test(l)) return this.dial(l, { wait });
		switch (cmd) {
		case 'sms':
			if (!rest) throw new StepError('sms TEXT');
			return this.sms(rest, { wait });
		case 'as': return this.setNumber(rest);
		case 'ussd':
			return this.answer(rest, { wait });
		case 'cancel': case 'end': return this.cancel();
		case 'ctl': {
			let args;
			try { args = shellWords(rest); } catch (e) { throw new StepError(`ctl: ${e.message}`); }
			return this.ctl(args);
		}
		case 'dlr': return this.setDlr(rest);
		case 'status': return this.status();
		case 'wait': case 'sleep': {
			const s = Number(rest);
			if (!(s >= 0 && s <= 3600)) throw new StepError('wait SECONDS (0..3600)');
			return sleep(s * 1000);
		}
		case 'timeout': {
			const s = Number(rest);
			if (!(s > 0 && s <= 3600)) throw new StepError('timeout SECONDS (0..3600)');
			this.o.timeout = s;
			return null;
		}
		case 'expect': return this.expect(rest, false);
		case 'expect-not': return this.expect(rest, true);
		case 'expect-end': return this.expectEnd();
		case 'expect-open': return this.expectOpen();
		case 'expect-notice': return this.expectNotice(rest);
		case 'help': case '?': return this.help();
		case 'numbers': return this.showNumbersFile();
		case 'quit': case 'exit': case 'q': return 'quit';
		default:
			if (this.ussdOpen()) return this.answer(l, { wait });
			if (/^[\d*#]+$/.test(l)) {
				throw new StepError(`no USSD menu is open on ${this.current}: dial ${this.o.ussdCode} first`);
			}
			throw new StepError(`unknown command "${cmd}" (help lists them; an SMS is sms ${l})`);
		}
	}
}

// ---- modes ----------------------------------------------------------------------

async function interactive(o) {
	const st = makeStyle(true, o.ascii);
	let rl = null;
	let h = null;
	let busy = false;	// a typed command runs: the prompt comes back after it
	const promptText = () => `${h.current}${h.ussdOpen() ? st.cyan(' [USSD]') : ''}> `;
	const out = (s) => {
		if (!rl || busy) return process.stdout.write(`${s}\n`);
		readline.clearLine(process.stdout, 0);
		readline.cursorTo(process.stdout, 0);
		process.stdout.write(`${s}\n`);
		rl.setPrompt(promptText());
		rl.prompt(true);
		return true;
	};
	h = await new Handset(o, out, st).start();
	const d = h.describe(h.current);
	out(st.bold('skillgw handset') + st.dim(` — a phone network on ${o.host}:${h.sim.port} (the gateway binds here)`));
	out(`current number ${st.bold(h.current)}${d ? ` (${d})` : ''}`);
	out(`try: ${st.bold(o.ussdCode)}, then menu digits · ${st.bold('sms BT')} · ${st.bold('as 13800138001')} · ${st.bold('help')} · ${st.bold('quit')}`);
	if (!h.linkUp()) out(st.dim('waiting for the gateway to bind...'));
	rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true, historySize: 200 });
	const prompt = () => {
		rl.setPrompt(promptText());
		rl.prompt();
	};
	let chain = Promise.resolve();
	let closing = false;
	const stop = async () => {
		if (closing) return;
		closing = true;
		rl.close();
		await h.drain(2000);
		await h.sim.close();
		process.stdout.write('\n');
		process.exit(0);
	};
	rl.on('line', (line) => {
		chain = chain.then(async () => {
			busy = true;
			try {
				if ((await h.exec(line, { wait: false })) === 'quit') return stop();
			} catch (e) {
				out(e instanceof StepError ? st.red(`  ${e.message}`) : st.red(`  error: ${e.stack || e}`));
			}
			busy = false;
			if (!closing) prompt();
			return null;
		});
	});
	// Ctrl-C: end the USSD session if one is open (the red key), else stop
	rl.on('SIGINT', () => {
		if (h.sessions.has(h.current)) {
			out('^C');
			chain = chain.then(() => { busy = true; return h.cancel(); })
				.catch((e) => out(st.red(`  ${e.message}`)))
				.then(() => { busy = false; prompt(); });
		} else {
			stop();
		}
	});
	rl.on('close', stop);
	prompt();
}

async function runScript(o, lines, source) {
	const st = makeStyle(process.stdout.isTTY, o.ascii);
	const out = (s) => process.stdout.write(`${s}\n`);
	const h = await new Handset(o, out, st).start();
	out(`handset: simulator on ${o.host}:${h.sim.port}; script ${source}`);
	let failed = null;
	try {
		await h.waitBound(o.bindTimeout * 1000);
		for (const [i, line] of lines.entries()) {
			if (!line.trim() || line.trim().startsWith('#')) continue;
			out(st.bold(`${h.current}> ${line.trim()}`));
			if (h.gatewayGone) throw new StepError('the gateway has stopped');
			try {
				if ((await h.exec(line, { wait: true })) === 'quit') break;
			} catch (e) {
				if (e instanceof StepError) e.message = `${source}:${i + 1}: ${e.message}`;
				throw e;
			}
		}
		await h.drain();
	} catch (e) {
		failed = e;
	}
	await h.sim.close();
	if (failed) {
		out(st.red(`FAILED: ${failed instanceof StepError ? failed.message : failed.stack}`));
		return 1;
	}
	out(st.green(`script ${source}: every step passed`));
	return 0;
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	let code;
	if (o.script) {
		let body;
		try { body = fs.readFileSync(o.script, 'utf8'); } catch (e) { die(`--script: ${e.message}`, 2); }
		code = await runScript(o, body.replace(/^\uFEFF/, '').split(/\r?\n/), o.script);
	} else if (!process.stdin.isTTY) {
		const body = await new Promise((resolve) => {
			let b = '';
			process.stdin.setEncoding('utf8');
			process.stdin.on('data', (d) => { b += d; });
			process.stdin.on('end', () => resolve(b));
		});
		code = await runScript(o, body.split(/\r?\n/), '(stdin)');
	} else {
		return interactive(o);
	}
	process.exit(code);
}

for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(128 + (sig === 'SIGTERM' ? 15 : 1)));

if (require.main === module) {
	main().catch((e) => die(e.code === 'EADDRINUSE' ? `port ${e.port} is in use (--port 0 takes any free port)` : (e.stack || String(e))));
}

module.exports = { Handset, national, international, readNumbers, wrap, strWidth, charCount, shellWords, matcher };
