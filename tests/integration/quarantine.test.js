'use strict';
// quarantine.test.js - one PDU cannot keep the gateway in a crash loop.
// The test build dies (abort) on an MO whose text holds
// $SKILLGW_TEST_CRASH_ON, as a bug in a handler would. The next start finds
// the mark that PDU left, quarantines it (one log line), and answers the
// SMSC's retry of it with a temporary error (0x64) while every other MO is
// served; skillctl lists it with its text blanked and releases it, after
// which the retry is handled again.

const assert = require('node:assert/strict');
const path = require('path');
const { gwTest, vty, ROOT } = require('./lib/gw');

const COMMANDS = {
	enabled: true, messages: path.join(ROOT, 'conf', 'messages.conf'), signature: '【揭阳人社】',
	hotline: '12333', rate_limit: 1000, rate_window: 60, register_max_failures: 5, list_parts: 3,
};
const ESME_RX_T_APPN = 0x64;
const POISON = { from: '8613800138000', to: '12333', text: 'BZ KILLER' };
const QUAR_LOG = /the last run died while handling a deliver_sm .* it is quarantined/;

async function normalReply(sim, from) {
	const reply = sim.waitMessage((m) => m.to === from, 10000, `reply to ${from}`);
	const r = await sim.sendMo({ from, to: '12333', text: 'BZ' });
	assert.equal(r.status, 0, `MO from ${from} acknowledged`);
	assert.match((await reply).text, /ZC/);
}

function quarantined(gw) {
	const r = gw.ctl(['--json', 'quarantine', 'list']);
	assert.equal(r.code, 0, r.stderr);
	return JSON.parse(r.stdout);
}

gwTest('a PDU the daemon died on is quarantined at the next start, answered 0x64, listed and released', { timeout: 60000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, extra: { commands: COMMANDS }, env: { SKILLGW_TEST_CRASH_ON: 'KILLER' } });
	await gw.waitBound();
	await normalReply(sim, '8613700000001');

	// the poison MO kills it; the SMSC never gets an answer
	gw.expectExit = true;
	const died = gw.proc.exited;
	const r0 = await sim.sendMo({ ...POISON, timeoutMs: 3000 });
	assert.notEqual(r0.status, 0, 'no positive answer to the MO it died on');
	const e = await died;
	assert.equal(e.signal, 'SIGABRT', 'the test hook aborted it');

	// the next start quarantines it, and the SMSC's retry gets 0x64
	gw.start();
	await gw.waitLog(QUAR_LOG);
	await gw.waitBound();
	for (let i = 0; i < 3; i++) {
		const r = await sim.sendMo(POISON);
		assert.equal(r.status, ESME_RX_T_APPN, `retry ${i + 1} answered with a temporary error`);
	}
	assert.ok(gw.alive(), 'still running after the retries');
	await normalReply(sim, '8613700000002');
	const stats = await vty(gw.config.gateway.vty.port, ['show stats']);
	assert.match(stats, /PDUs the daemon died on[^\n]*:\s+3\b/, stats);

	// restarted again: quarantined still, and logged only once
	await gw.stopClean();
	gw.extraEnv = {};
	gw.start();
	await gw.waitBound();
	assert.equal((await sim.sendMo(POISON)).status, ESME_RX_T_APPN, 'still quarantined after a clean restart');
	assert.equal(gw.lines(QUAR_LOG).length, 1, 'the quarantine is logged once');

	// the operator's view: the text and the numbers are blanked
	const rows = quarantined(gw);
	assert.equal(rows.length, 1);
	assert.equal(rows[0].command, 'deliver_sm');
	assert.equal(rows[0].link, 'sim');
	assert.equal(rows[0].hits, 4);
	assert.match(rows[0].digest, /^[0-9a-f]{16}$/);
	assert.ok(!rows[0].head.includes(Buffer.from('KILLER').toString('hex')), 'the text is blanked');
	assert.ok(!rows[0].head.includes(Buffer.from('8613800138000').toString('hex')), 'the number is blanked');
	const text = gw.ctl(['quarantine', 'list']);
	assert.match(text.stdout, new RegExp(`${rows[0].digest}  link sim  deliver_sm`));

	// bad digests are refused with one line; a good one releases it live
	const bad = gw.ctl(['quarantine', 'release', 'xyz']);
	assert.equal(bad.code, 1);
	assert.match(bad.stderr, /is not a digest/);
	const none = gw.ctl(['quarantine', 'release', '0123456789abcdef']);
	assert.equal(none.code, 1);
	assert.match(none.stderr, /no PDU 0123456789abcdef/);
	const rel = gw.ctl(['quarantine', 'release', rows[0].digest]);
	assert.equal(rel.code, 0, rel.stderr);
	const reply = sim.waitMessage((m) => m.to === POISON.from, 10000, 'reply to the released MO');
	assert.equal((await sim.sendMo(POISON)).status, 0, 'handled again once released');
	assert.match((await reply).text, /ZC/);
	assert.deepEqual(quarantined(gw), []);
	await gw.stopClean();
});
