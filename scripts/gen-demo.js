#!/usr/bin/env node
'use strict';
// gen-demo.js - writes the demo data set of skillgw: CSV files as the
// Jieyang bureau's back office would hand them over, and demo-numbers.txt.
//
//   node scripts/gen-demo.js [--out DIR] [--workers N] [--seed S] [--today YYYY-MM-DD]
//   node scripts/gen-demo.js --today YYYY-MM-DD --clock-offset [--at HH:MM]
//   node scripts/gen-demo.js --print-today
//
// Files (UTF-8 with BOM, Chinese headers, CRLF), in the order
// scripts/load-demo.sh imports them: occupations.csv, institutions.csv,
// courses.csv, workers.csv, certificates.csv, subsidies.csv,
// enrolments.csv; and pay-13800138003.csv, the bureau's next decision (the
// approved subsidy of 13800138003 paid today), not loaded: importing it
// later shows the notification reach that phone. Everything comes from a
// seeded generator: the same seed,
// "today" and worker count give the same files, byte for byte.
//
// Every date is relative to "today", so that the demo shows what the
// documentation says on whatever day the data is generated: by default the
// date in the bureau's time zone (Asia/Shanghai, UTC+8 all year, as the
// gateway's fmt_local_date() reckons it) of the clock as skillgw reads it,
// i.e. moved by SKILLGW_CLOCK_OFFSET_MS when that is set; --today sets it.
// A gateway that runs on another day than the data's sees other things
// (2001's enrolment over, ...): --clock-offset prints the
// SKILLGW_CLOCK_OFFSET_MS (whole days) that moves skillgw and skillctl to
// --today, which is what scripts/load-demo.sh (TODAY=) and scripts/demo.sh
// (SKILLGW_DEMO_TODAY=) do; with --at HH:MM the offset that puts their
// clock at that time of that day (China time: SKILLGW_DEMO_TIME=). --print-today prints the default "today" (the
// gateway's day). demo-numbers.txt says the data set's day ("# today ...").
//
// The data: Jieyang's five regions; 22 occupations in four menu groups;
// 40 institutions (invented names); 300 open courses (codes 2001.., the
// generated ones starting 11 to 187 days after today, with enrolment
// deadlines after today) and 30 finished ones of the past year; N workers
// (default 2000) with valid resident IDs of Jieyang, Chinese names, unique
// mobile numbers with real carrier prefixes (one in ten without a number),
// key groups; completed enrolments with results, certificates and
// subsidies in every status (no date after today), rejected ones with
// their reason; a few subsidy rows that break the rule (same occupation
// and level twice), which the import flags.
//
// The demo numbers are fixed here, so documentation can name them; they
// are also written to demo-numbers.txt ("NUMBER description" lines, read
// by tests/sim/handset.js):
//   13800138000  paid subsidy, enrolled in course 2001
//   13800138001  rejected subsidy (未取得培训合格证书)
//   13800138002  on the roster without a number: registers with ID + name
//   13800138003  subsidy approved, not yet paid
//   13800138004  three training subsidies this calendar year: course 2001
//                would not be subsidised
//   13800138005  a trainee, asked the questions of training quality at the
//                gateway's start: attendance in course 2005 (checked today,
//                08:30-17:30), a score for 2006 (ended yesterday), work
//                after 2007 (ended three months ago)
//   13900139000  not on the roster at all
// and the courses 2001 (open: starts in 7 days, enrolment until 4 days
// after today), 2002 (two seats left; starts in 14 days, enrolment until
// 10 days after today), 2003 (starts tomorrow, enrolment deadline 5 days
// ago), 2004 (closed; starts in 6 weeks), and 13800138005's 2005, 2006,
// 2007 (nobody else in them). No other finished course is due a
// follow-up in the demo's first weeks (outsideFollowUps()), so the
// gateway's first start asks no stranger.
//
// The calendar year. The subsidy rule counts the subsidies of the year in
// which a course starts, so 13800138004's three are dated from 1 January
// of today's year to today (at a quarter, half and three quarters of that
// span: in early January they are days apart, on 1 January all three are
// of that day; decision and payment dates, here as everywhere, never pass
// today), and course 2001 starts in the same year: 7 days after today, but
// at the latest on 31 December, its deadline then the day before its start
// at the latest, never before today. On 31 December itself 2001 starts
// that day and takes enrolments until the day ends; cancelling it (QX) is
// refused then, as for any course that has started: the one documented
// behaviour that gives way on one day of the year, rather than
// 13800138004's subsidies not counting against 2001 for a week.
//
// No npm packages: Node 20 only.

const fs = require('fs');
const path = require('path');

// ---- options -----------------------------------------------------------------

