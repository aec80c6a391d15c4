'use strict';
// vty.test.js - the operator's runtime view: the telnet VTY's show commands
// and link stop/start, and the validity period every MT carries.

const assert = require('node:assert/strict');
const { gwTest, until, vty } = require('./lib/gw');

gwTest('VTY: show smsc, show queue and show stats describe the running gateway', { timeout: 20000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const id = gw.send('8613800138000', 'vty test');
	await gw.waitMtState(id, [2, 3]);
	const out = await vty(gw.config.gateway.vty.port, ['show smsc', 'show queue', 'show stats']);
	assert.match(out, /link sim: 127\.0\.0\.1:\d+ system_id skillgw, up, default/);
	assert.match(out, /session sim: BOUND/);
	assert.match(out, /window 0\/10/);
	assert.match(out, /(submitted|delivered)\s+1/);
	assert.match(out, /queued\s+0/);
	assert.match(out, /submit_sm sent:\s+1\b/);
	await gw.stopClean();
});

gwTest('VTY: link stop unbinds and stays down; link start binds again', { timeout: 20000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	await vty(gw.config.gateway.vty.port, ['enable', 'link sim stop']);
	await until(() => sim.counters.unbind >= 1 || gw.lines(/unbound/).length > 0, { what: 'unbind after link stop' });
	const id = gw.send('8613800138001', 'held while stopped');
	await new Promise((r) => setTimeout(r, 1500));
	assert.equal(gw.dbValue(`SELECT state FROM mt WHERE id = ${id}`), 0, 'nothing is sent while the link is stopped');
	await vty(gw.config.gateway.vty.port, ['enable', 'link sim start']);
	await gw.waitMtState(id, [2, 3]);
	const out = await vty(gw.config.gateway.vty.port, ['link sim stop', 'enable', 'link nosuch stop']);
	assert.match(out, /no link named nosuch/);
	await gw.stopClean();
});

gwTest('every MT carries a relative validity_period from the queue', { timeout: 15000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, queue: { validity: 7200 } });
	await gw.waitBound();
	const id = gw.send('8613800138000', 'validity test');
	await gw.waitMtState(id, [2, 3]);
	const v = sim.submits[sim.submits.length - 1].validity_period;
	const s = typeof v === 'string' ? v : String(v);
	t.diagnostic(`validity_period: ${s}`);
	assert.match(s, /^0000000(1|2)\d{4}000R$/, 'relative time of about two hours');
	await gw.stopClean();
});
