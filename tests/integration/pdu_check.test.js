'use strict';
// pdu_check.test.js - hostile and broken PDUs from the SMSC, written as raw
// octets to the running daemon: the PDU that used to crash it (a TLV whose
// declared length lies, then 60 more), every fixed-size TLV with a wrong
// length, a TLV past the body, an address without its NUL, an sm_length
// larger than what follows, 200 valid TLVs, a body after enquire_link.
// Each is answered with SMPP 3.4's status and the same sequence number,
// logged once without the message text, counted; the link stays up and the
// next MO gets its normal reply. data_sm carries MOs too.

const assert = require('node:assert/strict');
const path = require('path');
const { gwTest, vty, ROOT } = require('./lib/gw');
const P = require('../sim/pdu');
const T = require('../sim/text');

const TLV_MAX = 16;
const ST = {
	RINVMSGLEN: 0x01, RINVCMDLEN: 0x02, RINVSRCADR: 0x0A, RINVSRCTON: 0x48,
	RINVOPTPARSTREAM: 0xC0, RINVPARLEN: 0xC2,
};
const SECRET = 'SECRETTEXT';
const COMMANDS = {
	enabled: true, messages: path.join(ROOT, 'conf', 'messages.conf'), signature: '【揭阳人社】',
	hotline: '12333', rate_limit: 1000, rate_window: 60, register_max_failures: 5, list_parts: 3,
};

function tlv(tag, value) {
	const t = Buffer.alloc(4);
	t.writeUInt16BE(tag, 0);
	t.writeUInt16BE(value.length, 2);
	return Buffer.concat([t, value]);
}

function u16(v) { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; }

/** deliver_sm body from 8613800138000 to 12333 with "SECRETTEXT", then extra octets. */
function body(extra = Buffer.alloc(0), o = {}) {
	return Buffer.concat([P.smBody({
		source_addr: '8613800138000', destination_addr: '12333', data_coding: 0,
		short_message: T.gsmEncode(SECRET), ...o,
	}), extra]);
}

let seq = 0x60000000;

/** Write one raw PDU; resolve with the answer that carries its sequence number. */
async function answer(sim, command_id, b, respName = 'deliver_sm_resp') {
	const s = ++seq;
	const got = Promise.race([
		sim.waitFor(respName, (e) => e.pdu.sequence_number === s, 5000, `${respName} for 0x${s.toString(16)}`),
		sim.waitFor('generic_nack', (e) => e.pdu.sequence_number === s, 5000, `generic_nack for 0x${s.toString(16)}`),
	]);
	sim.writeRaw(P.rawPdu({ command_id, sequence_number: s, body: b }));
	const e = await got;
	return e.pdu;
}

/** An SMS to 12333 from a fresh number gets the help text back. */
let n = 0;
async function normalReply(sim, label) {
	const from = `86137000${String(++n).padStart(5, '0')}`;
	const reply = sim.waitMessage((m) => m.to === from, 10000, `reply after ${label}`);
	const r = await sim.sendMo({ from, to: '12333', text: 'BZ' });
	assert.equal(r.status, 0, `MO after ${label} acknowledged`);
	const m = await reply;
	assert.match(m.text, /ZC/, `help text after ${label}`);
}

async function setup(h) {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, extra: { commands: COMMANDS } });
	await gw.waitBound();
	await gw.waitLog(/SMS commands on/);
	return { sim, gw };
}

gwTest('the crash PDU (a TLV length that lies, then 60 more TLVs) is refused; the daemon answers and goes on', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const tlvs = [Buffer.from([0x02, 0x04, 0xFF, 0xF0, 0x00, 0x01])];
	for (let i = 0; i < 60; i++) tlvs.push(tlv(0x0204, u16(i)));
	const b = body(Buffer.concat(tlvs));
	const mark = gw.logText.length;
	const r = await answer(sim, P.CMD.deliver_sm, b);
	assert.equal(r.command, 'deliver_sm_resp');
	assert.equal(r.command_status, ST.RINVOPTPARSTREAM);
	const lines = gw.lines(/malformed deliver_sm/, mark);
	assert.equal(lines.length, 1, 'one log line');
	assert.match(lines[0], /user_message_reference/);
	assert.ok(!gw.logText.includes(SECRET), 'no message text in the log');
	assert.equal(gw.dbValue('SELECT count(*) FROM mo'), 0, 'nothing stored');
	await normalReply(sim, 'the crash PDU');
	assert.ok(gw.alive());
	await gw.stopClean();
});

