'use strict';
// flow.test.js - flow control: an SMSC throttling at 0x58, the window of
// outstanding submit_sm, the TPS cap.

const assert = require('node:assert/strict');
const { gwTest, until, numbers } = require('./lib/gw');

/** Destinations accepted more than once, and those not accepted at all. */
function tally(sim, dests) {
	const counts = sim.messageCountByDestination();
	const missing = dests.filter((d) => !counts.has(d));
	const dups = [...counts.values()].reduce((a, n) => a + (n > 1 ? n - 1 : 0), 0);
	return { counts, missing, dups };
}

gwTest('an SMSC throttling at 0x58 above 20/s gets all of 200 messages, none lost, none twice', { timeout: 40000 }, async (t, h) => {
	const sim = await h.smsc({ behaviour: { throttle: 20 } });
	const gw = await h.gateway({ sim, link: { throttle_pause_ms: 200 } });
	await gw.waitBound();
	const dests = numbers(200, 8613700000000);
	const t0 = Date.now();
	gw.sendFile(dests, 'throttle test');
	await until(() => tally(sim, dests).missing.length === 0, { timeout: 30000, interval: 200, what: 'all 200 accepted' });
	const secs = (Date.now() - t0) / 1000;
	const { dups } = tally(sim, dests);
	t.diagnostic(`200 messages in ${secs.toFixed(1)} s; throttled answers: ${sim.counters.throttled}; submit_sm: ${sim.counters.submit_sm}`);
	assert.equal(dups, 0, 'none twice');
	assert.equal(sim.messages.length, 200);
	assert.ok(sim.counters.throttled > 0, 'the SMSC did throttle');
	assert.ok(sim.counters.throttled < 2000, `the gateway pauses instead of hammering (${sim.counters.throttled} throttled answers)`);
	await until(() => gw.dbValue('SELECT count(*) FROM mt WHERE state = 2') === 200,
		{ timeout: 10000, what: 'all 200 rows submitted' });
	assert.equal(gw.dbValue('SELECT count(*) FROM mt WHERE state = 4'), 0);
	assert.deepEqual(sim.violations, []);
	await gw.stopClean();
});

gwTest('the window caps outstanding submit_sm', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc({ behaviour: { respondDelayMs: 80 } });
	const gw = await h.gateway({ sim, link: { window: 5 } });
	await gw.waitBound();
	const dests = numbers(60, 8613700010000);
	gw.sendFile(dests, 'window test');
	await until(() => tally(sim, dests).missing.length === 0, { timeout: 15000, what: 'all 60 accepted' });
	t.diagnostic(`max outstanding seen: ${sim.counters.maxOutstanding}`);
	assert.ok(sim.counters.maxOutstanding <= 5, `at most 5 outstanding, saw ${sim.counters.maxOutstanding}`);
	assert.ok(sim.counters.maxOutstanding >= 2, `the window is used (max outstanding ${sim.counters.maxOutstanding})`);
	assert.equal(tally(sim, dests).dups, 0);
	await gw.stopClean();
});

gwTest('max_tps paces submit_sm', { timeout: 25000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, link: { max_tps: 40 } });
	await gw.waitBound();
	const dests = numbers(120, 8613700020000);
	gw.sendFile(dests, 'tps test');
	await until(() => tally(sim, dests).missing.length === 0, { timeout: 15000, what: 'all 120 accepted' });
	const times = sim.submits.map((s) => s.time);
	const span = (times[times.length - 1] - times[0]) / 1000;
	// busiest one-second window
	let peak = 0;
	for (let i = 0, j = 0; i < times.length; i++) {
		while (times[i] - times[j] >= 1000) j++;
		peak = Math.max(peak, i - j + 1);
	}
	t.diagnostic(`120 messages over ${span.toFixed(2)} s, peak ${peak} in one second`);
	assert.ok(span >= 1.5, `120 at 40/s take at least 1.5 s even with a full bucket (took ${span} s)`);
	assert.ok(peak <= 80, `at most one bucket plus one second of tokens in any second (peak ${peak})`);
	await gw.stopClean();
});
