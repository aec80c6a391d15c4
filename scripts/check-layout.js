#!/usr/bin/env node
'use strict';
// check-layout.js - the module boundaries of skillgw, checked from the
// #include lines and SQL strings of the sources.
//
//   node scripts/check-layout.js [ROOT]      (default: the repository)
//
// Prints one line per broken rule as FILE:LINE: rule, and exits 1 when
// there is any; make test runs it. The rules are the table RULES below and
// the same ones README.md ("How it works") gives in words:
//
// - each folder of gateway/ and handlers/ is one module; a file belongs to
//   the module of its folder, a public header (include/M/x.h) to module M;
// - a module includes the public headers of the modules it may use and its
//   own private headers (beside its .c), never another module's private
//   header (no "../" includes);
// - only gateway/queue touches table mt or mt_part in SQL;
// - skillctl's verbs (gateway/ctl) are included by nothing else.

const fs = require('fs');
const path = require('path');

const FRAME = 'gateway';
const ALL = '*';

// module -> the modules whose public headers it may include (itself always)
const RULES = {
	'gateway': [ALL],
	'gateway/smpp': [FRAME, 'gateway/text', 'gateway/queue'],
	'gateway/text': [],
	'gateway/queue': [FRAME, 'gateway/text', 'gateway/smpp'],
	'gateway/ussd': [FRAME, 'gateway/text', 'gateway/queue'],
	'gateway/api': [FRAME, 'gateway/text', 'gateway/queue', 'gateway/smpp', 'gateway/ussd',
		'handlers/domain', 'handlers/notice', 'handlers/data', 'handlers/quality'],
	// gateway/api: the account store (accounts.h) that skillctl user/token
	// share with the daemon's API
	'gateway/ctl': [FRAME, 'gateway/text', 'gateway/queue', 'gateway/smpp', 'gateway/api',
		'handlers/domain', 'handlers/notice', 'handlers/data', 'handlers/quality'],
	'handlers/domain': [FRAME, 'gateway/text'],
	// handlers/quality: QD, PJ, JY record their answers through it
	'handlers/replies': [FRAME, 'gateway/text', 'handlers/domain', 'handlers/quality'],
	'handlers/sms': [FRAME, 'gateway/text', 'gateway/queue', 'handlers/domain', 'handlers/replies',
		'handlers/quality'],
	'handlers/ussd': [FRAME, 'gateway/text', 'gateway/ussd', 'handlers/domain', 'handlers/replies',
		'handlers/quality'],
	// handlers/data: the CSV writer (csv.h) of the campaign report, which
	// skillctl and the API share (handlers/notice/campaign.c)
	'handlers/notice': [FRAME, 'gateway/text', 'gateway/queue', 'handlers/domain', 'handlers/data'],
	'handlers/data': [FRAME, 'gateway/text', 'handlers/domain'],
	// handlers/data: the CSV writer (csv.h) of the figures' export
	'handlers/quality': [FRAME, 'gateway/text', 'gateway/queue', 'handlers/domain', 'handlers/data'],
};

// Public headers that many modules read are held to less than their
// module's sources, so that they drag nothing in: whoever reads the frame's
// headers (config.h, db.h ...) or the queue's gets no SMPP header with them.
const HEADER_RULES = {
	'gateway': ['gateway/text'],
	'gateway/queue': [FRAME, 'gateway/text'],
	'gateway/ussd': [FRAME, 'gateway/text', 'gateway/queue'],
};

// Only this module may name these tables in SQL.
const TABLE_OWNER = { mt: 'gateway/queue', mt_part: 'gateway/queue' };
const SQL_TABLE_RE = /\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(mt|mt_part)\b/g;

function walk(dir, out = []) {
	if (!fs.existsSync(dir)) return out;
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) walk(p, out);
		else if (/\.[ch]$/.test(e.name)) out.push(p);
	}
	return out;
}

/** The module a source file or public header belongs to, or null. */
function moduleOf(rel) {
	const parts = rel.split('/');
	if (parts[0] === 'include') parts.shift();
	const dir = parts.slice(0, -1).join('/');
	if (RULES[dir]) return dir;
	return null;
}

/** The module whose public header an include path names, or null. */
function includedModule(inc) {
	const dir = path.posix.dirname(inc);
	return RULES[dir] ? dir : null;
}

function allowed(from, to, isHeader) {
	if (from === to) return true;
	const r = (isHeader && HEADER_RULES[from]) || RULES[from];
	return r.includes(ALL) || r.includes(to);
}

function checkIncludes(rel, text, errors) {
	const from = moduleOf(rel);
	const isHeader = rel.startsWith('include/');
	const rules = (isHeader && HEADER_RULES[from]) || RULES[from];
	const lines = text.split('\n');
	lines.forEach((line, i) => {
		const m = line.match(/^\s*#\s*include\s+"([^"]+)"/);
		if (!m) return;
		const inc = m[1];
		const at = `${rel}:${i + 1}`;
		if (inc.includes('..')) {
			errors.push(`${at}: "${inc}": another module's private header (use its public header under include/)`);
			return;
		}
		if (!inc.includes('/')) return;		// a private header beside the file
		const to = includedModule(inc);
		if (!to) {
			errors.push(`${at}: "${inc}": no module has a public header folder include/${path.posix.dirname(inc)}/`);
			return;
		}
		if (to === 'gateway/ctl') {
			errors.push(`${at}: "${inc}": skillctl's verbs are not included outside gateway/ctl`);
			return;
		}
		if (!allowed(from, to, isHeader)) {
			errors.push(`${at}: "${inc}": ${isHeader ? 'a public header of ' : ''}${from} may not use ${to}` +
				` (it may use: ${rules.join(', ') || 'nothing but libc'})`);
		}
	});
}

function checkTables(rel, text, errors) {
	const from = moduleOf(rel);
	text.split('\n').forEach((line, i) => {
		if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;	// comments may name it
		let m;
		SQL_TABLE_RE.lastIndex = 0;
		while ((m = SQL_TABLE_RE.exec(line))) {
			if (TABLE_OWNER[m[1]] !== from) {
				errors.push(`${rel}:${i + 1}: SQL on table ${m[1]}: only ${TABLE_OWNER[m[1]]} touches it (use its API)`);
			}
		}
	});
}

function main() {
	const root = path.resolve(process.argv[2] || path.join(__dirname, '..'));
	const errors = [];
	const files = ['gateway', 'handlers', 'include'].flatMap((d) => walk(path.join(root, d)));
	for (const f of files) {
		const rel = path.relative(root, f).split(path.sep).join('/');
		const from = moduleOf(rel);
		if (!from) {
			errors.push(`${rel}:1: not inside a module folder (${Object.keys(RULES).join(', ')})`);
			continue;
		}
		const text = fs.readFileSync(f, 'utf8');
		checkIncludes(rel, text, errors);
		checkTables(rel, text, errors);
	}
	for (const e of errors) console.log(e);
	if (errors.length) {
		console.log(`check-layout: ${errors.length} broken rule(s) in ${files.length} files`);
		process.exit(1);
	}
	console.log(`check-layout: ${files.length} files, module boundaries kept`);
}

if (require.main === module) main();
module.exports = { RULES, HEADER_RULES, moduleOf, includedModule, allowed };
