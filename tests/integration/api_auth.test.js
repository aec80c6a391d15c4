'use strict';
// api_auth.test.js - the API's door: sessions (cookie attributes, CSRF,
// logout), the lock-out after failed logins (by user name and by
// address), bearer tokens (made, used, revoked), 401 without credentials
// on every endpoint, 403 for roles that may not, the errors of a request
// (bad JSON, unknown member, wrong type, too large, 405), the contract at
// /api/v1/openapi.json, the console's files without a way out of their
// directory, and the admin's accounts, tokens and audit log.

const assert = require('node:assert/strict');
const { gwTest } = require('./lib/gw');

const ADMIN = 'Admin-Password-1';

/** A gateway with the API on and an admin account. */
async function apiGateway(h, api = {}) {
	const sim = await h.smsc();
	const gw = await h.gateway({ sim, start: false, api: { lockout_failures: 3, max_body: 4096, ...api } });
	assert.equal(gw.ctl(['queue']).code, 0, 'skillctl makes the database');
	gw.addUser('admin', 'admin', ADMIN);
	gw.start();
	await gw.waitApi();
	return gw;
}

const err = (r) => r.json && r.json.error && r.json.error.code;

// every endpoint, with the least role it needs (public: none)
const ENDPOINTS = [
	['GET', '/api/v1/session', 'viewer'],
	['DELETE', '/api/v1/session', 'viewer'],
	['GET', '/api/v1/status', 'viewer'],
	['POST', '/api/v1/messages', 'operator', { to: '13800138000', text: 'x' }],
	['GET', '/api/v1/messages', 'viewer'],
	['GET', '/api/v1/messages/1', 'viewer'],
	['POST', '/api/v1/campaigns/preview', 'operator', { text: 'x' }],
	['POST', '/api/v1/campaigns', 'operator', { name: 'x', text: 'x' }],
	['GET', '/api/v1/campaigns', 'viewer'],
	['GET', '/api/v1/campaigns/1', 'viewer'],
	['GET', '/api/v1/campaigns/1/preview', 'viewer'],
	['POST', '/api/v1/campaigns/1/start', 'operator'],
	['POST', '/api/v1/campaigns/1/pause', 'operator'],
	['POST', '/api/v1/campaigns/1/resume', 'operator'],
	['POST', '/api/v1/campaigns/1/cancel', 'operator'],
	['GET', '/api/v1/campaigns/1/report', 'operator'],
	['POST', '/api/v1/imports?kind=workers', 'operator', 'a,b\n'],
	['GET', '/api/v1/imports', 'operator'],
	['GET', '/api/v1/imports/1', 'operator'],
	['DELETE', '/api/v1/imports/1', 'operator'],
	['POST', '/api/v1/imports/1/apply', 'operator'],
	['GET', '/api/v1/exports/enrolments', 'operator'],
	['GET', '/api/v1/workers?msisdn=13800138000', 'viewer'],
	['GET', '/api/v1/workers/1', 'viewer'],
	['GET', '/api/v1/subsidies/BT1', 'viewer'],
	['PATCH', '/api/v1/subsidies/BT1', 'operator', { status: 'paid' }],
	['GET', '/api/v1/admin/users', 'admin'],
	['POST', '/api/v1/admin/users', 'admin', { username: 'x', password: 'xxxxxxxxxx', role: 'viewer' }],
	['PATCH', '/api/v1/admin/users/x', 'admin', { role: 'viewer' }],
	['GET', '/api/v1/admin/tokens', 'admin'],
	['POST', '/api/v1/admin/tokens', 'admin', { name: 'x', role: 'viewer' }],
	['DELETE', '/api/v1/admin/tokens/1', 'admin'],
	['GET', '/api/v1/admin/audit', 'admin'],
];
const RANK = { viewer: 0, operator: 1, admin: 2 };

