'use strict';
// linkloss.test.js - nothing is lost when the link or the gateway dies:
// the SMSC closing the socket mid-stream, and kill -9 during a 10,000
// message queue followed by a restart. Duplicates at most the window.

const assert = require('node:assert/strict');
const { gwTest, until, numbers } = require('./lib/gw');

const WINDOW = 10;

function tally(sim, dests) {
	const counts = sim.messageCountByDestination();
	let missing = 0;
	for (const d of dests) if (!counts.has(d)) missing++;
	let dups = 0;
	for (const n of counts.values()) if (n > 1) dups += n - 1;
	return { missing, dups, total: sim.messages.length };
}

gwTest('the SMSC closes the socket mid-stream of 500; all delivered after reconnect', { timeout: 40000 }, async (t, h) => {
	const sim = await h.smsc({ behaviour: { dropAfterAccepted: 150 } });
	const gw = await h.gateway({ sim, link: { window: WINDOW, reconnect_min: 1, reconnect_max: 2 } });
	await gw.waitBound();
	const dests = numbers(500, 8613600000000);
	gw.sendFile(dests, 'link loss test');
	await until(() => sim.counters.drops === 1, { timeout: 15000, what: 'the SMSC dropped the link' });
	const atDrop = sim.counters.accepted;
	await gw.waitBound({ n: 2, timeout: 10000 });
	await until(() => tally(sim, dests).missing === 0, { timeout: 20000, interval: 100, what: 'all 500 accepted' });
	const r = tally(sim, dests);
	t.diagnostic(`dropped after ${atDrop} accepted; binds ${sim.binds.length}; duplicates ${r.dups}`);
	assert.ok(atDrop < 500, 'the drop happened mid-stream');
	assert.ok(r.dups <= WINDOW, `duplicates ${r.dups} <= window ${WINDOW}`);
	await until(() => gw.dbValue('SELECT count(*) FROM mt WHERE state = 2') === 500,
		{ timeout: 10000, what: `all 500 rows submitted (${JSON.stringify(gw.db('SELECT state, count(*) AS n FROM mt GROUP BY state'))})` });
	assert.ok(gw.alive());
	assert.deepEqual(sim.violations, []);
	await gw.stopClean();
});

gwTest('kill -9 during a 10,000-message queue, restart: every message arrives, duplicates <= window', { timeout: 100000 }, async (t, h) => {
	let gw = null;
	let killedAt = null;
	const sim = await h.smsc({
		behaviour: {
			// kill the gateway from inside the SMSC, mid-stream, at a known point
			onSubmit: () => {
				if (killedAt === null && sim.counters.accepted >= 3000 && gw.alive()) {
					killedAt = sim.counters.accepted;
					gw.expectExit = true;
					process.kill(gw.pid, 'SIGKILL');
				}
			},
		},
	});
	gw = await h.gateway({ sim, link: { window: WINDOW } });
	await gw.waitBound();
	const dests = numbers(10000, 8613500000000);
	const tq = Date.now();
	gw.sendFile(dests, 'kill -9 test');
	t.diagnostic(`queued 10,000 in ${Date.now() - tq} ms`);
	await until(() => killedAt !== null && !gw.alive(), { timeout: 30000, interval: 100, what: 'gateway killed mid-stream' });
	const exit = gw.exits[gw.exits.length - 1];
	assert.equal(exit.signal, 'SIGKILL');
	const before = tally(sim, dests);
	t.diagnostic(`killed after ${killedAt} accepted; state counts ${JSON.stringify(gw.db('SELECT state, count(*) AS n FROM mt GROUP BY state'))}`);
	assert.ok(before.missing > 0, 'the kill happened before the end');

	const t0 = Date.now();
	gw.start();
	await gw.waitBound();
	await until(() => tally(sim, dests).missing === 0, { timeout: 60000, interval: 200, what: `all 10,000 accepted (missing ${tally(sim, dests).missing})` });
	const r = tally(sim, dests);
	t.diagnostic(`after restart: rest delivered in ${Date.now() - t0} ms; duplicates ${r.dups}`);
	if (r.dups) {
		const d = [...sim.messageCountByDestination()].filter(([, n]) => n > 1).map(([k]) => Number(k) - 8613500000000);
		t.diagnostic(`duplicated message indexes: ${d.slice(0, 30).join(' ')}`);
	}
	assert.ok(r.dups <= WINDOW, `duplicates ${r.dups} <= window ${WINDOW}`);
	await until(() => gw.dbValue('SELECT count(*) FROM mt WHERE state = 2') === 10000,
		{ timeout: 10000, what: `all 10,000 rows submitted (${JSON.stringify(gw.db('SELECT state, count(*) AS n FROM mt GROUP BY state'))})` });
	assert.deepEqual(sim.violations, []);
	await gw.stopClean();
});
