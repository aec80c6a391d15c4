'use strict';
// dbbusy.test.js - the database is locked by another writer (a long
// skillctl import, an operator's sqlite3 shell) longer than the busy
// timeout: accepted parts whose ack could not be written are written when
// the lock goes, none stays in "sending", nothing is lost or sent twice.

const assert = require('node:assert/strict');
const { spawn } = require('child_process');
const { gwTest, until, sleep, numbers } = require('./lib/gw');

gwTest('acks refused by a locked database are written once the lock goes', { timeout: 60000 }, async (t, h) => {
	const sim = await h.smsc({ behaviour: { respondDelayMs: 300 } });
	const gw = await h.gateway({ sim });
	await gw.waitBound();
	const dests = numbers(50, 8613700050000);
	gw.sendFile(dests, 'locked database test');
	await until(() => sim.submits.length > 0, { what: 'sending started' });
	/* another process takes the write lock for 20 s: longer than three
	 * attempts at the 5 s busy timeout */
	const lock = spawn('sqlite3', [gw.config.gateway.database], { stdio: ['pipe', 'ignore', 'ignore'] });
	t.after(() => { try { lock.kill('SIGKILL'); } catch (e) { /* gone */ } });
	// .timeout: a BEGIN that met the daemon's own transaction would fail
	lock.stdin.write('.timeout 5000\nBEGIN IMMEDIATE;\n');
	await sleep(20000);
	lock.stdin.end('COMMIT;\n');
	await until(() => gw.dbValue('SELECT count(*) FROM mt WHERE state = 2') === 50,
		{ timeout: 20000, what: 'all 50 rows submitted' });
	assert.equal(gw.dbValue('SELECT count(*) FROM mt WHERE state IN (0, 1)'), 0, 'none left queued or sending');
	const counts = sim.messageCountByDestination();
	assert.equal(counts.size, 50, 'every number got its message');
	t.diagnostic(`submit_sm: ${sim.counters.submit_sm}`);
	assert.equal([...counts.values()].filter((n) => n > 1).length, 0, 'none twice');
	await gw.stopClean();
});
