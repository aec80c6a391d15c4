'use strict';
// sim.test.js - the SMSC simulator itself, driven by a node-smpp client that
// plays the gateway. No skillgw needed: this checks the test peer first.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const smpp = require('smpp');
const { createSmsc } = require('../sim/smsc');
const T = require('../sim/text');
const P = require('../sim/pdu');

function connect(port) {
	return new Promise((resolve, reject) => {
		const s = smpp.connect({ host: '127.0.0.1', port });
		s.on('connect', () => resolve(s));
		s.on('error', reject);
	});
}

function call(session, command, options = {}) {
	return new Promise((resolve) => session[command](options, resolve));
}

async function withSim(t, opts) {
	const sim = await createSmsc({ systemId: 'gw', password: 'pw', ...opts });
	const clients = [];
	t.after(async () => {
		for (const c of clients) c.destroy();
		await sim.close();
	});
	const client = async (mode = 'bind_transceiver', password = 'pw') => {
		const s = await connect(sim.port);
		s.on('error', () => {});
		clients.push(s);
		const r = await call(s, mode, { system_id: 'gw', password, interface_version: 0x34 });
		return { s, r };
	};
	return { sim, client };
}

function submit(s, o) {
	return call(s, 'submit_sm', {
		source_addr: '12333', destination_addr: '8613800138000', registered_delivery: 1, ...o,
	});
}

test('text codecs: every GSM character round-trips; UCS-2 with surrogates', () => {
	const all = T.GSM_BASIC.filter((c, i) => i !== 0x1B).join('') + Object.values(T.GSM_EXT).join('');
	assert.equal(T.gsmDecode(T.gsmEncode(all)), all);
	assert.equal(T.gsmEncode('€')[0], 0x1B);
	assert.equal(T.gsmEncode('€')[1], 0x65);
	assert.equal(T.gsmSeptetCount('a{b}'), 6);
	assert.equal(T.gsmCanEncode('中'), false);
	const u = '技能培训😀';
	assert.equal(T.ucs2DecodeDetailed(T.ucs2Encode(u)).text, u);
	assert.deepEqual(T.ucs2DecodeDetailed(T.ucs2Encode(u).subarray(0, 10)).errors.length, 1);
	assert.ok(T.gsmDecodeDetailed(Buffer.from([0x41, 0x1B])).errors.length === 1);
	// splitting never cuts an escape pair or a surrogate pair
	const g = T.splitText('x'.repeat(152) + '€abc', 'gsm', 153);
	assert.deepEqual(g.map((p) => T.gsmSeptetCount(p)), [152, 5]);
	const s = T.splitText('中'.repeat(66) + '😀z', 'ucs2', 67);
	assert.deepEqual(s.map((p) => p.length), [66, 3]);
});

test('bind: right password binds, wrong one gets ESME_RINVPASWD, wrong system_id ESME_RINVSYSID', async (t) => {
	const { sim, client } = await withSim(t);
	const ok = await client();
	assert.equal(ok.r.command_status, 0);
	assert.equal(ok.r.system_id, 'SIMSC');
	const bad = await client('bind_transceiver', 'nope');
	assert.equal(bad.r.command_status, 0x0E);
	const s3 = await connect(sim.port);
	s3.on('error', () => {});
	const r3 = await call(s3, 'bind_transmitter', { system_id: 'other', password: 'pw' });
	s3.destroy();
	assert.equal(r3.command_status, 0x0F);
	assert.equal(sim.binds.length, 3);
	assert.deepEqual(sim.binds.map((b) => b.status), [0, 0x0E, 0x0F]);
	const el = await call(ok.s, 'enquire_link');
	assert.equal(el.command_status, 0);
	const ub = await call(ok.s, 'unbind');
	assert.equal(ub.command_status, 0);
	assert.equal(sim.counters.unbind, 1);
});

test('submit_sm: GSM with escapes, decimal ids, not bound gets ESME_RINVBNDSTS', async (t) => {
	const { sim, client } = await withSim(t, { behaviour: { idFormat: 'decimal', idStart: 41 } });
	const s0 = await connect(sim.port);
	s0.on('error', () => {});
	const r0 = await submit(s0, { data_coding: 0, short_message: T.gsmEncode('x') });
	s0.destroy();
	assert.equal(r0.command_status, 0x04);
	const { s } = await client();
	const txt = 'Price 5€ [ok] {a} ~^|\\ @£$¥ èé';
	const r = await submit(s, { data_coding: 0, short_message: T.gsmEncode(txt) });
	assert.equal(r.command_status, 0);
	assert.equal(r.message_id, '41');
	assert.equal(sim.messages.length, 1);
	assert.equal(sim.messages[0].text, txt);
	assert.equal(sim.messages[0].to, '8613800138000');
	assert.deepEqual(sim.messages[0].ids, ['41']);
	assert.equal(sim.violations.length, 1);
	assert.match(sim.violations[0], /submit_sm while not bound/);
	sim.violations.length = 0;
	// a part ending in a bare escape is reported
	await submit(s, { data_coding: 0, short_message: Buffer.from([0x41, 0x1B]) });
	assert.equal(sim.violations.length, 1);
});