function usage(code) {
	(code ? process.stderr : process.stdout).write(
		'usage: node scripts/gen-demo.js [--out DIR] [--workers N] [--seed S] [--today YYYY-MM-DD]\n' +
		'       node scripts/gen-demo.js [--today YYYY-MM-DD] --clock-offset [--at HH:MM]\n' +
		'       node scripts/gen-demo.js --print-today\n' +
		'  --out DIR           where to write the files (default var/demo)\n' +
		'  --workers N         workers on the roster (default 2000)\n' +
		'  --seed S            seed of the generator (default 1)\n' +
		'  --today YYYY-MM-DD  the day every date of the data set is relative to\n' +
		'                      (default: today in Asia/Shanghai by the clock, moved\n' +
		'                      by SKILLGW_CLOCK_OFFSET_MS when set, as skillgw does)\n' +
		'  --clock-offset      write no files: print the SKILLGW_CLOCK_OFFSET_MS\n' +
		'                      (whole days from the real clock) that makes --today\n' +
		'                      the day of skillgw and skillctl\n' +
		'  --at HH:MM          with --clock-offset: the offset (ms) that puts their\n' +
		'                      clock at that time of that day, China time\n' +
		'  --print-today       write no files: print the day --today defaults to\n');
	process.exit(code);
}

function parseArgs(argv) {
	const o = { out: 'var/demo', workers: 2000, seed: 1, today: null, clockOffset: false,
		printToday: false, at: null };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => {
			if (i + 1 >= argv.length) usage(1);
			return argv[++i];
		};
		if (a === '--out') o.out = val();
		else if (a === '--workers') o.workers = Number(val());
		else if (a === '--seed') o.seed = Number(val());
		else if (a === '--today') o.today = val();
		else if (a === '--clock-offset') o.clockOffset = true;
		else if (a === '--at') o.at = val();
		else if (a === '--print-today') o.printToday = true;
		else if (a === '-h' || a === '--help') usage(0);
		else usage(1);
	}
	if (!Number.isInteger(o.workers) || o.workers < 10 || o.workers > 10000000) {
		process.stderr.write('gen-demo: --workers must be a whole number from 10 to 10000000\n');
		process.exit(1);
	}
	if (!Number.isInteger(o.seed)) {
		process.stderr.write('gen-demo: --seed must be a whole number\n');
		process.exit(1);
	}
	if (o.today !== null && !validDay(o.today)) {
		process.stderr.write(`gen-demo: --today ${JSON.stringify(o.today)}: want a date ` +
			`YYYY-MM-DD from ${TODAY_MIN} to ${TODAY_MAX} (e.g. 2027-01-02)\n`);
		process.exit(1);
	}
	if (o.clockOffset && o.today === null && o.at === null) {
		process.stderr.write('gen-demo: --clock-offset needs --today or --at\n');
		process.exit(1);
	}
	if (o.at !== null && (!o.clockOffset || !/^([01]\d|2[0-3]):[0-5]\d$/.test(o.at))) {
		process.stderr.write(`gen-demo: --at ${JSON.stringify(o.at)}: want HH:MM with --clock-offset\n`);
		process.exit(1);
	}
	return o;
}

// ---- randomness (seeded, 32-bit) ----------------------------------------------

function makeRandom(seed) {
	let s = (seed >>> 0) ^ 0x9e3779b9;
	const next = () => {		// a 32-bit mix of a Weyl sequence
		s = (s + 0x6d2b79f5) >>> 0;
		let z = s;
		z = Math.imul(z ^ (z >>> 15), z | 1);
		z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
		return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
	};
	const r = {
		float: next,
		int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),	// inclusive
		pick: (a) => a[Math.floor(next() * a.length)],
		chance: (p) => next() < p,
		// items [[value, weight], ...]
		weighted(items) {
			let total = 0;
			for (const [, w] of items) total += w;
			let x = next() * total;
			for (const [v, w] of items) {
				if ((x -= w) < 0) return v;
			}
			return items[items.length - 1][0];
		},
	};
	return r;
}

// ---- dates ---------------------------------------------------------------------

const DAY_MS = 86400000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
const ms = (isoDate) => Date.parse(`${isoDate}T00:00:00Z`);
const addDays = (isoDate, n) => iso(ms(isoDate) + n * DAY_MS);
const daysBetween = (a, b) => Math.round((ms(b) - ms(a)) / DAY_MS);	// b - a
const minDay = (a, b) => (a < b ? a : b);
const maxDay = (a, b) => (a > b ? a : b);

// The bureau's day: Asia/Shanghai is UTC+8 all year (no summer time since
// 1991), the offset the gateway's fmt_local_date() adds.
const CN_OFFSET_MS = 8 * 3600000;
const bureauDay = (epochMs) => iso(epochMs + CN_OFFSET_MS);
// skillgw's clock: the real one plus SKILLGW_CLOCK_OFFSET_MS (gateway/clock.c)
function gatewayNowMs() {
	const off = Number.parseInt(process.env.SKILLGW_CLOCK_OFFSET_MS || '0', 10);
	return Date.now() + (Number.isFinite(off) ? off : 0);
}

// --today: a real date in a range where every derived date is valid
// (births up to 61 years back, subsidies up to two years back).
const TODAY_MIN = '2010-01-01', TODAY_MAX = '2099-12-31';
const validDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(ms(s)) &&
	iso(ms(s)) === s && s >= TODAY_MIN && s <= TODAY_MAX;

let TODAY;		// the data set's "now", set by main()

// ---- the city ------------------------------------------------------------------

const REGIONS = [	// code, name, share of the population
	['445202', '榕城区', 8], ['445203', '揭东区', 9], ['445222', '揭西县', 7],
	['445224', '惠来县', 10], ['445281', '普宁市', 20],
];

