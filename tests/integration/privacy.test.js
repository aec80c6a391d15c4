'use strict';
// privacy.test.js - where personal data may not go. The database, its
// directory and its -wal are private (0600/0700); exports and campaign
// reports are 0600 and a symlink planted at their name is replaced, never
// written through; the log, even at debug level, holds no ID number, no
// name and no message text, and numbers only masked (138****8000) unless
// gateway.log_numbers is true.

const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { gwTest, until, ROOT } = require('./lib/gw');

const ID = '44520219850505321X';	// a valid resident ID (ISO 7064 check X)
const NAME = '李四海';
const PHONE = '8613800138077';
const MASKED = '138****8077';
const SECRET_TEXT = 'PRIVATETEXT';
const COMMANDS = {
	enabled: true, messages: path.join(ROOT, 'conf', 'messages.conf'), signature: '【揭阳人社】',
	hotline: '12333', rate_limit: 100, rate_window: 60, register_max_failures: 5, list_parts: 3,
};

function mode(f) { return fs.statSync(f).mode & 0o777; }

function roster(gw) {
	gw.db(`INSERT INTO worker (id, id_number, name, msisdn, region, birth_date, bound_by, created_at, updated_at)
		VALUES (1, '${ID}', '${NAME}', NULL, '445202', '1985-05-05', NULL, 0, 0);
		INSERT INTO occupation (code, name, grp, created_at, updated_at) VALUES ('E1', '电工', '制造', 0, 0);
		INSERT INTO institution (code, name, region, catalogued, created_at, updated_at)
		VALUES ('I1', '普宁职校', '445281', 1, 0, 0);
		INSERT INTO course (code, name, occupation, level, training_type, institution, region, start_date,
		end_date, enrol_deadline, capacity, subsidy_fen, status, created_at, updated_at)
		VALUES ('2031', '电工初级班', 'E1', 5, 'employment', 'I1', '445281', '2099-01-10', '2099-02-10',
		'2099-01-01', 30, 120000, 'open', 0, 0);`);
}

async function ask(sim, from, text) {
	const before = sim.messages.filter((m) => m.to === from).length;
	const r = await sim.sendMo({ from, to: '12333', text });
	assert.equal(r.status, 0);
	await sim.until(() => sim.messages.filter((m) => m.to === from).length > before, 10000, `reply to ${text}`);
}

gwTest('the database, its directory and its WAL are private', { timeout: 20000 }, async (t, h) => {
	const sim = await h.smsc();
	const dir = h.tmpdir();
	const db = path.join(dir, 'state', 'skillgw.db');
	const gw = await h.gateway({ sim, gateway: { database: db } });
	await gw.waitBound();
	gw.send(PHONE, 'x');
	await sim.waitMessage((m) => m.to === PHONE);
	assert.equal(mode(path.dirname(db)), 0o700, 'directory 0700');
	assert.equal(mode(db), 0o600, 'database 0600');
	assert.equal(mode(`${db}-wal`), 0o600, 'WAL 0600');
	await gw.stopClean();
});

gwTest('exports and campaign reports are 0600 and never follow a planted symlink', { timeout: 30000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, extra: { commands: COMMANDS, notices: { optout_hint: '回TD退订' } } });
	await gw.waitBound();
	roster(gw);
	await ask(sim, PHONE, `ZC ${ID} ${NAME}`);
	await ask(sim, PHONE, 'BM 2031');
	const victim = path.join(gw.dir, 'victim.txt');
	fs.writeFileSync(victim, 'untouched\n');
	const out = path.join(gw.dir, 'enrolments.csv');
	fs.symlinkSync(victim, out);
	const r = gw.ctl(['export', 'enrolments', out]);
	assert.equal(r.code, 0, r.stderr);
	assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched\n', 'the symlink target is untouched');
	assert.ok(fs.lstatSync(out).isFile(), 'the export replaced the symlink');
	assert.equal(mode(out), 0o600);
	assert.match(fs.readFileSync(out, 'utf8'), /2031/);
	assert.deepEqual(fs.readdirSync(gw.dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary left');
	// a campaign report
	const c = gw.ctl(['--json', 'notice', 'create', '--name', 'n', '--text', '你好', '--course', '2031']);
	assert.equal(c.code, 0, c.stderr);
	const rep = path.join(gw.dir, 'report.csv');
	fs.symlinkSync(victim, rep);
	const rr = gw.ctl(['notice', 'report', String(JSON.parse(c.stdout).id), rep]);
	assert.equal(rr.code, 0, rr.stderr);
	assert.ok(fs.lstatSync(rep).isFile());
	assert.equal(mode(rep), 0o600);
	assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched\n');
	await gw.stopClean();
});

gwTest('logs at debug level hold no ID number, name or text; numbers are masked unless log_numbers', { timeout: 40000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, gateway: { log_level: 'debug' }, extra: { commands: COMMANDS } });
	await gw.waitBound();
	roster(gw);
	await ask(sim, PHONE, `ZC ${ID} ${NAME}`);
	await ask(sim, PHONE, `BZ ${SECRET_TEXT}`);
	await ask(sim, PHONE, 'BT');
	gw.send(PHONE, `notice ${SECRET_TEXT}`);
	await sim.waitMessage((m) => m.text === `notice ${SECRET_TEXT}`);
	// a malformed PDU, logged with its dump at debug level
	const P = require('../sim/pdu');
	const body = P.smBody({ source_addr: PHONE, destination_addr: '12333', short_message: Buffer.from(SECRET_TEXT) });
	sim.writeRaw(P.rawPdu({ command_id: P.CMD.deliver_sm, sequence_number: 0x5000, body: Buffer.concat([body, Buffer.from([1])]) }));
	await gw.waitLog(/malformed deliver_sm/);
	await gw.waitLog(/addresses and texts blanked/);
	await gw.stopClean();
	const log = gw.logText;
	for (const [what, s] of [['ID number', ID], ['ID digits', ID.slice(6, 14)], ['name', NAME],
		['text', SECRET_TEXT], ['number', PHONE], ['national number', PHONE.slice(2)]]) {
		assert.ok(!log.includes(s), `the log holds no ${what}: ${gw.lines(new RegExp(s)).slice(0, 2).join(' | ')}`);
	}
	assert.ok(log.includes(MASKED), 'the masked number is there');
	assert.ok(!log.includes(Buffer.from(SECRET_TEXT).toString('hex')), 'no text in hex dumps');

	// full numbers when asked for
	gw.rewrite({ gateway: { log_numbers: true } });
	gw.start();
	await gw.waitBound();
	await ask(sim, PHONE, 'BT');
	await until(() => gw.lines(new RegExp(`${PHONE}: subsidy`), gw.mark).length > 0, { what: 'full number in the log' });
	await gw.stopClean();
});