gwTest('each fixed-size TLV with a wrong length, a TLV past the body, 200 TLVs: the right status each time', { timeout: 60000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const fixed = [
		[0x0204, 2], [0x020A, 2], [0x020C, 2], [0x020E, 1], [0x020F, 1], [0x0427, 1],
		[0x0501, 1], [0x1383, 2], [0x0017, 4], [0x0423, 3], [0x0019, 1],
	];
	let refused = 0;
	for (const [tag, size] of fixed) {
		for (const len of [size - 1, size + 1]) {
			if (len < 0) continue;
			const r = await answer(sim, P.CMD.deliver_sm, body(tlv(tag, Buffer.alloc(len, 1))));
			assert.equal(r.command_status, ST.RINVPARLEN, `tag 0x${tag.toString(16)} length ${len}`);
			refused++;
		}
	}
	// a TLV whose length runs past the body
	let r = await answer(sim, P.CMD.deliver_sm, body(Buffer.from([0x00, 0x1E, 0x00, 0x40, 0x31, 0x00])));
	assert.equal(r.command_status, ST.RINVOPTPARSTREAM);
	refused++;
	// 200 valid TLVs, and exactly the maximum (accepted)
	const many = (k) => Buffer.concat(Array.from({ length: k }, (_, i) => tlv(0x0204, u16(i))));
	r = await answer(sim, P.CMD.deliver_sm, body(many(200)));
	assert.equal(r.command_status, ST.RINVOPTPARSTREAM);
	refused++;
	r = await answer(sim, P.CMD.deliver_sm, body(many(TLV_MAX), { source_addr: '8613700099999' }));
	assert.equal(r.command_status, 0, `${TLV_MAX} TLVs are accepted`);
	// the counter and the VTY
	const out = await vty(gw.config.gateway.vty.port, ['show smsc']);
	assert.match(out, new RegExp(`malformed ${refused}\\b`), out);
	assert.equal(gw.lines(/malformed deliver_sm/).length, refused);
	await normalReply(sim, 'wrong TLV lengths');
	await gw.stopClean();
});

gwTest('an address without its NUL, sm_length past the end, a bad TON, a body after enquire_link', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	// source_addr: 25 octets and no NUL within 21
	const noNul = Buffer.concat([Buffer.from([0, 1, 1]), Buffer.from('8613800138000123456789012'), Buffer.alloc(30, 0)]);
	let r = await answer(sim, P.CMD.deliver_sm, noNul);
	assert.equal(r.command_status, ST.RINVSRCADR);
	// sm_length 200 with 10 octets after it
	const b = body();
	const smLenAt = b.length - SECRET.length - 1;
	assert.equal(b[smLenAt], SECRET.length);
	b[smLenAt] = 200;
	r = await answer(sim, P.CMD.deliver_sm, b);
	assert.equal(r.command_status, ST.RINVMSGLEN);
	// source TON 7
	r = await answer(sim, P.CMD.deliver_sm, body(undefined, { source_addr_ton: 7 }));
	assert.equal(r.command_status, ST.RINVSRCTON);
	// enquire_link with a body: generic_nack
	r = await answer(sim, P.CMD.enquire_link, Buffer.from([1, 2, 3]), 'enquire_link_resp');
	assert.equal(r.command, 'generic_nack');
	assert.equal(r.command_status, ST.RINVCMDLEN);
	assert.ok(!gw.logText.includes(SECRET), 'no message text in the log');
	assert.ok(!gw.logText.includes('8613800138000123456789012'), 'no address in the log');
	await normalReply(sim, 'broken strings');
	await gw.stopClean();
});

gwTest('data_sm carries an MO: stored, answered with data_sm_resp, replied to', { timeout: 30000 }, async (t, h) => {
	const { sim, gw } = await setup(h);
	const from = '8613700088888';
	const b = Buffer.concat([
		Buffer.from([0, 1, 1]), Buffer.from(`${from}\0`), Buffer.from([0, 1]), Buffer.from('12333\0'),
		Buffer.from([0, 0, 0]), tlv(0x0424, T.gsmEncode('BZ')),
	]);
	const reply = sim.waitMessage((m) => m.to === from, 10000, 'reply to the data_sm');
	const r = await answer(sim, P.CMD.data_sm, b, 'data_sm_resp');
	assert.equal(r.command, 'data_sm_resp');
	assert.equal(r.command_status, 0);
	assert.match((await reply).text, /ZC/);
	assert.equal(gw.dbValue(`SELECT count(*) FROM mo WHERE src = '${from}' AND text = 'BZ'`), 1);
	await gw.stopClean();
});