gwTest('401 without credentials and 403 for a role below the least, on every endpoint', { timeout: 60000 }, async (t, h) => {
	const gw = await apiGateway(h);
	const viewer = gw.token('v', 'viewer');
	const operator = gw.token('o', 'operator');
	for (const [method, p, least, body] of ENDPOINTS) {
		const none = await gw.api(method, p, { body, headers: { 'X-Forwarded-For': '10.0.0.1' } });
		assert.equal(none.status, 401, `${method} ${p} without credentials: ${none.text}`);
		assert.equal(err(none), 'unauthorized');
		for (const [role, token] of [['viewer', viewer], ['operator', operator]]) {
			if (RANK[role] >= RANK[least]) continue;
			const r = await gw.api(method, p, { body, token });
			assert.equal(r.status, 403, `${method} ${p} as ${role}: ${r.text}`);
			assert.equal(err(r), 'forbidden');
		}
	}
	const bad = await gw.api('GET', '/api/v1/status', { token: 'sgw_1_nope' });
	assert.equal(bad.status, 401, 'an unknown token');
	assert.equal((await gw.api('GET', '/api/v1/status', { headers: { Authorization: 'Basic YTpi' } })).status, 401);
	await gw.stopClean();
});

gwTest('a session: cookie attributes, CSRF on every change, logout ends it', { timeout: 30000 }, async (t, h) => {
	const gw = await apiGateway(h);
	const s = await gw.login('admin', ADMIN);
	assert.equal(s.role, 'admin');
	assert.match(s.setCookie, /^sgw_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/, 'no Secure without TLS');
	assert.match(s.csrf, /^[A-Za-z0-9_-]{43}$/);
	const me = await gw.api('GET', '/api/v1/session', { session: s });
	assert.equal(me.status, 200);
	assert.deepEqual({ user: me.json.user, role: me.json.role, csrf: me.json.csrf, via: me.json.via }, { user: 'admin', role: 'admin', csrf: s.csrf, via: 'session' });
	// a change without the token, or with another session's, is refused
	const body = { name: 'crm', role: 'viewer' };
	let r = await gw.api('POST', '/api/v1/admin/tokens', { session: s, csrf: false, body });
	assert.equal(r.status, 403);
	assert.equal(err(r), 'csrf');
	r = await gw.api('POST', '/api/v1/admin/tokens', { session: { ...s, csrf: 'x'.repeat(43) }, body });
	assert.equal(err(r), 'csrf');
	r = await gw.api('POST', '/api/v1/admin/tokens', { session: s, body });
	assert.equal(r.status, 201, r.text);
	// a token needs no CSRF token
	r = await gw.api('GET', '/api/v1/admin/tokens', { token: r.json.token });
	assert.equal(r.status, 403, 'a viewer token may not list tokens');
	r = await gw.api('DELETE', '/api/v1/session', { session: s, csrf: false });
	assert.equal(err(r), 'csrf');
	r = await gw.api('DELETE', '/api/v1/session', { session: s });
	assert.equal(r.status, 204);
	assert.match(r.headers.get('set-cookie'), /^sgw_session=; .*Max-Age=0/);
	r = await gw.api('GET', '/api/v1/session', { session: s });
	assert.equal(r.status, 401);
	assert.equal(err(r), 'unauthorized');
	await gw.stopClean();
});

gwTest('lock-out: three failures of a name lock it, also with the right password; an address too', { timeout: 30000 }, async (t, h) => {
	const gw = await apiGateway(h);
	gw.addUser('clerk', 'operator', 'Clerk-Password-1');
	const login = (u, p) => gw.api('POST', '/api/v1/session', { body: { username: u, password: p } });
	for (let i = 0; i < 3; i++) assert.equal((await login('clerk', 'wrong-password')).status, 401);
	let r = await login('clerk', 'Clerk-Password-1');
	assert.equal(r.status, 429, 'locked');
	assert.equal(err(r), 'locked');
	assert.ok(Number(r.headers.get('retry-after')) > 800, `Retry-After ${r.headers.get('retry-after')}`);
	// the address is locked too now (three failures from it), for any name
	r = await login('admin', ADMIN);
	assert.equal(r.status, 429, 'the address is locked');
	const rows = gw.db("SELECT actor, action, detail FROM audit WHERE action IN ('login_failed', 'lockout') ORDER BY id");
	assert.equal(rows.filter((x) => x.action === 'login_failed').length, 3);
	assert.ok(rows.some((x) => x.action === 'lockout' && /from 127\.0\.0\.1: user clerk/.test(x.detail)), JSON.stringify(rows));
	// an unknown user name fails the same way (no telling which names exist)
	const gw2 = await apiGateway(h);
	r = await gw2.api('POST', '/api/v1/session', { body: { username: 'nobody', password: 'whatever-123' } });
	assert.equal(r.status, 401);
	assert.equal(r.json.error.message, 'wrong user name or password');
	await gw.stopClean();
	await gw2.stopClean();
});

