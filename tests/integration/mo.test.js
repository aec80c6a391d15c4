'use strict';
// mo.test.js - inbound messages: stored before deliver_sm_resp, concatenated
// parts (UDH 8/16-bit, SAR) stored as one row, a missing part delivered as
// what arrived after the timeout.

const assert = require('node:assert/strict');
const { gwTest, until } = require('./lib/gw');

gwTest('an MO is in table mo when its deliver_sm_resp arrives', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const cases = [
		{ from: '8613800138000', text: 'BZ', dcs: 0 },
		{ from: '8613800138001', text: '补贴 查询', dcs: 8 },
		{ from: '8613800138002', text: 'price {5€}', dcs: 0 },
	];
	for (const c of cases) {
		let seen = null;
		const r = await sim.sendMo({
			from: c.from, to: '12333', text: c.text,
			// first thing in the response handler: look in the database
			onResp: (resp) => {
				seen = { status: resp.status, rows: gw.db(`SELECT src, dst, dcs, text, parts FROM mo WHERE src = '${c.from}'`) };
			},
		});
		assert.equal(r.status, 0, `deliver_sm_resp status ${r.status}`);
		assert.ok(seen, 'response seen');
		assert.equal(seen.rows.length, 1, `MO from ${c.from} committed before its deliver_sm_resp`);
		assert.equal(seen.rows[0].text, c.text);
		assert.equal(seen.rows[0].dcs, c.dcs);
		assert.equal(seen.rows[0].dst, '12333');
		assert.equal(seen.rows[0].parts, 1);
		t.diagnostic(`MO ${JSON.stringify(c.text)}: deliver_sm_resp after ${r.parts[0].ms.toFixed(1)} ms`);
	}
	assert.ok(gw.alive());
	await gw.stopClean();
});

gwTest('a concatenated MO in 3 parts is stored as one row (UDH 8-bit, UDH 16-bit, SAR, out of order)', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const gsm = `${'Enrolment question part one. '.repeat(6)}{level 3} €${'And more words here. '.repeat(9)}`.slice(0, 420);
	const zh = '请问普宁市的电工培训课程什么时候开始报名，补贴标准是多少，需要带什么材料？'.repeat(5).slice(0, 190);
	const cases = [
		{ from: '8613800138100', text: gsm, split: 'udh8' },
		{ from: '8613800138101', text: zh, split: 'udh16' },
		{ from: '8613800138102', text: zh, split: 'sar' },
		{ from: '8613800138103', text: gsm, split: 'udh8', order: [3, 1, 2] },
	];
	for (const c of cases) {
		const r = await sim.sendMo({ from: c.from, to: '12333', text: c.text, split: c.split, order: c.order });
		assert.equal(r.parts.length, 3, `${c.split}: sent in 3 parts`);
		assert.equal(r.status, 0, `${c.split}: every part acknowledged with 0`);
	}
	for (const c of cases) {
		const rows = await until(() => {
			const x = gw.db(`SELECT text, parts, partial, dcs FROM mo WHERE src = '${c.from}'`);
			return x.length ? x : null;
		}, { timeout: 10000, what: `MO row from ${c.from}` });
		assert.equal(rows.length, 1, `${c.split}: one row`);
		assert.equal(rows[0].text, c.text, `${c.split}: text joined`);
		assert.equal(rows[0].parts, 3);
		assert.equal(rows[0].partial, 0);
	}
	assert.equal(gw.dbValue('SELECT count(*) FROM mo_part'), 0, 'no parts left waiting');
	await gw.stopClean();
});

gwTest('a concatenated MO with a missing part is stored as partial after concat_timeout', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, text: { concat_timeout: 2 } });
	await gw.waitBound();
	const parts = ['First part of the text. ', 'Second part, never sent. ', 'Third part.'];
	// parts given explicitly; GSM limit per part does not matter for a test
	const r = await sim.sendMo({ from: '8613800138200', to: '12333', text: parts.join(''), parts, only: [1, 3], ref: 42 });
	assert.equal(r.status, 0);
	const t0 = Date.now();
	const row = await until(() => gw.db("SELECT text, parts, partial FROM mo WHERE src = '8613800138200'")[0],
		{ timeout: 10000, what: 'partial MO row' });
	t.diagnostic(`partial MO stored ${Date.now() - t0} ms after the last part`);
	assert.equal(row.partial, 1);
	assert.ok(row.text.includes('First part of the text.'), `text: ${row.text}`);
	assert.ok(row.text.includes('Third part.'), `text: ${row.text}`);
	assert.ok(!row.text.includes('never sent'));
	await gw.stopClean();
});
