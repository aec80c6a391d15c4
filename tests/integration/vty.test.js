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

gwTest('VTY: with gateway.vty.enable_password, enable asks for it; show needs none', { timeout: 20000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, gateway: { vty: { enable_password: 'Geheim-1' } } });
	await gw.waitBound();
	const port = gw.config.gateway.vty.port;
	// three wrong tries: back to the unprivileged prompt, the link stays up
	let out = await vty(port, ['show smsc', 'enable', 'wrong1', 'wrong2', 'wrong3', 'link sim stop']);
	assert.match(out, /session sim: BOUND/, 'show works without the password');
	assert.match(out, /Password: /);
	assert.match(out, /Bad enable passwords/);
	assert.match(out, /link sim stop\r?\n% Unknown command/);
	assert.ok(!gw.logText.includes('Geheim-1'), 'the password is not logged');
	await new Promise((r) => setTimeout(r, 300));
	assert.equal(sim.counters.unbind, 0, 'nothing was stopped');
	// the right password
	out = await vty(port, ['enable', 'Geheim-1', 'link sim stop']);
	assert.match(out, /skillgw# /);
	await until(() => sim.counters.unbind >= 1, { what: 'unbind after link stop' });
	await gw.stopClean();
});

gwTest('skillgw -t: a VTY on a non-loopback address needs an enable password', { timeout: 20000 }, async (t, h) => {
	const gw = await h.gateway({ port: 2775, start: false, gateway: { vty: { address: '0.0.0.0' } } });
	let r = gw.run(['-t', '-c', gw.cfgPath]);
	assert.equal(r.code, 1, r.stdout);
	assert.match(r.stderr, /gateway\.vty\.enable_password: a password is required when vty\.address \(0\.0\.0\.0\) is not a loopback address/);
	gw.rewrite({ gateway: { vty: { enable_password: 'two words' } } });
	r = gw.run(['-t', '-c', gw.cfgPath]);
	assert.match(r.stderr, /enable_password: the value must be one word/);
	assert.ok(!r.stderr.includes('two words'), 'the password is not echoed');
	gw.rewrite({ gateway: { vty: { enable_password: 'S3cret!' } } });
	r = gw.run(['-t', '-v', '-c', gw.cfgPath]);
	assert.equal(r.code, 0, r.stderr);
	assert.ok(!r.stdout.includes('S3cret!'), '-v prints the password as ***');
	gw.rewrite({ gateway: { vty: { address: '::1', enable_password: '' } } });
	assert.equal(gw.run(['-t', '-c', gw.cfgPath]).code, 0, 'loopback needs none');
});
