'use strict';
// ussd.js - USSD helpers for the integration tests: a fixture (roster,
// catalogue, subsidies, notices) loaded into the gateway's database with
// SQL, a phone that dials and answers over SMPP through the simulator
// (deliver_sm with ussd_service_op and its_session_info; the gateway's
// screens are read from the submit_sm TLVs), and an HTTP client for the
// aggregator callback.

const assert = require('node:assert/strict');
const http = require('http');
const path = require('path');
const { ROOT, vty } = require('./gw');
const { day, residentId } = require('./roster');

const TLV_OP = 0x0501;
const TLV_ITS = 0x1383;
const OP = { BEGIN: 1, SHOW: 2, END: 17, CONTINUE: 18 };
const MENU = path.join(ROOT, 'conf', 'ussd_menu.conf');
const MESSAGES = path.join(ROOT, 'conf', 'messages.conf');
const SIG = '【揭阳人社】';

// numbers of the fixture
const ZHANG = '8613800138001';	// 张小明, bound, 普宁市: a paid and a rejected subsidy
const CHEN = '8613800138005';	// 陈七, bound, 惠来县: nothing on record, notices
const LI_PHONE = '8613700137002';	// 李四's phone: on the roster, not bound
const STRANGER = '8613999999999';

const ID_ZHANG = residentId('44528119900101123');
const ID_LI = residentId('44520219850505321');
const ID_CHEN = residentId('44522419880808789');

/** Numbers of the load workers, bound by the roster. */
function loadNumber(i) { return String(8613600000000 + i); }

function fixtureSql({ load = 0, courses = 12 } = {}) {
	const course = (code, name, occ, level, inst, region, start, end, deadline, cap, fen, status = 'open') =>
		`('${code}', '${name}', '${occ}', ${level}, 'employment', '${inst}', '${region}', '${start}', '${end}',` +
		` '${deadline}', ${cap}, ${fen}, '${status}', 0, 0)`;
	const list = [
		course('2031', '电工初级班', 'E1', 5, 'I1', '445281', day(40), day(70), day(30), 30, 120000),
		course('2032', '电工初级夜班', 'E1', 5, 'I1', '445281', day(41), day(71), day(30), 1, 120000),
		course('2036', '中式烹调师班', 'C1', 5, 'I3', '445222', day(35), day(55), day(25), 20, 90000),
		course('2040', '育婴员班', 'N1', 5, 'I1', '445281', day(50), day(60), day(30), 20, 80000),
	];
	// many 制造 courses in 普宁 for paging
	for (let i = 0; i < courses; i++) {
		list.push(course(String(3000 + i), `焊工技能提升班第${i + 1}期`, 'W1', 4, 'I1', '445281',
			day(60 + i), day(90 + i), day(45), 25, 150000));
	}
	const workers = [
		`(1, '${ID_ZHANG}', '张小明', '${ZHANG}', '445281', '1990-01-01', 'roster', 0, 0)`,
		`(2, '${ID_LI}', '李四', NULL, '445202', '1985-05-05', NULL, 0, 0)`,
		`(5, '${ID_CHEN}', '陈七', '${CHEN}', '445224', '1988-08-08', 'roster', 0, 0)`,
	];
	for (let i = 0; i < load; i++) {
		workers.push(`(${1000 + i}, '${residentId(`44528119950101${String(i).padStart(3, '0')}`.slice(0, 17))}',` +
			` '工人${i}', '${loadNumber(i)}', '445281', '1995-01-01', 'roster', 0, 0)`);
	}
	const now = Date.now();
	return [
		// history, loaded as a backfill is: no notification for it
		'BEGIN;',
		"INSERT INTO occupation (code, name, grp, created_at, updated_at) VALUES" +
		" ('E1', '电工', '制造', 0, 0), ('W1', '焊工', '制造', 0, 0), ('C1', '中式烹调师', '服务', 0, 0)," +
		" ('N1', '育婴员', '服务', 0, 0);",
		"INSERT INTO institution (code, name, region, catalogued, created_at, updated_at) VALUES" +
		" ('I1', '普宁职校', '445281', 1, 0, 0), ('I3', '揭西培训中心', '445222', 1, 0, 0);",
		"INSERT INTO course (code, name, occupation, level, training_type, institution, region, start_date," +
		` end_date, enrol_deadline, capacity, subsidy_fen, status, created_at, updated_at) VALUES ${list.join(', ')};`,
		`INSERT INTO worker (id, id_number, name, msisdn, region, birth_date, bound_by, created_at, updated_at)` +
		` VALUES ${workers.join(', ')};`,
		"INSERT INTO subsidy (reference, worker_id, kind, occupation, level, amount_fen, status, reason," +
		" applied_date, decided_date, paid_date, year, created_at, updated_at) VALUES" +
		" ('S1', 1, 'training', 'C1', 4, 150000, 'paid', NULL, '2025-06-01', '2025-06-20', '2025-07-01', 2025, 0, 0)," +
		" ('S2', 1, 'appraisal', 'E1', 5, 30000, 'rejected', '材料不全', '2025-08-01', '2025-08-15', NULL, 2025, 0, 0);",
		// three training subsidies in the year the courses start for 陈七: the yearly cap
		"INSERT INTO subsidy (reference, worker_id, kind, occupation, level, amount_fen, status, reason," +
		" applied_date, decided_date, paid_date, year, created_at, updated_at) VALUES" +
		` ('S3', 5, 'training', 'C1', 5, 90000, 'paid', NULL, '${day(-30)}', '${day(-20)}', '${day(-10)}', ${day(40).slice(0, 4)}, 0, 0),` +
		` ('S4', 5, 'training', 'N1', 4, 80000, 'approved', NULL, '${day(-30)}', '${day(-20)}', NULL, ${day(40).slice(0, 4)}, 0, 0),` +
		` ('S5', 5, 'training', 'W1', 5, 80000, 'approved', NULL, '${day(-30)}', '${day(-20)}', NULL, ${day(40).slice(0, 4)}, 0, 0);`,
		// notices that went to 陈七 (a campaign's rows of the MT queue)
		"INSERT INTO mt (dst, text, prio, state, created_at, campaign_id) VALUES" +
		` ('${CHEN}', '【揭阳人社】电工班4月开课，回TD退订', 3, 3, ${now - 3 * 86400e3}, 1),` +
		` ('${CHEN}', '【揭阳人社】焊工班报名中，回TD退订', 3, 3, ${now - 2 * 86400e3}, 1),` +
		` ('${CHEN}', '【揭阳人社】补贴已发放，回TD退订', 3, 2, ${now - 86400e3}, 1),` +
		` ('${CHEN}', '【揭阳人社】失败的通知', 3, 4, ${now}, 1);`,
		'DELETE FROM notify_event;',
		'COMMIT;',
	].join('\n');
}

