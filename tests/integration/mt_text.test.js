'use strict';
// mt_text.test.js - MT text on the wire: a long Chinese text as numbered UDH
// parts (UCS-2), GSM 03.38 with escapes (data_coding 0), part boundaries.

const assert = require('node:assert/strict');
const { gwTest } = require('./lib/gw');
const T = require('../sim/text');

const PASSAGE = '您好，您报名的职业技能培训课程已审核通过，请按时到培训机构参加学习。' +
	'培训结束并考核合格后，培训补贴将发放到您的社会保障卡，如有疑问请回复帮助或拨打人社服务热线。' +
	'揭阳市人力资源和社会保障局提醒您：终身职业技能培训制度面向城乡全体劳动者，农民工、退役军人、' +
	'失业人员和高校毕业生均可免费参加。';

function chinese(n) {
	let s = '';
	while (s.length < n) s += PASSAGE;
	return s.slice(0, n);
}

function checkConcat(msg, { total, lens }) {
	assert.equal(msg.parts, total, `parts: ${msg.parts}`);
	const refs = new Set(msg.recs.map((r) => r.concat && r.concat.ref));
	assert.equal(refs.size, 1, 'one reference for every part');
	for (const [i, r] of msg.recs.entries()) {
		assert.ok(r.esm_class & 0x40, `part ${i + 1}: UDHI set in esm_class (0x${r.esm_class.toString(16)})`);
		assert.ok(r.concat, `part ${i + 1}: concatenation IE present`);
		assert.equal(r.concat.total, total);
		assert.equal(r.concat.seq, i + 1);
	}
	// parts went out numbered in order of sending too
	const sent = [...msg.recs].sort((a, b) => a.seq - b.seq).map((r) => r.concat.seq);
	assert.deepEqual(sent, Array.from({ length: total }, (_, i) => i + 1));
	if (lens) assert.deepEqual(msg.recs.map((r) => r.text.length), lens);
}

gwTest('a 300-character Chinese MT arrives as 5 UCS-2 parts of 67 that join back', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const text = chinese(300);
	assert.equal(text.length, 300);
	const id = gw.send('8613800138000', text);
	const msg = await sim.waitMessage((m) => m.to === '8613800138000', 10000);
	assert.equal(msg.data_coding, 8);
	for (const r of msg.recs) assert.equal(r.data_coding, 8);
	checkConcat(msg, { total: 5, lens: [67, 67, 67, 67, 32] });
	assert.equal(msg.recs[0].concat.bits, 8, 'default long_messages = "udh" uses an 8-bit reference');
	assert.equal(msg.text, text);
	assert.deepEqual(sim.violations, []);

	const row = await gw.waitMtState(id, [2, 3]);
	assert.equal(row.parts, 5);
	const parts = gw.db(`SELECT part, smsc_id FROM mt_part WHERE mt_id = ${id} ORDER BY part`);
	assert.equal(parts.length, 5);
	assert.deepEqual(parts.map((p) => p.smsc_id).sort(), [...msg.ids].sort(), 'mt_part keeps the SMSC ids as given');
	await gw.stopClean();
});

gwTest('UCS-2 split never cuts a surrogate pair; 70 characters stay one part', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const emoji = `${chinese(66)}😀${chinese(20)}`;	// the pair would straddle 67
	const seventy = chinese(70);
	gw.send('8613800138010', emoji);
	gw.send('8613800138011', seventy);
	const m1 = await sim.waitMessage((m) => m.to === '8613800138010', 10000);
	const m2 = await sim.waitMessage((m) => m.to === '8613800138011', 10000);
	assert.equal(m1.text, emoji);
	assert.equal(m1.parts, 2);
	for (const r of m1.recs) assert.ok(r.text.length <= 67, `part of ${r.text.length} UTF-16 units`);
	assert.equal(m2.parts, 1);
	assert.equal(m2.text, seventy);
	assert.equal(m2.recs[0].esm_class & 0x40, 0, 'no UDH on a single part');
	assert.deepEqual(sim.violations, [], 'no lone surrogate in any part');
	await gw.stopClean();
});

gwTest('GSM text with escapes arrives intact with data_coding 0; escapes are never split', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const esc = 'Fee €120 [level 3] {room 5} ~ ^ | \\ @£$¥ èéùìò ÄÖÑÜ§¿ äöñüà ΔΦΓΛΩΠΨΣΘΞ_ Æ æß É!';
	assert.ok(T.gsmCanEncode(esc) && T.gsmSeptetCount(esc) <= 160);
	const exact160 = `${'a'.repeat(158)}€`;		// 160 septets: one part
	const boundary = `${'x'.repeat(152)}€${'y'.repeat(10)}`;	// € would straddle 153
	gw.send('8613800138020', esc);
	gw.send('8613800138021', exact160);
	gw.send('8613800138022', boundary);
	const m1 = await sim.waitMessage((m) => m.to === '8613800138020', 10000);
	const m2 = await sim.waitMessage((m) => m.to === '8613800138021', 10000);
	const m3 = await sim.waitMessage((m) => m.to === '8613800138022', 10000);

	assert.equal(m1.data_coding, 0);
	assert.equal(m1.parts, 1);
	assert.equal(m1.text, esc);
	const ud = m1.recs[0].ud;
	assert.ok(ud.includes(Buffer.from([0x1B, 0x65])), '€ sent as 0x1B 0x65');
	assert.ok(ud.every((b) => b < 0x80), 'unpacked septets only');

	assert.equal(m2.parts, 1, '160 septets with an escape fit one SMS');
	assert.equal(m2.text, exact160);

	assert.equal(m3.parts, 2);
	assert.equal(m3.text, boundary);
	checkConcat(m3, { total: 2 });
	for (const r of m3.recs) {
		assert.ok(r.ud.length <= 153, `part of ${r.ud.length} septets`);
		assert.notEqual(r.ud[r.ud.length - 1], 0x1B, 'a part does not end inside an escape');
	}
	assert.deepEqual(sim.violations, []);
	await gw.stopClean();
});

for (const method of ['sar', 'payload']) {
	gwTest(`long_messages = "${method}": a long Chinese MT arrives whole`, { timeout: 25000 }, async (t, h) => {
		const sim = await h.smsc();
		const gw = await h.gateway({ sim, link: { long_messages: method } });
		await gw.waitBound();
		const text = chinese(150);
		gw.send('8613800138030', text);
		const msg = await sim.waitMessage((m) => m.to === '8613800138030', 10000);
		assert.equal(msg.text, text);
		assert.equal(msg.data_coding, 8);
		if (method === 'sar') {
			assert.equal(msg.parts, 3);
			for (const [i, r] of msg.recs.entries()) {
				assert.ok(r.sar, 'SAR TLVs present');
				assert.equal(r.sar.seq, i + 1);
				assert.equal(r.sar.total, 3);
				assert.equal(r.esm_class & 0x40, 0, 'no UDH with SAR');
			}
		} else {
			assert.equal(msg.parts, 1);
			assert.equal(msg.recs[0].payload, true, 'sent in message_payload');
			assert.equal(msg.recs[0].sm_length, 0);
		}
		assert.deepEqual(sim.violations, []);
		await gw.stopClean();
	});
}
