'use strict';
// config.test.js - the command line contract: skillgw -t checks a
// configuration and names FILE:LINE: setting for every problem.

const assert = require('node:assert/strict');
const { gwTest, writeConfig } = require('./lib/gw');

gwTest('skillgw -t: a valid config exits 0; --help and --version exit 0', { timeout: 20000 }, async (t, h) => {
	const gw = await h.gateway({ port: 2775, start: false });
	const ok = gw.run(['-t', '-c', gw.cfgPath]);
	assert.equal(ok.code, 0, `-t on a valid config: ${ok.stderr}${ok.stdout}`);
	assert.equal(gw.run(['--help']).code, 0);
	const v = gw.run(['--version']);
	assert.equal(v.code, 0);
	assert.match(v.stdout + v.stderr, /skillgw/);
});

gwTest('skillgw -t: every error is reported as FILE:LINE: setting: reason, exit non-zero', { timeout: 20000 }, async (t, h) => {
	const gw = await h.gateway({ port: 2775, start: false });
	const cfg = JSON.parse(JSON.stringify(gw.config));
	delete cfg.links[0].password;			// missing required
	cfg.links[0].window = 'ten';			// wrong type
	cfg.queue.max_attempts = 100000;		// out of range
	cfg.gateway.no_such_setting = 1;		// unknown key
	const textBody = writeConfig(cfg);
	gw.writeRaw(textBody);
	const lineOf = (re) => textBody.split('\n').findIndex((l) => re.test(l)) + 1;
	const r = gw.run(['-t', '-c', gw.cfgPath]);
	const out = r.stderr + r.stdout;
	t.diagnostic(out.trim().split('\n').join(' | '));
	assert.notEqual(r.code, 0);
	const esc = gw.cfgPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	for (const [setting, re] of [
		['window', /^\s*window = "ten";/],
		['max_attempts', /^\s*max_attempts = 100000;/],
		['no_such_setting', /^\s*no_such_setting = 1;/],
	]) {
		const line = lineOf(re);
		assert.match(out, new RegExp(`${esc}:${line}: [^\\n]*${setting}`), `${setting} reported at line ${line}`);
	}
	assert.match(out, new RegExp(`${esc}:\\d+: [^\\n]*password`), 'missing password reported');
});