gwTest('request errors: bad JSON, unknown member, wrong type, 415, 413, 405, 404', { timeout: 30000 }, async (t, h) => {
	const gw = await apiGateway(h);
	const token = gw.token('ops', 'operator');
	let r = await gw.api('POST', '/api/v1/messages', { token, body: '{"to": "13800138000", "text": "x",}', headers: { 'Content-Type': 'application/json' } });
	assert.equal(r.status, 400);
	assert.equal(err(r), 'bad_request');
	assert.match(r.json.error.message, /^bad JSON: at offset \d+: /);
	r = await gw.api('POST', '/api/v1/messages', { token, body: { to: '13800138000', text: 'x', colour: 'red' } });
	assert.match(r.json.error.message, /colour: unknown member/);
	r = await gw.api('POST', '/api/v1/messages', { token, body: { to: 13800138000, text: 'x' } });
	assert.equal(r.status, 400);
	assert.match(r.json.error.message, /^to: /);
	r = await gw.api('POST', '/api/v1/messages', { token, body: { to: '12', text: 'x' } });
	assert.match(r.json.error.message, /to: '12' is not 11 digits/);
	r = await gw.api('POST', '/api/v1/messages', { token, body: '{}', headers: { 'Content-Type': 'text/plain' } });
	assert.equal(r.status, 415);
	assert.equal(err(r), 'unsupported_media_type');
	r = await gw.api('POST', '/api/v1/messages', { token, body: { to: '13800138000', text: 'x'.repeat(5000) } });
	assert.equal(r.status, 413, 'api.max_body 4096');
	assert.equal(err(r), 'too_large');
	r = await gw.api('POST', '/api/v1/messages', { token });
	assert.equal(r.status, 400, 'no body');
	r = await gw.api('PUT', '/api/v1/status', { token });
	assert.equal(r.status, 405);
	assert.equal(r.headers.get('allow'), 'GET');
	r = await gw.api('GET', '/api/v1/nothing', { token });
	assert.equal(r.status, 404);
	assert.equal(err(r), 'not_found');
	r = await gw.api('GET', '/api/v1/messages?limit=0', { token });
	assert.equal(r.status, 400, 'a page of 0');
	await gw.stopClean();
});

gwTest('the contract, the console files, no way out of the console directory', { timeout: 30000 }, async (t, h) => {
	const gw = await apiGateway(h);
	let r = await gw.api('GET', '/api/v1/openapi.json');
	assert.equal(r.status, 200);
	assert.equal(r.json.openapi, '3.1.0');
	for (const p of ['/api/v1/messages', '/api/v1/campaigns/{id}/report', '/api/v1/imports', '/metrics']) assert.ok(r.json.paths[p], p);
	r = await gw.api('GET', '/');
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
	assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
	assert.equal(r.headers.get('x-frame-options'), 'DENY');
	r = await gw.api('GET', '/app.js');
	assert.match(r.headers.get('content-type'), /^text\/javascript/);
	for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/.git/config', '/pages/../../../skillgw.conf', '//etc/passwd', '/nope.js']) {
		const x = await fetch(`${gw.apiUrl}${p}`);
		assert.equal(x.status, 404, p);
	}
	await gw.stopClean();
});

