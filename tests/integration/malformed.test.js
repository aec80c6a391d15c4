'use strict';
// malformed.test.js - bad input from the SMSC: absurd command_length (8 and
// 10 MB), an unknown command id, a truncated deliver_sm, vendor statuses in
// responses. The daemon stays up, relinks where it must, and still delivers.

const assert = require('node:assert/strict');
const { gwTest } = require('./lib/gw');
const P = require('../sim/pdu');
const T = require('../sim/text');

let counter = 0;

/** Queue one MT and wait until the SMSC has it: the daemon still works. */
async function stillDelivers(gw, sim, label) {
	const to = String(8613400000000 + (++counter));
	const text = `still alive ${label}`;
	gw.send(to, text);
	await sim.waitMessage((m) => m.to === to && m.text === text, 15000, `MT after ${label}`);
	assert.ok(gw.alive(), 'skillgw is running');
}

function waitClose(sim, conn, ms) {
	return conn.closed ? Promise.resolve(conn)
		: sim.waitFor('close', (c) => c === conn, ms, `connection ${conn.id} closed by the gateway`);
}

for (const [name, len] of [['8', 8], ['10 MB', 10 * 1024 * 1024]]) {
	gwTest(`a command_length of ${name} closes the connection; the daemon relinks and delivers`, { timeout: 30000 }, async (t, h) => {
		const sim = await h.smsc();
		const gw = await h.gateway({ sim });
		await gw.waitBound();
		const mark = gw.logText.length;
		const conn = sim.rxConns()[0];
		const pdu = P.rawPdu({ command_id: P.CMD.deliver_sm, sequence_number: 0x70000001, command_length: len });
		sim.writeRaw(Buffer.concat([pdu, Buffer.alloc(32, 0x41)]), { conn });
		await waitClose(sim, conn, 5000);
		t.diagnostic(`log after the bad length: ${gw.logText.slice(mark).split('\n').filter(Boolean).slice(0, 3).join(' | ')}`);
		assert.ok(gw.logText.length > mark, 'the daemon logged something about it');
		assert.ok(gw.alive());
		await gw.waitBound({ n: 2, timeout: 10000 });
		await stillDelivers(gw, sim, `length ${name}`);
		await gw.stopClean();
	});
}

gwTest('an unknown command id gets generic_nack ESME_RINVCMDID with the same sequence number', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const conn = sim.rxConns()[0];
	// a header-only PDU, then one with a body followed in the same write by
	// an enquire_link: the framing must skip the unknown body
	const nack1 = sim.waitFor('generic_nack', (e) => e.pdu.sequence_number === 0x70000010, 5000, 'generic_nack for 0x70000010');
	sim.writeRaw(P.rawPdu({ command_id: 0x000000F0, sequence_number: 0x70000010 }), { conn });
	const n1 = await nack1;
	assert.equal(n1.pdu.command_status, P.STATUS.ESME_RINVCMDID);

	const nack2 = sim.waitFor('generic_nack', (e) => e.pdu.sequence_number === 0x70000011, 5000, 'generic_nack for 0x70000011');
	const elr = sim.waitFor('enquire_link_resp', (e) => e.pdu.sequence_number === 0x70000012, 5000, 'enquire_link_resp after it');
	sim.writeRaw(Buffer.concat([
		P.rawPdu({ command_id: 0x00010234, sequence_number: 0x70000011, body: Buffer.from('unknown body bytes') }),
		P.rawPdu({ command_id: P.CMD.enquire_link, sequence_number: 0x70000012 }),
	]), { conn });
	const n2 = await nack2;
	assert.equal(n2.pdu.command_status, P.STATUS.ESME_RINVCMDID);
	const e = await elr;
	assert.equal(e.pdu.command_status, 0);
	assert.ok(!conn.closed, 'the link stays up');
	await stillDelivers(gw, sim, 'unknown command id');
	await gw.stopClean();
});

gwTest('a truncated deliver_sm gets an error response or generic_nack, no MO row; the daemon goes on', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const conn = sim.rxConns()[0];
	const full = P.smBody({
		source_addr: '8613800138000', destination_addr: '12333', data_coding: 0,
		short_message: T.gsmEncode('this body will be cut short'),
	});
	const variants = [
		// the PDU ends in the middle of source_addr (length consistent with the octets)
		{ seq: 0x70000020, body: full.subarray(0, 6) },
		// sm_length says 27, only 5 octets of short_message follow
		{ seq: 0x70000021, body: full.subarray(0, full.length - 22) },
	];
	for (const v of variants) {
		const answer = Promise.race([
			sim.waitFor('deliver_sm_resp', (e) => e.pdu.sequence_number === v.seq, 5000),
			sim.waitFor('generic_nack', (e) => e.pdu.sequence_number === v.seq, 5000),
		]).catch(() => null);
		const closed = sim.waitFor('close', (c) => c === conn, 5000).catch(() => null);
		sim.writeRaw(P.rawPdu({ command_id: P.CMD.deliver_sm, sequence_number: v.seq, body: v.body }), { conn });
		const a = await Promise.race([answer, closed.then((c) => (c ? 'closed' : null))]);
		assert.ok(a, `an answer to the truncated deliver_sm 0x${v.seq.toString(16)} (or a clean close)`);
		if (a === 'closed') {
			t.diagnostic(`truncated deliver_sm 0x${v.seq.toString(16)}: the gateway closed the link`);
			await gw.waitBound({ n: 2, timeout: 10000 });
			break;
		}
		t.diagnostic(`truncated deliver_sm 0x${v.seq.toString(16)}: ${a.pdu.command} status 0x${a.pdu.command_status.toString(16)}`);
		assert.notEqual(a.pdu.command_status, 0, 'not acknowledged as OK');
	}
	assert.equal(gw.dbValue('SELECT count(*) FROM mo'), 0, 'nothing stored from a broken PDU');
	// inbound still works
	const r = await sim.sendMo({ from: '8613800138000', to: '12333', text: 'after truncation' });
	assert.equal(r.status, 0);
	assert.equal(gw.dbValue("SELECT count(*) FROM mo WHERE text = 'after truncation'"), 1);
	await stillDelivers(gw, sim, 'truncated deliver_sm');
	await gw.stopClean();
});

gwTest('an unknown vendor status in responses: the daemon stays up and still delivers', { timeout: 30000 }, async (t, h) => {
	const VENDOR = 0x0444;
	const sim = await h.smsc({ behaviour: { submitStatus: VENDOR, enquireLinkStatus: 0x0401 } });
	const gw = await h.gateway({ sim, link: { enquire_link: 1 }, queue: { retry_min: 1, retry_max: 2 } });
	await gw.waitBound();
	const id = gw.send('8613800138400', 'vendor status');
	const rec = await sim.waitSubmit((r) => r.destination_addr === '8613800138400', 10000);
	assert.equal(rec.status, VENDOR);
	// a few enquire_link answered with a vendor status
	await sim.until(() => sim.counters.enquire_link >= 2, 8000, 'two enquire_link');
	assert.ok(gw.alive());
	sim.behaviour.submitStatus = 0;
	sim.behaviour.enquireLinkStatus = 0;
	// the MT is failed with the status kept, or retried and now accepted
	const row = await gw.waitMtState(id, [2, 3, 4], { timeout: 15000 });
	t.diagnostic(`MT after vendor status: state ${row.state}, smpp_status ${row.smpp_status}, attempts ${row.attempts}`);
	if (row.state === 4) assert.equal(row.smpp_status, VENDOR, 'the vendor status is kept');
	await stillDelivers(gw, sim, 'vendor status');
	await gw.stopClean();
});