const OCCUPATIONS = [	// code, name, group, levels offered
	['M01', '电工', '制造', [5, 4, 3]],
	['M02', '焊工', '制造', [5, 4, 3]],
	['M03', '电工(新能源汽车维修)', '制造', [5, 4]],
	['M04', '钳工', '制造', [5, 4]],
	['M05', '数控车工', '制造', [5, 4, 3]],
	['M06', '缝纫工', '制造', [5, 4]],
	['M07', '服装制版师', '制造', [4, 3]],
	['M08', '化工总控工', '制造', [5, 4, 3]],
	['S01', '中式烹调师', '服务', [5, 4, 3, 2]],
	['S02', '中式面点师', '服务', [5, 4]],
	['S03', '育婴员', '服务', [5, 4]],
	['S04', '养老护理员', '服务', [5, 4, 3]],
	['S05', '家政服务员', '服务', [5, 4]],
	['S06', '保育员', '服务', [5, 4]],
	['S07', '美容师', '服务', [5, 4]],
	['S08', '美发师', '服务', [5, 4]],
	['S09', '茶艺师', '服务', [5, 4, 3]],
	['A01', '农业经理人', '农业', [5, 4]],
	['A02', '农艺工', '农业', [5, 4]],
	['I01', '电子商务师', '信息', [5, 4, 3]],
	['I02', '互联网营销师', '信息', [5, 4]],
	['I03', '计算机程序设计员', '信息', [4, 3]],
];
const OCC = Object.fromEntries(OCCUPATIONS.map((o) => [o[0], o]));

const KEY_GROUPS = [	// code, share of workers in it
	['migrant', 0.40], ['unemployed', 0.15], ['graduate', 0.10], ['employee', 0.20],
	['farmer', 0.08], ['school_leaver', 0.05], ['poverty', 0.05], ['lowincome', 0.05],
	['veteran', 0.03], ['transfer', 0.03], ['disabled', 0.02],
];

// Carrier prefixes of the national numbering plan, with rough market shares.
const PREFIXES = [
	...['134', '135', '136', '137', '138', '139', '147', '150', '151', '152', '157', '158',
		'159', '172', '178', '182', '183', '184', '187', '188', '195', '197', '198']
		.map((p) => [p, 60 / 23]),
	...['130', '131', '132', '145', '155', '156', '166', '175', '176', '185', '186', '196']
		.map((p) => [p, 25 / 12]),
	...['133', '149', '153', '173', '177', '180', '181', '189', '190', '191', '193', '199']
		.map((p) => [p, 14 / 12]),
	['192', 1],
];

// Chaoshan surnames are dominated by a few: 陈 林 黄 ...
const SURNAMES = [
	['陈', 12], ['林', 8], ['黄', 7], ['李', 5], ['张', 5], ['吴', 4], ['郑', 4], ['蔡', 4],
	['许', 3], ['谢', 3], ['杨', 3], ['王', 3], ['刘', 3], ['洪', 2], ['方', 2], ['翁', 2],
	['詹', 2], ['庄', 2], ['周', 2], ['苏', 2], ['曾', 2], ['余', 1], ['罗', 1], ['卢', 1],
	['彭', 1], ['马', 1], ['赖', 1], ['姚', 1], ['柯', 1], ['江', 1], ['欧阳', 0.3], ['司徒', 0.2],
];
const GIVEN_M = [...'伟强军建国明华志文杰俊鹏辉斌涛浩宇锋龙海东亮晓家振泽鸿锐炜彬'];
const GIVEN_F = [...'丽娟敏静燕芳玲婷秀英慧霞萍红琳洁雪佳欣怡丹妍璇桂珊瑜莉淑惠嘉'];

const REJECT_REASONS = [
	'未取得培训合格证书', '同一职业同一等级已享受过补贴', '申请材料不全，请补交身份证复印件',
	'培训出勤率不足80%', '培训机构不在目录内', '超过申请期限',
];