gwTest('admin: accounts, the last admin kept, tokens, the audit log with address', { timeout: 40000 }, async (t, h) => {
	const gw = await apiGateway(h);
	const s = await gw.login('admin', ADMIN);
	let r = await gw.api('POST', '/api/v1/admin/users', { session: s, body: { username: 'li.ming', password: 'Li-Ming-Pass-1', role: 'viewer' } });
	assert.equal(r.status, 201, r.text);
	assert.deepEqual({ u: r.json.username, r: r.json.role, d: r.json.disabled }, { u: 'li.ming', r: 'viewer', d: false });
	r = await gw.api('POST', '/api/v1/admin/users', { session: s, body: { username: 'li.ming', password: 'Li-Ming-Pass-1', role: 'viewer' } });
	assert.equal(r.status, 409);
	r = await gw.api('POST', '/api/v1/admin/users', { session: s, body: { username: 'bad name', password: 'xxxxxxxxxxxx', role: 'viewer' } });
	assert.equal(r.status, 400);
	r = await gw.api('POST', '/api/v1/admin/users', { session: s, body: { username: 'x', password: 'short', role: 'viewer' } });
	assert.match(r.json.error.message, /password is 10 to 128/);
	const li = await gw.login('li.ming', 'Li-Ming-Pass-1');
	assert.equal((await gw.api('GET', '/api/v1/status', { session: li })).status, 200);
	r = await gw.api('PATCH', '/api/v1/admin/users/li.ming', { session: s, body: { role: 'operator' } });
	assert.equal(r.json.role, 'operator');
	assert.equal((await gw.api('GET', '/api/v1/session', { session: li })).json.role, 'operator', 'a new role applies at once');
	r = await gw.api('PATCH', '/api/v1/admin/users/li.ming', { session: s, body: { disabled: true } });
	assert.equal(r.json.disabled, true);
	assert.equal((await gw.api('GET', '/api/v1/session', { session: li })).status, 401, 'disabled: the session ends');
	r = await gw.api('PATCH', '/api/v1/admin/users/admin', { session: s, body: { role: 'viewer' } });
	assert.equal(r.status, 409, 'the last admin stays');
	r = await gw.api('PATCH', '/api/v1/admin/users/nobody', { session: s, body: { role: 'viewer' } });
	assert.equal(r.status, 404);
	r = await gw.api('GET', '/api/v1/admin/users', { session: s, query: { limit: 1 } });
	assert.deepEqual({ n: r.json.items.length, total: r.json.total, limit: r.json.limit, offset: r.json.offset }, { n: 1, total: 2, limit: 1, offset: 0 });
	// tokens: made (shown once), listed without the secret, used, revoked
	r = await gw.api('POST', '/api/v1/admin/tokens', { session: s, body: { name: 'crm', role: 'operator' } });
	const made = r.json;
	assert.match(made.token, /^sgw_\d+_[A-Za-z0-9_-]{43}$/);
	r = await gw.api('GET', '/api/v1/admin/tokens', { session: s });
	assert.equal(r.json.items[0].name, 'crm');
	assert.equal(r.json.items[0].token, undefined);
	assert.ok(!r.text.includes(made.token.replace(/^sgw_\d+_/, '')), 'no secret in the list');
	assert.equal(gw.dbValue(`SELECT count(*) FROM api_token WHERE hex(hash) LIKE '%${Buffer.from(made.token).toString('hex').slice(0, 16)}%'`), 0);
	assert.equal((await gw.api('GET', '/api/v1/status', { token: made.token })).status, 200);
	assert.equal((await gw.api('DELETE', `/api/v1/admin/tokens/${made.id}`, { session: s })).status, 204);
	assert.equal((await gw.api('GET', '/api/v1/status', { token: made.token })).status, 401, 'revoked');
	assert.equal((await gw.api('DELETE', `/api/v1/admin/tokens/${made.id}`, { session: s })).status, 404);
	// the audit log: who, from where, what
	r = await gw.api('GET', '/api/v1/admin/audit', { session: s, query: { action: 'token_create' } });
	assert.equal(r.json.total, 1);
	assert.equal(r.json.items[0].actor, 'admin');
	assert.match(r.json.items[0].detail, /^from 127\.0\.0\.1: token \d+ crm \(operator\)$/);
	r = await gw.api('GET', '/api/v1/admin/audit', { session: s, query: { limit: 500 } });
	const actions = r.json.items.map((x) => x.action);
	for (const a of ['login', 'user_add', 'user_role', 'user_disable', 'token_create', 'token_revoke']) assert.ok(actions.includes(a), a);
	await gw.stopClean();
});
