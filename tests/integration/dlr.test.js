'use strict';
// dlr.test.js - delivery receipts mark MTs delivered: TLV form, text form,
// and a two-part message that needs both receipts.

const assert = require('node:assert/strict');
const { gwTest, until } = require('./lib/gw');

for (const form of ['tlv', 'text']) {
	gwTest(`a DLR (${form} form) marks the MT delivered (state 3)`, { timeout: 25000 }, async (t, h) => {
		const sim = await h.smsc({ behaviour: { dlr: { form, delayMs: 100 } } });
		const gw = await h.gateway({ sim });
		await gw.waitBound();
		const id = gw.send('8613800138000', `receipt ${form}`);
		const msg = await sim.waitMessage((m) => m.text === `receipt ${form}`, 10000);
		assert.ok(msg.recs[0].registered_delivery & 0x01, 'registered_delivery requested');
		const row = await gw.waitMtState(id, 3, { timeout: 10000 });
		assert.equal(row.state, 3);
		// the row commits before the deliver_sm_resp leaves: wait for it
		await until(() => sim.dlrs.length >= 1, { what: 'the answer to the receipt' });
		assert.ok(sim.dlrs.length >= 1 && sim.dlrs.every((d) => d.status === 0), `deliver_sm_resp for the receipt: ${JSON.stringify(sim.dlrs.map((d) => d.status))}`);
		const part = gw.db(`SELECT smsc_id, dlr_state FROM mt_part WHERE mt_id = ${id}`)[0];
		assert.equal(part.smsc_id, msg.ids[0]);
		assert.equal(part.dlr_state, 2, 'message_state DELIVERED kept');
		// a receipt is not an MO
		assert.equal(gw.dbValue('SELECT count(*) FROM mo'), 0);
		await gw.stopClean();
	});
}

gwTest('a two-part MT is delivered after both receipts; UNDELIV fails the MT', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc({ behaviour: { dlr: { form: 'both', delayMs: 50 } } });
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const long = 'Your training subsidy application has been received. '.repeat(4);
	const id = gw.send('8613800138300', long);
	const msg = await sim.waitMessage((m) => m.to === '8613800138300', 10000);
	assert.equal(msg.parts, 2);
	const row = await gw.waitMtState(id, 3, { timeout: 10000 });
	assert.equal(row.parts, 2);
	assert.equal(gw.db(`SELECT count(*) AS n FROM mt_part WHERE mt_id = ${id} AND dlr_state = 2`)[0].n, 2);

	sim.behaviour.dlr = { form: 'tlv', delayMs: 50, stat: 'UNDELIV' };
	const id2 = gw.send('8613800138301', 'will not arrive');
	const row2 = await gw.waitMtState(id2, 4, { timeout: 10000 });
	assert.equal(row2.state, 4);
	await gw.stopClean();
});

gwTest('hex ids in submit_sm_resp, decimal ids in receipts: submit_id_format hex + dlr_id_format dec match', { timeout: 25000 }, async (t, h) => {
	// ids above 9 so hex and decimal differ (FF vs 255)
	const sim = await h.smsc({ behaviour: { idFormat: 'hex', idStart: 255, dlr: { form: 'text', idFormat: 'decimal', delayMs: 50 } } });
	const gw = await h.gateway({ sim, link: { submit_id_format: 'hex', dlr_id_format: 'dec' } });
	await gw.waitBound();
	const id = gw.send('8613800138310', 'hex and decimal');
	const msg = await sim.waitMessage((m) => m.to === '8613800138310', 10000);
	assert.equal(msg.ids[0], 'FF');
	const row = await gw.waitMtState(id, 3, { timeout: 10000 });
	assert.equal(row.state, 3);
	await gw.stopClean();
});