// ---- resident IDs ------------------------------------------------------------------

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function idCheck(d17) {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += (d17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
	return '10X98765432'[sum % 11];
}
const makeId = (d17) => d17 + idCheck(d17);

// ---- the fixed demo people ---------------------------------------------------------

const DEMO = [
	{ key: 'paid', mobile: '13800138000', name: '陈志明', d17: '44520219880315001', region: '445202',
	  groups: 'migrant', note: 'paid subsidy (焊工 初级), enrolled in course 2001' },
	{ key: 'rejected', mobile: '13800138001', name: '林秀英', d17: '44528119920708002', region: '445281',
	  groups: 'unemployed,lowincome', note: 'rejected subsidy (reason 未取得培训合格证书)' },
	{ key: 'unbound', mobile: '13800138002', name: '黄伟强', d17: '44522219850122013', region: '445222',
	  groups: 'migrant,farmer', note: 'on the roster without a number: register with ID and name' },
	{ key: 'approved', mobile: '13800138003', name: '吴丽娟', d17: '44522419950911024', region: '445224',
	  groups: 'graduate', note: 'subsidy approved, not yet paid' },
	{ key: 'capped', mobile: '13800138004', name: '郑建华', d17: '44520319790604035', region: '445203',
	  groups: 'transfer,employee', note: '3 training subsidies in {year}: course 2001 would not be subsidised' },
	{ key: 'trainee', mobile: '13800138005', name: '许文杰', d17: '44528119930417056', region: '445281',
	  groups: 'migrant', note: 'in class in course 2005 (attendance checked today); 2006 ended yesterday, ' +
	  '2007 three months ago: asked QD, PJ, JY' },
];
const STRANGER = '13900139000';

// ---- CSV writing -------------------------------------------------------------------

function csvField(v) {
	const s = v === null || v === undefined ? '' : String(v);
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

class CsvFile {
	constructor(dir, name, header) {
		this.file = path.join(dir, name);
		this.fd = fs.openSync(this.file, 'w');
		this.buf = [];
		this.rows = 0;
		fs.writeSync(this.fd, '\uFEFF' + header.map(csvField).join(',') + '\r\n');
	}
	row(fields) {
		this.buf.push(fields.map(csvField).join(','));
		this.rows++;
		if (this.buf.length >= 10000) this.flush();
	}
	flush() {
		if (this.buf.length) fs.writeSync(this.fd, this.buf.join('\r\n') + '\r\n');
		this.buf = [];
	}
	close() {
		this.flush();
		fs.closeSync(this.fd);
		return this.rows;
	}
}

// ---- catalogue ---------------------------------------------------------------------

function genInstitutions(rnd) {
	const head = [...'华粤榕潮揭普惠南汇众新恒德明达信安盛鸿嘉'];
	const mid = [...'技才业能艺美安泰兴创'];
	const kind = ['职业培训学校', '职业技能培训中心', '技能培训学校'];
	const seen = new Set();
	const list = [];
	// one public school per region, then private ones
	for (const [code, name] of REGIONS) {
		list.push({ code: `JG${String(list.length + 1).padStart(3, '0')}`,
			name: `${name}职业技术学校`, region: code, catalogued: true });
	}
	while (list.length < 40) {
		const region = rnd.weighted(REGIONS.map((r) => [r[0], r[2]]));
		const town = REGIONS.find((r) => r[0] === region)[1].slice(0, 2);
		const name = `${town}${rnd.pick(head)}${rnd.pick(mid)}${rnd.pick(kind)}`;
		if (seen.has(name)) continue;
		seen.add(name);
		list.push({ code: `JG${String(list.length + 1).padStart(3, '0')}`, name, region,
			catalogued: rnd.chance(0.85) });
	}
	return list;
}

const TYPE_FOR = (occ, level, rnd) => {
	if (occ[0] === 'I01' || occ[0] === 'I02') return rnd.chance(0.4) ? 'entrepreneurship' : 'employment';
	if (level <= 3) return 'upgrade';
	return rnd.weighted([['employment', 70], ['upgrade', 15], ['apprentice', 8], ['pre_employment', 7]]);
};
const SUBSIDY_YUAN = { 5: [800, 1200], 4: [1500, 1800], 3: [2000, 2500], 2: [3000, 3000], 1: [3000, 3000] };
const LEVEL_WORD = { 5: '初级', 4: '中级', 3: '高级', 2: '技师', 1: '高级技师' };

function makeCourse(rnd, code, occ, level, inst, start, status) {
	const days = { 5: [10, 20], 4: [20, 35], 3: [30, 50], 2: [40, 60], 1: [40, 60] }[level];
	const [lo, hi] = SUBSIDY_YUAN[level];
	return {
		code: String(code), occ: occ[0], level, inst: inst.code, region: inst.region,
		name: `${occ[1]}${LEVEL_WORD[level]}培训班`, type: TYPE_FOR(occ, level, rnd),
		start, end: addDays(start, rnd.int(days[0], days[1])),
		deadline: addDays(start, -rnd.int(3, 10)), capacity: rnd.int(4, 12) * 5,
		yuan: Math.round(rnd.int(lo, hi) / 100) * 100, status, taken: 0,
	};
}

// The day months before iso, on a day every month has (so that the
// gateway's date(end, '+N months') comes back to iso or a few days before).
function monthsBefore(isoDate, months) {
	const [y, m, d] = isoDate.split('-').map(Number);
	return iso(Date.UTC(y, m - 1 - months, Math.min(d, 28)));
}

// A finished course of the history whose 3- or 6-month follow-up would be
// due in the gateway's first weeks is moved 20 days earlier: the demo's
// only follow-up is 13800138005's (2007), not one to a stranger's phone.
function outsideFollowUps(c) {
	for (const months of [3, 6]) {
		const due = daysBetween(addDays(monthsBefore(TODAY, months), 0), c.end);
		if (due >= -20 && due <= 3) {
			c.start = addDays(c.start, -20);
			c.end = addDays(c.end, -20);
			c.deadline = addDays(c.deadline, -20);
		}
	}
}

function genCourses(rnd, insts) {
	const byRegion = (r) => insts.filter((i) => i.region === r && i.catalogued);
	const list = [];
	let code = 2001;
	const fixed = (occ, level, region, start, patch) => {
		const c = makeCourse(rnd, code++, OCC[occ], level, byRegion(region)[0], start, 'open');
		Object.assign(c, patch);
		list.push(c);
		return c;
	};
	// the documented ones; 2001 in today's calendar year (see the top)
	const start2001 = minDay(addDays(TODAY, 7), `${TODAY.slice(0, 4)}-12-31`);
	const deadline2001 = maxDay(TODAY, minDay(addDays(TODAY, 4), addDays(start2001, -1)));
	fixed('M01', 5, '445202', start2001, { capacity: 40, deadline: deadline2001 });
	fixed('S01', 5, '445281', addDays(TODAY, 14), { capacity: 20, deadline: addDays(TODAY, 10),
		fillTo: 18 });
	fixed('S03', 4, '445203', addDays(TODAY, 1), { deadline: addDays(TODAY, -5) });
	fixed('S04', 5, '445224', addDays(TODAY, 42), { status: 'closed' });
	// training quality (13800138005 only): 2005 in class, its attendance
	// checked today and in two days; 2006 ended yesterday; 2007 ended three
	// months ago (its 3-month follow-up due today or a few days ago)
	fixed('M01', 4, '445281', addDays(TODAY, -3), { status: 'closed', end: addDays(TODAY, 4),
		deadline: addDays(TODAY, -8), fillTo: 0, checks: `${TODAY};${addDays(TODAY, 2)}`,
		hours: '08:30-17:30' });
	fixed('S01', 5, '445281', addDays(TODAY, -21), { status: 'finished', end: addDays(TODAY, -1),
		deadline: addDays(TODAY, -25), quality: true });
	const end2007 = monthsBefore(TODAY, 3);
	fixed('M02', 5, '445281', addDays(end2007, -30), { status: 'finished', end: end2007,
		deadline: addDays(end2007, -35), quality: true });
	// open courses starting in 11 .. 187 days: deadlines (3 .. 10 days
	// before the start) are after today
	const first = ms(addDays(TODAY, 11)), span = 176;
	while (list.length < 300) {
		const occ = rnd.pick(OCCUPATIONS);
		const level = rnd.pick(occ[3]);
		const inst = rnd.pick(insts);
		const start = iso(first + rnd.int(0, span) * DAY_MS);
		const status = rnd.weighted([['open', 94], ['closed', 4], ['cancelled', 2]]);
		list.push(makeCourse(rnd, code++, occ, level, inst, start, status));
	}
	// finished ones of the past year (starting 107 .. 287 days ago, ended
	// at least 47 days ago): history for results, certificates, subsidies
	for (let i = 0; i < 30; i++) {
		const occ = rnd.pick(OCCUPATIONS);
		const level = rnd.pick(occ[3]);
		const start = addDays(TODAY, -287 + rnd.int(0, 180));
		const c = makeCourse(rnd, code++, occ, level, rnd.pick(insts.filter((x) => x.catalogued)),
			start, 'finished');
		outsideFollowUps(c);
		list.push(c);
	}
	return list;
}

// ---- workers ---------------------------------------------------------------------

function genName(rnd, male) {
	const given = male ? GIVEN_M : GIVEN_F;
	const n = rnd.chance(0.25) ? 1 : 2;
	let s = rnd.weighted(SURNAMES);
	for (let i = 0; i < n; i++) s += rnd.pick(given);
	return s;
}

function genGroups(rnd) {
	const g = [];
	for (const [code, p] of KEY_GROUPS) if (rnd.chance(p)) g.push(code);
	return g.join(',');
}

// Mobile numbers: the 8 digits after the prefix are a bijection of the
// worker's index (multiplying by a number coprime to 10^8), so they are
// unique whatever prefix is drawn, without a set of a million numbers.
const RESERVED = new Set([...DEMO.map((d) => d.mobile.slice(3)), STRANGER.slice(3)]);
function mobileFor(rnd, i) {
	let k = i;
	let tail;
	do {
		tail = String((k * 48271 + 13579) % 100000000).padStart(8, '0');
		k += 100000000 / 4;	// never reached for N <= 10^7; skips a reserved tail
	} while (RESERVED.has(tail));
	return rnd.weighted(PREFIXES) + tail;
}

const AGE_BANDS = [[18, 25, 25], [26, 35, 35], [36, 45, 25], [46, 60, 15]];

function genWorker(rnd, i, ids) {
	const idRegion = rnd.weighted(REGIONS.map((r) => [r[0], r[2]]));
	const [lo, hi] = rnd.weighted(AGE_BANDS.map((b) => [b, b[2]]));
	let d17;
	do {
		const birth = addDays(TODAY, -(rnd.int(lo, hi) * 365 + rnd.int(0, 364)));
		d17 = idRegion + birth.replace(/-/g, '') + String(rnd.int(1, 999)).padStart(3, '0');
	} while (ids.has(d17));
	ids.add(d17);
	const male = (d17.charCodeAt(16) - 48) % 2 === 1;
	return {
		id: makeId(d17), name: genName(rnd, male),
		mobile: rnd.chance(0.9) ? mobileFor(rnd, i) : '',
		region: rnd.chance(0.85) ? idRegion : rnd.pick(REGIONS)[0],
		groups: genGroups(rnd),
		birth: `${d17.slice(6, 10)}-${d17.slice(10, 12)}-${d17.slice(12, 14)}`,
	};
}

// ---- records: enrolments, certificates, subsidies ---------------------------------

const SUB_HEADER = ['业务编号', '身份证号', '补贴类型', '课程编号', '职业', '等级', '补贴金额',
	'状态', '原因', '申请日期', '审核日期', '发放日期'];

class Records {
	constructor(rnd, out) {
		this.rnd = rnd;
		this.enrol = new CsvFile(out, 'enrolments.csv',
			['身份证号', '课程编号', '状态', '结果', '证书编号']);
		this.cert = new CsvFile(out, 'certificates.csv',
			['证书编号', '身份证号', '证书类型', '职业', '等级', '发证日期']);
		this.out = out;
		this.sub = new CsvFile(out, 'subsidies.csv', SUB_HEADER);
		this.certSeq = 0;
		this.subSeq = 0;
		this.perWorker = new Map();	// id -> { levels: Set, years: {year: n} }
	}
	// pay-13800138003.csv: the row of the approved subsidy, paid today (the
	// bureau's next decision; importing it shows a notification arrive)
	payLater(row) {
		const f = new CsvFile(this.out, 'pay-13800138003.csv', SUB_HEADER);
		f.row([...row.slice(0, 7), '已发放', '', row[9], row[10], TODAY]);
		f.close();
	}
	state(id) {
		let s = this.perWorker.get(id);
		if (!s) this.perWorker.set(id, (s = { levels: new Set(), years: {} }));
		return s;
	}
	// a training subsidy is allowed by the rule (unless forced)
	allowed(id, occ, level, year) {
		const s = this.state(id);
		return !s.levels.has(`${occ}/${level}`) && (s.years[year] || 0) < 3;
	}
	certificate(id, occ, level, issued, kind) {
		const number = `ZS${issued.slice(0, 4)}${String(++this.certSeq).padStart(7, '0')}`;
		this.cert.row([number, id, kind, occ, level, issued]);
		return number;
	}
	// status: one of the glossary's; dates follow from applied (no later
	// than today). With a course, occupation and level are left for the
	// import to take from it (they still count for the rule here).
	subsidy(id, kind, { course = '', occ = '', level = '', yuan, status, applied, reason = '' }) {
		const year = applied.slice(0, 4);
		const ref = `JY${year}-${String(++this.subSeq).padStart(6, '0')}`;
		const decided = status === 'received' || status === 'reviewing' ? '' :
			minDay(addDays(applied, this.rnd.int(7, 30)), TODAY);
		const paid = status === 'paid' ? minDay(addDays(decided, this.rnd.int(3, 20)), TODAY) : '';
		if (status === 'rejected' && !reason) reason = this.rnd.pick(REJECT_REASONS);
		this.lastSub = [ref, id, kind, course, course ? '' : occ, course ? '' : level, yuan, status,
			status === 'rejected' ? reason : '', applied, decided, paid];
		this.sub.row(this.lastSub);
		if (kind === 'training' && status !== 'rejected') {
			const s = this.state(id);
			s.levels.add(`${occ}/${level}`);
			s.years[year] = (s.years[year] || 0) + 1;
		}
		return ref;
	}
	close() {
		return { enrolments: this.enrol.close(), certificates: this.cert.close(),
			subsidies: this.sub.close() };
	}
}

const SUB_STATUS = [['paid', 40], ['approved', 15], ['reviewing', 15], ['received', 15], ['rejected', 15]];

// Completed enrolments of the finished courses, each passed one with a
// certificate and a training subsidy.
function genHistory(rnd, rec, courses, pool) {
	for (const c of courses.filter((x) => x.status === 'finished' && !x.quality)) {
		const n = Math.min(pool.length, Math.floor(c.capacity * rnd.int(60, 100) / 100));
		const taken = new Set();
		for (let k = 0; k < n; k++) {
			const w = rnd.pick(pool);
			if (taken.has(w.id)) continue;
			taken.add(w.id);
			c.taken++;
			const passed = rnd.chance(0.85);
			const issued = addDays(c.end, rnd.int(5, 20));
			let cert = '';
			if (passed && issued <= TODAY) {
				cert = rec.certificate(w.id, c.occ, c.level, issued,
					c.level <= 4 ? 'skill_level' : 'completion');
			}
			rec.enrol.row([w.id, c.code, '已结业', passed ? '合格' : '不合格', cert]);
			const applied = addDays(c.end, rnd.int(3, 15));
			if (applied > TODAY || !rec.allowed(w.id, c.occ, c.level, applied.slice(0, 4))) continue;
			const status = passed ? rnd.weighted(SUB_STATUS) : 'rejected';
			rec.subsidy(w.id, 'training', { course: c.code, occ: c.occ, level: c.level,
				yuan: c.yuan, status, applied,
				reason: passed ? '' : '未取得培训合格证书' });
		}
	}
}

// Subsidies without a course (other kinds, earlier years) for about one
// worker in ten, and a few rows that break the rule on purpose.
function genOtherSubsidies(rnd, rec, workers) {
	const every = 97 * Math.max(1, Math.round(workers.length / 2000));
	for (let i = 0; i < workers.length; i++) {
		const w = workers[i];
		const twice = i % every === 0;	// breaks the rule on purpose
		if (!twice && !rnd.chance(0.1)) continue;
		const kind = twice ? 'training' : rnd.weighted([['training', 70], ['appraisal', 15],
			['living', 8], ['entrepreneurship', 7]]);
		const applied = addDays(TODAY, -693 + rnd.int(0, 600));	// 93 .. 693 days ago
		const occ = rnd.pick(OCCUPATIONS);
		const level = rnd.pick(occ[3]);
		const [lo, hi] = SUBSIDY_YUAN[level];
		const yuan = kind === 'living' ? rnd.int(3, 10) * 100 : kind === 'appraisal' ?
			rnd.int(2, 6) * 50 : Math.round(rnd.int(lo, hi) / 100) * 100;
		if (kind === 'training' && !rec.allowed(w.id, occ[0], level, applied.slice(0, 4))) continue;
		rec.subsidy(w.id, kind, { occ: kind === 'living' ? '' : occ[0],
			level: kind === 'living' ? '' : level, yuan, status: rnd.weighted(SUB_STATUS), applied });
		if (twice) {	// the same occupation and level again: flagged on import
			let again = addDays(applied, rnd.int(30, 90));
			if (again > TODAY) again = TODAY;
			rec.subsidy(w.id, 'training', { occ: occ[0], level, yuan, status: 'received',
				applied: again });
		}
	}
}

// Enrolments into open courses, leaving seats (and 2002 nearly full).
function genOpenEnrolments(rnd, rec, courses, pool) {
	for (const c of courses.filter((x) => x.status === 'open' || x.status === 'closed')) {
		const target = c.fillTo !== undefined ? c.fillTo :
			Math.floor(c.capacity * rnd.int(0, 70) / 100);
		const taken = new Set();
		while (c.taken < target && taken.size < pool.length) {
			const w = rnd.pick(pool);
			if (taken.has(w.id)) continue;
			taken.add(w.id);
			c.taken++;
			rec.enrol.row([w.id, c.code, '已报名', '', '']);
		}
	}
}

// The documented people: their rows, written first so that they come out
// the same for every --workers.
function genDemoPeople(rec, courses, people) {
	const d = Object.fromEntries(people.map((p) => [p.key, p]));
	// paid: 焊工 初级 half a year ago, with its certificate; enrolled in 2001
	rec.certificate(d.paid.id, 'M02', 5, addDays(TODAY, -194), 'completion');
	rec.subsidy(d.paid.id, 'training', { occ: 'M02', level: 5, yuan: 1000, status: 'paid',
		applied: addDays(TODAY, -189) });
	rec.enrol.row([d.paid.id, '2001', '已报名', '', '']);
	courses.find((c) => c.code === '2001').taken++;
	rec.subsidy(d.rejected.id, 'training', { occ: 'S01', level: 5, yuan: 1000, status: 'rejected',
		applied: addDays(TODAY, -77), reason: '未取得培训合格证书' });
	rec.subsidy(d.approved.id, 'training', { occ: 'S03', level: 4, yuan: 1600, status: 'approved',
		applied: addDays(TODAY, -42) });
	rec.payLater(rec.lastSub);
	rec.certificate(d.approved.id, 'S03', 4, addDays(TODAY, -49), 'skill_level');
	// capped: three in today's calendar year, at a quarter, half and three
	// quarters of the days from 1 January to today (all on 1 January then)
	const jan1 = `${TODAY.slice(0, 4)}-01-01`, sofar = daysBetween(jan1, TODAY);
	for (const [occ, status, k] of [['M02', 'paid', 1], ['S05', 'paid', 2], ['S09', 'approved', 3]]) {
		const applied = addDays(jan1, Math.floor(sofar * k / 4));
		rec.certificate(d.capped.id, occ, 5, addDays(applied, -5), 'completion');
		rec.subsidy(d.capped.id, 'training', { occ, level: 5, yuan: 1000, status, applied });
	}
	// trainee: in class in 2005, finished 2006 and 2007 (passed)
	for (const [code, st, result] of [['2005', '已报名', ''], ['2006', '已结业', '合格'], ['2007', '已结业', '合格']]) {
		rec.enrol.row([d.trainee.id, code, st, result, '']);
		courses.find((c) => c.code === code).taken++;
	}
}

// ---- main ------------------------------------------------------------------------

function writeNumbers(out, people, courses, seed, counts) {
	const c = Object.fromEntries(courses.slice(0, 7).map((x) => [x.code, x]));
	const lines = [
		'# demo-numbers.txt - the documented numbers of the skillgw demo data set,',
		`# written by scripts/gen-demo.js (seed ${seed}, ${counts.workers} workers).`,
		'# Lines "NUMBER description" (read by tests/sim/handset.js); # starts a comment.',
		'#',
		`# today ${TODAY}: every date of the data set is relative to this day`,
		'# (gen-demo.js --today); a gateway running on a later day sees courses',
		'# close (scripts/demo.sh warns; SKILLGW_DEMO_TODAY runs it as of this day).',
		'#',
	];
	for (const p of people) {
		lines.push(`# ${p.mobile}  ${p.name}  ${p.id}  ${REGIONS.find((r) => r[0] === p.region)[1]}`);
	}
	lines.push('#',
		`# 13800138002 is on the roster WITHOUT a mobile number: text from it`,
		`#   ZC ${people.find((p) => p.key === 'unbound').id} ${people.find((p) => p.key === 'unbound').name}`,
		'# to register (or dial the USSD menu and give ID and name).',
		'#',
		`# Courses: 2001 电工初级 榕城区 open (enrolment until ${c[2001].deadline}, starts`,
		`# ${c[2001].start}); 2002 中式烹调师初级 普宁市, 2 of 20 seats left (until`,
		`# ${c[2002].deadline}); 2003 育婴员中级 揭东区, deadline ${c[2003].deadline} passed;`,
		'# 2004 养老护理员初级 惠来县, closed.',
		`# Training quality: 2005 电工中级 普宁市 in class until ${c[2005].end}, attendance`,
		`# checked on ${c[2005].checks.replace(';', ' and ')} (08:30-17:30); 2006 ended ${c[2006].end};`,
		`# 2007 ended ${c[2007].end}. 13800138005 is their trainee.`,
		'');
	for (const p of people) lines.push(`${p.mobile} ${p.note}`);
	lines.push(`${STRANGER} not on the roster at all`, '');
	fs.writeFileSync(path.join(out, 'demo-numbers.txt'), lines.join('\n'));
}

function main() {
	const o = parseArgs(process.argv.slice(2));
	if (o.clockOffset && o.at) {	// that time of that day
		const d = o.today || bureauDay(Date.now());
		process.stdout.write(`${Date.parse(`${d}T${o.at}:00+08:00`) - Date.now()}\n`);
		return;
	}
	if (o.clockOffset) {	// whole days, so the time of day stays the real one
		process.stdout.write(`${daysBetween(bureauDay(Date.now()), o.today) * DAY_MS}\n`);
		return;
	}
	TODAY = o.today || bureauDay(gatewayNowMs());
	if (o.printToday) {
		process.stdout.write(`${TODAY}\n`);
		return;
	}
	const rnd = makeRandom(o.seed);
	fs.mkdirSync(o.out, { recursive: true });

	const occ = new CsvFile(o.out, 'occupations.csv', ['职业代码', '职业名称', '职业类别']);
	for (const [code, name, group] of OCCUPATIONS) occ.row([code, name, group]);
	occ.close();

	const insts = genInstitutions(rnd);
	const inst = new CsvFile(o.out, 'institutions.csv', ['机构代码', '机构名称', '区县', '是否目录内']);
	for (const i of insts) {
		inst.row([i.code, i.name, REGIONS.find((r) => r[0] === i.region)[1], i.catalogued ? '是' : '否']);
	}
	inst.close();

	const courses = genCourses(rnd, insts);

	// workers: the demo people first, then N - 5 generated ones
	const people = DEMO.map((p) => ({ ...p, id: makeId(p.d17),
		note: p.note.replace('{year}', TODAY.slice(0, 4)),
		birth: `${p.d17.slice(6, 10)}-${p.d17.slice(10, 12)}-${p.d17.slice(12, 14)}` }));
	const ids = new Set(DEMO.map((p) => p.d17));
	const wf = new CsvFile(o.out, 'workers.csv',
		['身份证号', '姓名', '手机号', '区县', '重点群体', '出生日期']);
	for (const p of people) {
		wf.row([p.id, p.name, p.key === 'unbound' ? '' : p.mobile, p.region, p.groups, p.birth]);
	}
	const workers = [];
	const poolMax = 20000;		// who the records are drawn from
	for (let i = people.length; i < o.workers; i++) {
		const w = genWorker(rnd, i, ids);
		wf.row([w.id, w.name, w.mobile, w.region, w.groups, w.birth]);
		if (workers.length < poolMax || rnd.chance(0.05)) workers.push({ id: w.id });
	}
	const nWorkers = wf.close();

	const rec = new Records(rnd, o.out);
	genDemoPeople(rec, courses, people);
	const pool = workers.slice(0, poolMax);
	genHistory(rnd, rec, courses, pool);
	genOpenEnrolments(rnd, rec, courses, pool);
	genOtherSubsidies(rnd, rec, workers);
	const counts = rec.close();

	const cf = new CsvFile(o.out, 'courses.csv',
		['课程编号', '课程名称', '职业', '等级', '培训类型', '机构代码', '区县', '开班日期',
		 '结业日期', '报名截止日期', '计划人数', '补贴标准', '状态', '考勤抽查', '上课时间']);
	for (const c of courses) {
		cf.row([c.code, c.name, c.occ, c.level, c.type, c.inst, c.region, c.start, c.end,
			c.deadline, c.capacity, c.yuan, c.status, c.checks || '', c.hours || '']);
	}
	cf.close();

	counts.workers = nWorkers;
	writeNumbers(o.out, people, courses, o.seed, counts);
	process.stdout.write(`gen-demo: ${o.out} (today ${TODAY}): ${OCCUPATIONS.length} occupations, ${insts.length} ` +
		`institutions, ${courses.length} courses, ${nWorkers} workers, ${counts.enrolments} ` +
		`enrolments, ${counts.certificates} certificates, ${counts.subsidies} subsidies\n`);
}

main();