test('submit_sm: UDH 8-bit and 16-bit, SAR and message_payload are joined', async (t) => {
	const { sim, client } = await withSim(t);
	const { s } = await client('bind_transmitter');
	const zh = '人力资源和社会保障局职业技能培训补贴'.repeat(8).slice(0, 140);
	const parts = T.splitText(zh, 'ucs2', 67);
	assert.equal(parts.length, 3);
	// out of order on purpose
	for (const i of [2, 0, 1]) {
		const udh = Buffer.from([5, 0, 3, 0x7A, parts.length, i + 1]);
		await submit(s, { data_coding: 8, esm_class: 0x40, short_message: Buffer.concat([udh, T.ucs2Encode(parts[i])]) });
	}
	for (let i = 0; i < 2; i++) {
		const udh = Buffer.from([6, 8, 4, 0x12, 0x34, 2, i + 1]);
		await submit(s, { data_coding: 0, esm_class: 0x40, short_message: Buffer.concat([udh, T.gsmEncode(i ? 'world' : 'hello ')]) });
	}
	for (let i = 0; i < 2; i++) {
		await submit(s, {
			data_coding: 0, short_message: T.gsmEncode(i ? 'B' : 'A'),
			sar_msg_ref_num: 9, sar_total_segments: 2, sar_segment_seqnum: i + 1,
		});
	}
	const long = 'L'.repeat(300);
	await submit(s, { data_coding: 0, short_message: Buffer.alloc(0), message_payload: T.gsmEncode(long) });
	assert.equal(sim.messages.length, 4);
	assert.equal(sim.messages[0].text, zh);
	assert.equal(sim.messages[0].parts, 3);
	assert.equal(sim.messages[0].ref, 0x7A);
	assert.deepEqual(sim.messages[0].recs.map((r) => r.concat.seq), [1, 2, 3]);
	assert.equal(sim.messages[1].text, 'hello world');
	assert.equal(sim.messages[1].ref, 0x1234);
	assert.equal(sim.messages[2].text, 'AB');
	assert.equal(sim.messages[3].text, long);
	assert.equal(sim.messages[3].recs[0].payload, true);
	assert.deepEqual(sim.violations, []);
});

test('throttle answers 0x58 above N per second; submitStatus and onSubmit hooks', async (t) => {
	const { sim, client } = await withSim(t, { behaviour: { throttle: 10 } });
	const { s } = await client();
	const rs = await Promise.all(Array.from({ length: 30 }, (_, i) =>
		submit(s, { data_coding: 0, destination_addr: String(1000 + i), short_message: T.gsmEncode('t') })));
	assert.equal(rs.filter((r) => r.command_status === 0).length, 10);
	assert.equal(rs.filter((r) => r.command_status === 0x58).length, 20);
	assert.equal(sim.counters.throttled, 20);
	sim.behaviour.throttle = 0;
	sim.behaviour.submitStatus = 0x444;
	const rv = await submit(s, { data_coding: 0, short_message: T.gsmEncode('v') });
	assert.equal(rv.command_status, 0x444);
	sim.behaviour.submitStatus = 0;
	sim.behaviour.onSubmit = (rec) => (rec.text === 'slow' ? { delayMs: 200 } : undefined);
	const t0 = Date.now();
	await submit(s, { data_coding: 0, short_message: T.gsmEncode('slow') });
	assert.ok(Date.now() - t0 >= 190);
});

test('receipts: TLV form and text form, hex submit id with decimal receipt id', async (t) => {
	const { sim, client } = await withSim(t, { behaviour: { dlr: { form: 'both', idFormat: 'decimal', delayMs: 10 }, idStart: 255 } });
	const { s } = await client();
	const got = new Promise((resolve) => s.on('deliver_sm', (pdu) => { s.send(pdu.response()); resolve(pdu); }));
	const r = await submit(s, { data_coding: 0, short_message: T.gsmEncode('hello') });
	assert.equal(r.message_id, 'FF');
	const d = await got;
	const raw = P.parseSm(d.raw);
	assert.equal(raw.esm_class, 0x04);
	assert.equal(raw.source_addr, '8613800138000');
	assert.equal(raw.destination_addr, '12333');
	const txt = T.gsmDecode(raw.short_message);
	assert.match(txt, /^id:255 sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:hello$/);
	assert.equal(raw.tlvs[P.TLV.receipted_message_id].toString('latin1'), '255\0');
	assert.equal(P.tlvInt(raw.tlvs[P.TLV.message_state]), 2);
	await sim.until(() => sim.dlrs.length === 1, 2000, 'dlr resp');
	assert.equal(sim.dlrs[0].status, 0);
});

