'use strict';
// api_ctl.test.js - the accounts from skillctl's side (user add, passwd,
// disable, enable, role, list; token create, list, revoke) with their exit
// statuses and audit rows, what the API makes of them, and the API under
// TLS (api.cert, api.key: the session cookie is Secure; skillgw -t checks
// the files).

const assert = require('node:assert/strict');
const { execFileSync } = require('child_process');
const fs = require('fs');
const https = require('https');
const path = require('path');
const { gwTest } = require('./lib/gw');

gwTest('skillctl user and token: made, changed, listed, refused, audited; the API sees it', { timeout: 40000 }, async (t, h) => {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, start: false, api: true });
	const pw = (args, input) => gw.ctl(['user', ...args], { input });
	let r = pw(['add', 'li', '--role', 'operator', '--password-stdin'], 'Li-Password-1\n');
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stdout, 'user li added (operator)\n');
	assert.equal(pw(['add', 'li', '--role', 'operator'], 'Li-Password-1\n').code, 1, 'taken');
	r = pw(['add', 'wang', '--role', 'boss'], 'Wang-Password-1\n');
	assert.equal(r.code, 1);
	assert.match(r.stderr, /--role admin, operator or viewer/);
	r = pw(['add', 'wang', '--role', 'viewer'], 'short\n');
	assert.equal(r.code, 1);
	assert.match(r.stderr, /a password is 10 to 128 octets/);
	assert.equal(pw(['add', 'wang', '--role', 'viewer'], '').code, 1, 'no password on stdin');
	assert.equal(gw.ctl(['user', 'frobnicate', 'x']).code, 1);
	gw.start();
	await gw.waitApi();
	assert.equal((await gw.login('li', 'Li-Password-1')).role, 'operator');
	r = pw(['passwd', 'li', '--password-stdin'], 'Li-Password-2\n');
	assert.equal(r.code, 0, r.stderr);
	assert.equal((await gw.api('POST', '/api/v1/session', { body: { username: 'li', password: 'Li-Password-1' } })).status, 401);
	const s = await gw.login('li', 'Li-Password-2');
	assert.equal(gw.ctl(['user', 'role', 'li', 'viewer']).code, 0);
	assert.equal((await gw.api('GET', '/api/v1/session', { session: s })).json.role, 'viewer');
	assert.equal(gw.ctl(['user', 'disable', 'li']).code, 0);
	assert.equal((await gw.api('GET', '/api/v1/session', { session: s })).status, 401, 'disabled from skillctl: the session ends');
	assert.equal((await gw.api('POST', '/api/v1/session', { body: { username: 'li', password: 'Li-Password-2' } })).status, 401);
	assert.equal(gw.ctl(['user', 'enable', 'li']).code, 0);
	assert.equal((await gw.login('li', 'Li-Password-2')).role, 'viewer');
	r = gw.ctl(['--json', 'user', 'list']);
	const users = JSON.parse(r.stdout);
	assert.equal(users.length, 1);
	assert.equal(users[0].name, 'li');
	assert.equal(users[0].role, 'viewer');
	assert.ok(users[0].last_login_at > 0);
	assert.match(gw.ctl(['user', 'list']).stdout, /^NAME +ROLE +STATE +CREATED +LAST LOGIN\nli +viewer +active +\d{4}-\d\d-\d\d \d\d:\d\d/);
	// tokens
	r = gw.ctl(['--json', 'token', 'create', '--name', 'crm', '--role', 'operator']);
	assert.equal(r.code, 0, r.stderr);
	const tok = JSON.parse(r.stdout);
	assert.match(tok.token, /^sgw_\d+_[A-Za-z0-9_-]{43}$/);
	assert.equal((await gw.api('GET', '/api/v1/status', { token: tok.token })).status, 200);
	assert.equal(gw.ctl(['token', 'create', '--name', 'crm', '--role', 'operator']).code, 1, 'the name is taken');
	r = gw.ctl(['--json', 'token', 'list']);
	assert.deepEqual(JSON.parse(r.stdout).map((x) => [x.name, x.revoked]), [['crm', false]]);
	assert.ok(!r.stdout.includes(tok.token.replace(/^sgw_\d+_/, '')), 'never the secret again');
	assert.equal(gw.ctl(['token', 'revoke', String(tok.id)]).code, 0);
	assert.equal(gw.ctl(['token', 'revoke', String(tok.id)]).code, 1);
	assert.equal((await gw.api('GET', '/api/v1/status', { token: tok.token })).status, 401);
	const actions = gw.db('SELECT action FROM audit ORDER BY id').map((x) => x.action);
	for (const a of ['user_add', 'user_passwd', 'user_role', 'user_disable', 'user_enable', 'token_create', 'token_revoke']) {
		assert.ok(actions.includes(a), `${a} in ${actions}`);
	}
	await gw.stopClean();
});

/** A GET over HTTPS that trusts the test's own certificate. */
function httpsJson(url, opts = {}) {
	return new Promise((resolve, reject) => {
		const req = https.request(url, { rejectUnauthorized: false, ...opts }, (res) => {
			let body = '';
			res.on('data', (d) => { body += d; });
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
		});
		req.on('error', reject);
		if (opts.body) req.write(opts.body);
		req.end();
	});
}

gwTest('TLS: the API over HTTPS, the session cookie Secure; skillgw -t checks the files', { timeout: 30000 }, async (t, h) => {
	const sim = await h.smsc();
	const dir = h.tmpdir();
	const cert = path.join(dir, 'api.pem');
	const key = path.join(dir, 'api.key');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
		'-days', '2', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
	const gw = await h.gateway({ sim, start: false, api: { cert, key } });
	assert.equal(gw.run(['-t', '-c', gw.cfgPath]).code, 0);
	gw.rewrite({ api: { key: '' } });
	let r = gw.run(['-t', '-c', gw.cfgPath]);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /api\.cert: TLS needs both api\.cert and api\.key/);
	gw.rewrite({ api: { key: path.join(dir, 'missing.key') } });
	assert.match(gw.run(['-t', '-c', gw.cfgPath]).stderr, /api\.key: cannot read .*missing\.key/);
	gw.rewrite({ api: { key } });
	gw.addUser('admin', 'admin', 'Admin-Password-1');
	gw.start();
	const base = `https://127.0.0.1:${gw.config.api.port}`;
	r = undefined;
	for (let i = 0; i < 50; i++) {
		try { r = await httpsJson(`${base}/api/v1/openapi.json`); break; } catch (e) { await new Promise((x) => setTimeout(x, 100)); }
	}
	assert.equal(r.status, 200);
	assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
	const body = JSON.stringify({ username: 'admin', password: 'Admin-Password-1' });
	r = await httpsJson(`${base}/api/v1/session`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } });
	assert.equal(r.status, 200, r.body);
	assert.match(r.headers['set-cookie'][0], /; HttpOnly; SameSite=Strict; Secure$/);
	await assert.rejects(fetch(`http://127.0.0.1:${gw.config.api.port}/api/v1/openapi.json`), 'no plain HTTP on the TLS port');
	await gw.stopClean();
});
