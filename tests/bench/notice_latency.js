'use strict';
// notice_latency.js - interactive latency while a notice campaign runs;
// prints figures, is not a test. tests/bench/notices.sh runs it.
//
//   SKILLGW_BIN=build/skillgw SKILLCTL_BIN=build/skillctl node tests/bench/notice_latency.js
//
// skillgw (SMS commands on) against the SMSC simulator with one link of
// max_tps BENCH_TPS (default 1000) and notices.bulk_share 80. Round trips
// of an SMS command (BZ: MO in, the reply accepted by the SMSC) are timed
// before a campaign and while it runs to a roster of BENCH_ROSTER workers
// (default 30000); the bulk rate during the measurement is printed too.
// Uses the harness of the integration tests (processes and temporary
// directories are cleaned up the same way).

const path = require('path');
const { Harness, sleep, until, ROOT } = require('../integration/lib/gw');

const TPS = Number(process.env.BENCH_TPS || 1000);
const ROSTER = Number(process.env.BENCH_ROSTER || 30000);
const BEFORE = 50;
const DURING = 200;
const GAP_MS = 40;
const MARK = '基准通知';

const number = (i) => `86139${String(i).padStart(8, '0')}`;
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.ceil(p * a.length) - 1)];
const fmt = (a) => `p50 ${pct(a, 0.5)} ms, p99 ${pct(a, 0.99)} ms, max ${Math.max(...a)} ms (${a.length})`;

async function roundTrip(sim, from) {
	const t0 = Date.now();
	await sim.sendMo({ from, to: '12333', text: 'BZ' });
	const m = await sim.waitMessage((x) => x.to === from && x.time >= t0, 10000, `reply to ${from}`);
	return m.time - t0;
}

async function trips(sim, first, n) {
	const out = [];
	for (let i = 0; i < n; i++) {
		out.push(await roundTrip(sim, number(first + i)));
		await sleep(GAP_MS);
	}
	return out;
}

async function main() {
	const h = new Harness({ diagnostic: (s) => console.error(s) });
	try {
		const sim = await h.smsc();
		const gw = await h.gateway({
			sim, start: false, link: { max_tps: TPS, window: 50 }, queue: { poll_ms: 500 },
			extra: {
				commands: { enabled: true, messages: path.join(ROOT, 'conf', 'messages.conf'),
					signature: '【揭阳人社】', rate_limit: 1000 },
				notices: { optout_hint: '回TD退订', bulk_share: 80, quiet_start: '00:00', quiet_end: '00:00' },
			},
		});
		gw.ctl(['queue']);
		gw.db(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${ROSTER})
INSERT INTO worker (id, id_number, name, msisdn, region, birth_date, bound_by, created_at, updated_at)
SELECT i, 'L' || i, '张小明', printf('86139%08d', i), '445281', '1990-01-01', 'roster', 0, 0 FROM c;`);
		gw.start();
		await gw.waitBound();
		const before = await trips(sim, 1, BEFORE);
		let r = gw.ctl(['notice', 'create', '--name', 'bench', '--text', `${MARK}：新一期培训开始报名。`]);
		if (r.code !== 0) throw new Error(r.stderr);
		gw.ctl(['notice', 'start', '1']);
		const count = () => sim.messages.filter((m) => m.text.includes(MARK)).length;
		await until(() => count() > TPS / 2, { timeout: 10000, what: 'the campaign sending' });
		const n0 = count();
		const t0 = Date.now();
		const during = await trips(sim, 1000, DURING);
		const bulk = (count() - n0) / ((Date.now() - t0) / 1000);
		console.log(`interactive round trip (SMS command BZ, link max_tps ${TPS}, bulk_share 80%):`);
		console.log(`  before the campaign: ${fmt(before)}`);
		console.log(`  during the campaign: ${fmt(during)}; bulk meanwhile ${bulk.toFixed(0)}/s`);
		r = gw.ctl(['notice', 'cancel', '1']);
		await gw.stop();
	} finally {
		await h.cleanup();
	}
}

main().catch((e) => {
	console.error(`notice_latency: ${e.message}`);
	process.exit(1);
});