test('receipts wait for a receiver (tx+rx) and go to it', async (t) => {
	const { sim, client } = await withSim(t, { behaviour: { dlr: { delayMs: 0 } } });
	const tx = await client('bind_transmitter');
	await submit(tx.s, { data_coding: 0, short_message: T.gsmEncode('x') });
	await new Promise((r) => setTimeout(r, 50));
	assert.equal(sim.pendingDeliveries.length, 1);
	const rx = await connect(sim.port);
	rx.on('error', () => {});
	t.after(() => rx.destroy());
	const got = new Promise((resolve) => rx.on('deliver_sm', (pdu) => { rx.send(pdu.response()); resolve(pdu); }));
	await call(rx, 'bind_receiver', { system_id: 'gw', password: 'pw' });
	const d = await got;
	assert.equal(d.message_state, 2);
	assert.equal(d.receipted_message_id, '1');
});

test('MO: UDH parts, SAR, resp status and timing; raw writes; drop', async (t) => {
	const { sim, client } = await withSim(t);
	const { s } = await client();
	const seen = [];
	let answer = 0;
	s.on('deliver_sm', (pdu) => {
		seen.push(P.parseSm(pdu.raw));
		setTimeout(() => s.send(pdu.response({ command_status: answer })), 20);
	});
	const txt = 'A'.repeat(200) + '€';
	const r = await sim.sendMo({ from: '8613800138000', to: '12333', text: txt, ref: 7 });
	assert.equal(r.status, 0);
	assert.equal(r.parts.length, 2);
	assert.ok(r.parts.every((p) => p.ms >= 15), 'timing measured');
	assert.deepEqual(seen.map((p) => [...p.short_message.subarray(0, 6)]), [[5, 0, 3, 7, 2, 1], [5, 0, 3, 7, 2, 2]]);
	assert.equal(seen[0].data_coding, 0);
	const joined = seen.map((p) => T.gsmDecode(p.short_message.subarray(6))).join('');
	assert.equal(joined, txt);
	seen.length = 0;
	const zh = '报名'.repeat(40);
	const r2 = await sim.sendMo({ from: '8613800138000', to: '12333', text: zh, split: 'sar', ref: 300 });
	assert.equal(r2.status, 0);
	assert.equal(seen.length, 2);
	assert.equal(seen[0].data_coding, 8);
	assert.equal(P.tlvInt(seen[1].tlvs[P.TLV.sar_msg_ref_num]), 300);
	assert.equal(P.tlvInt(seen[1].tlvs[P.TLV.sar_segment_seqnum]), 2);
	answer = 0x58;
	const r3 = await sim.sendMo({ from: '1', to: '2', text: 'x' });
	assert.equal(r3.status, 0x58);

	// raw: an unknown command id to the client, which answers generic_nack
	s.on('unknown', (pdu) => s.send(pdu.response()));
	const nack = sim.waitFor('generic_nack', (e) => e.pdu.sequence_number === 0x1234, 2000);
	sim.writeRaw(P.rawPdu({ command_id: 0x00000099, sequence_number: 0x1234 }));
	const n = await nack;
	assert.equal(n.pdu.command_status, 0x03);

	// the simulator answers unknown commands with generic_nack too
	const gn = await new Promise((resolve) => {
		s.on('generic_nack', resolve);
		s.socket.write(P.rawPdu({ command_id: 0x000000AA, sequence_number: 77 }));
	});
	assert.equal(gn.sequence_number, 77);
	assert.equal(gn.command_status, 0x03);

	const closed = new Promise((resolve) => s.on('close', resolve));
	sim.dropConnections();
	await closed;
	assert.equal(sim.conns.size, 0);
});

test('dropAfterAccepted drops the link once, mid-stream', async (t) => {
	const { sim, client } = await withSim(t, { behaviour: { dropAfterAccepted: 5 } });
	const { s } = await client();
	const closed = new Promise((resolve) => s.on('close', resolve));
	for (let i = 0; i < 10; i++) submit(s, { data_coding: 0, short_message: T.gsmEncode(`m${i}`) });
	await closed;
	assert.ok(sim.counters.accepted >= 5 && sim.counters.accepted <= 10);
	assert.equal(sim.counters.drops, 1);
});