/** Config groups that turn USSD (and the SMS texts it needs) on. */
function ussdConfig(ussd = {}) {
	return {
		commands: { enabled: true, messages: MESSAGES, signature: SIG, hotline: '12333' },
		ussd: { enabled: true, menu: MENU, ...ussd },
	};
}

/** The USSD screens (submit_sm with ussd_service_op) the simulator got for number. */
function screens(sim, number) {
	return sim.submits.filter((r) => r.destination_addr === number && r.tlvs[TLV_OP]);
}

function screenOf(rec) {
	const its = rec.tlvs[TLV_ITS];
	return {
		text: rec.text, op: rec.tlvs[TLV_OP][0], opLen: rec.tlvs[TLV_OP].length,
		its: its ? its.readUInt16BE(0) : null, dcs: rec.data_coding, src: rec.source_addr,
		end: rec.tlvs[TLV_OP][0] === OP.END,
	};
}

/** A handset dialling the USSD code through the simulator. */
class Phone {
	constructor(sim, number, { sess = 1 + Math.floor(Math.random() * 250) } = {}) {
		this.sim = sim;
		this.number = number;
		this.sess = sess;
		this.seq = 0;
		this.last = null;
	}

	async send(op, text, { end = false, wait = true, its = true, umr } = {}) {
		const before = screens(this.sim, this.number).length;
		const tlvs = { ussd_service_op: op };
		if (its) tlvs.its_session_info = Buffer.from([this.sess, ((this.seq & 0x7F) << 1) | (end ? 1 : 0)]);
		if (umr !== undefined) tlvs.user_message_reference = umr;
		const r = await this.sim.sendMo({ from: this.number, to: '12333', text, split: 'none', tlvs });
		assert.equal(r.status, 0, `deliver_sm_resp for ${JSON.stringify(text)} from ${this.number}`);
		if (!wait) return null;
		await this.sim.until(() => screens(this.sim, this.number).length > before, 10000,
			`a USSD screen for ${this.number} after ${JSON.stringify(text)}`);
		this.last = screenOf(screens(this.sim, this.number)[before]);
		return this.last;
	}

	dial(code = '*12333#', opts) {
		this.seq = 0;
		return this.send(OP.BEGIN, code, opts);
	}

	answer(text, opts) {
		this.seq++;
		return this.send(OP.CONTINUE, text, opts);
	}

	/** The red key: USSR confirm with the end bit, no screen expected. */
	abort() {
		this.seq++;
		return this.send(OP.CONTINUE, '', { end: true, wait: false });
	}
}

/** POST a form to the HTTP callback; resolves {status, body, headers}. */
function post(port, fields, { headers = {}, raw, host = '127.0.0.1', method = 'POST' } = {}) {
	const body = raw !== undefined ? raw : new URLSearchParams(fields).toString();
	return new Promise((resolve, reject) => {
		const req = http.request({
			host, port, method, path: '/ussd', agent: false,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body), ...headers },
		}, (res) => {
			let data = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { data += d; });
			res.on('end', () => resolve({ status: res.statusCode, body: data, headers: res.headers }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

/** UTF-16 units (UCS-2 screens) or GSM septets, as a phone counts them. */
function units(text) {
	// eslint-disable-next-line no-control-regex
	const gsm = /^[\n\r A-Za-z0-9@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€]*$/;
	if (gsm.test(text)) return { n: [...text].reduce((s, c) => s + ('^{}\\[~]|€'.includes(c) ? 2 : 1), 0), limit: 182 };
	return { n: text.length, limit: 80 };
}

module.exports = {
	OP, TLV_OP, TLV_ITS, MENU, MESSAGES, SIG, ZHANG, CHEN, LI_PHONE, STRANGER, ID_ZHANG, ID_LI, ID_CHEN,
	day, residentId, loadNumber, fixtureSql, ussdConfig, screens, screenOf, Phone, post, units, vty,
};
