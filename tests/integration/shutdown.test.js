'use strict';
// shutdown.test.js - SIGTERM while submit_sm are outstanding: the daemon
// waits for their answers (gateway.shutdown_timeout), records them, unbinds
// and exits 0; nothing is lost.

const assert = require('node:assert/strict');
const { gwTest, until, numbers } = require('./lib/gw');

gwTest('SIGTERM with a full window waits for the answers, exits 0, loses nothing', { timeout: 30000 }, async (t, h) => {
	const sim = await h.smsc({ behaviour: { respondDelayMs: 700 } });
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	gw.sendFile(numbers(30, 8613700060000), 'shutdown test');
	await until(() => sim.counters.outstanding >= 5, { what: 'submit_sm outstanding' });
	const r = await gw.stop({ timeout: 15000 });
	t.diagnostic(`exit: ${JSON.stringify(r)}`);
	assert.equal(r.code, 0, 'exit status 0');
	assert.equal(gw.dbValue('SELECT count(*) FROM mt WHERE state = 1'), 0, 'nothing left in sending');
	assert.equal(gw.dbValue('SELECT count(*) FROM mt'), 30);
	assert.ok(gw.dbValue('SELECT count(*) FROM mt WHERE state = 2') >= 5, 'the answers that came were recorded');
	gw.checkSanitizer();
});
