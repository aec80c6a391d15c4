'use strict';
// bind.test.js - binding to the SMSC: transceiver, transmitter + receiver,
// and a wrong password (clear log, retry with growing back-off).

const assert = require('node:assert/strict');
const { gwTest, until } = require('./lib/gw');

gwTest('bind transceiver: bound, an MT goes out, SIGTERM unbinds and exits 0', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const ok = sim.binds.filter((b) => b.status === 0);
	assert.equal(ok.length, 1, `one successful bind, saw ${JSON.stringify(sim.binds)}`);
	assert.equal(ok[0].mode, 'transceiver');
	assert.equal(ok[0].system_id, 'skillgw');
	assert.equal(ok[0].password, 'secret1');
	assert.equal(ok[0].interface_version, 0x34);

	const id = gw.send('8613800138000', 'bind test');
	const m = await sim.waitMessage((x) => x.text === 'bind test', 10000);
	assert.equal(m.to, '8613800138000');
	assert.equal(m.from, '12333');
	await gw.waitMtState(id, [2, 3]);

	await gw.stopClean();
	assert.ok(sim.counters.unbind >= 1, 'the gateway sent unbind on SIGTERM');
	assert.deepEqual(sim.violations, []);
});

gwTest('bind tx+rx: a transmitter and a receiver; MT on the first, MO stored from the second', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, link: { bind: 'tx+rx' } });
	await gw.waitBound();
	await until(() => sim.txConns().length === 1 && sim.rxConns().length === 1,
		{ timeout: 10000, what: 'one transmitter and one receiver bound' });
	const modes = sim.binds.filter((b) => b.status === 0).map((b) => b.mode).sort();
	assert.deepEqual(modes, ['receiver', 'transmitter']);
	const tx = sim.txConns()[0];
	const rx = sim.rxConns()[0];
	assert.equal(tx.bound, 'transmitter');
	assert.equal(rx.bound, 'receiver');

	gw.send('8613800138001', 'over the transmitter');
	const m = await sim.waitMessage((x) => x.text === 'over the transmitter', 10000);
	assert.equal(m.recs[0].conn, tx.id, 'submit_sm came on the transmitter connection');

	const r = await sim.sendMo({ from: '8613800138001', to: '12333', text: 'hello rx', conn: rx });
	assert.equal(r.status, 0, `deliver_sm_resp status ${r.status}`);
	const rows = gw.db("SELECT src, dst, text FROM mo WHERE text = 'hello rx'");
	assert.equal(rows.length, 1);
	assert.equal(rows[0].src, '8613800138001');

	await gw.stopClean();
	assert.ok(sim.counters.unbind >= 2, `both sessions unbound (saw ${sim.counters.unbind})`);
	assert.deepEqual(sim.violations, []);
});

gwTest('wrong password: the log names ESME_RINVPASWD, retries with growing back-off, binds once fixed', { timeout: 30000 }, async (t, h) => {
	const sim = await h.smsc({ password: 'not-the-one' });
	const gw = await h.gateway({ sim, link: { reconnect_min: 1, reconnect_max: 8 } });
	await gw.waitLog(/ESME_RINVPASWD/, { timeout: 10000 });
	await until(() => sim.binds.length >= 3, { timeout: 12000, what: `3 bind attempts (saw ${sim.binds.length})` });
	const [a, b, c] = sim.binds;
	assert.ok(sim.binds.every((x) => x.status === 0x0E));
	const g1 = b.time - a.time;
	const g2 = c.time - b.time;
	t.diagnostic(`bind attempt gaps: ${g1} ms, ${g2} ms`);
	assert.ok(g1 >= 500, `first retry after ${g1} ms, expected about reconnect_min (1 s)`);
	assert.ok(g2 > g1, `back-off grows: gaps ${g1} ms then ${g2} ms`);
	assert.ok(gw.alive());
	assert.equal(gw.lines(/link sim: bound/).length, 0, 'no "bound" while the password is wrong');

	// the SMSC now accepts the password: the next retry binds
	sim.password = 'secret1';
	await gw.waitBound({ timeout: 12000 });
	gw.send('8613800138002', 'after the password fix');
	await sim.waitMessage((x) => x.text === 'after the password fix', 10000);
	await gw.stopClean();
});
