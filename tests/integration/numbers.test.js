'use strict';
// numbers.test.js - the numbers operators type are checked where they type
// them (gateway.numbers): skillctl send --to and --file, notice create
// --numbers, the API's messages and campaigns, the workers' mobile column
// of an import. "cn" (the default) takes Chinese mobile numbers only (11
// digits starting 13 to 19, with or without 86, +86 or 0086); "e164" also
// international ones. Every bad line is listed as FILE:LINE with its
// reason and nothing is queued; skillgw -t checks the setting.

const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { gwTest, ROOT } = require('./lib/gw');
const { csvFile, residentId } = require('./lib/roster');

const NOTICES = { optout_hint: '回TD退订' };
const COMMANDS = { messages: path.join(ROOT, 'conf', 'messages.conf'), signature: '【揭阳人社】' };

/** A gateway that is not started (skillctl works on its database). */
async function offline(h, numbers) {
	return h.gateway({ port: 2775, start: false, api: true, gateway: numbers ? { numbers } : {},
		extra: { notices: NOTICES, commands: COMMANDS } });
}

gwTest('skillctl send: a number that is no Chinese mobile number is refused with its reason; a file\'s bad lines are all listed, nothing queued', { timeout: 30000 }, async (t, h) => {
	const gw = await offline(h);
	let r = gw.ctl(['send', '--to', '12345', '--text', 'hi']);
	assert.equal(r.code, 1);
	assert.equal(r.stderr, "--to: number: '12345' is not 11 digits\nskillctl send: nothing queued\n");
	r = gw.ctl(['send', '--to', '+447911123456', '--text', 'hi']);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /'\+447911123456' is not of country code 86/);
	const f = path.join(gw.dir, 'n.txt');
	fs.writeFileSync(f, ['# the bureau\'s list', '13800138000', '12345', '+86 139 0000 0001', 'abc',
		'', '+447911123456', '0086 13900000002', '12345678901'].join('\n'));
	r = gw.ctl(['send', '--file', f, '--text', 'hi']);
	assert.equal(r.code, 1);
	assert.deepEqual(r.stderr.trim().split('\n'), [
		`${f}:3: number: '12345' is not 11 digits`,
		`${f}:5: number: 'abc' has characters other than digits`,
		`${f}:7: number: '+447911123456' is not of country code 86`,
		`${f}:9: number: '12345678901' does not start with 13..19`,
		`skillctl send: ${f}: 4 bad lines; nothing queued`,
	]);
	assert.equal(gw.dbValue('SELECT count(*) FROM mt'), 0, 'nothing queued');
	// the good lines, in every way they may be written
	fs.writeFileSync(f, '13800138000\n+86 139 0000 0001\n0086 13900000002\n8613900000003\n');
	r = gw.ctl(['send', '--file', f, '--text', 'hi']);
	assert.equal(r.code, 0, r.stderr);
	assert.deepEqual(gw.db('SELECT dst FROM mt ORDER BY id').map((x) => x.dst),
		['8613800138000', '8613900000001', '8613900000002', '8613900000003']);
});

gwTest('gateway.numbers = "e164": international numbers too, nothing else; skillgw -t checks the setting', { timeout: 30000 }, async (t, h) => {
	const gw = await offline(h, 'e164');
	assert.equal(gw.run(['-t', '-c', gw.cfgPath]).code, 0);
	const f = path.join(gw.dir, 'n.txt');
	fs.writeFileSync(f, '13800138000\n+447911123456\n00 1 415 555 2671\n12345\n');
	let r = gw.ctl(['send', '--file', f, '--text', 'hi']);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /n\.txt:4: number: '12345' is neither a Chinese mobile number nor an international one/);
	fs.writeFileSync(f, '13800138000\n+447911123456\n00 1 415 555 2671\n');
	r = gw.ctl(['send', '--file', f, '--text', 'hi']);
	assert.equal(r.code, 0, r.stderr);
	assert.deepEqual(gw.db('SELECT dst FROM mt ORDER BY id').map((x) => x.dst),
		['8613800138000', '447911123456', '14155552671']);
	// the configuration: a word it knows; "cn" only with country code 86
	gw.rewrite({ gateway: { numbers: 'us' } });
	r = gw.run(['-t', '-c', gw.cfgPath]);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /skillgw\.conf:\d+: gateway\.numbers: /);
	gw.rewrite({ gateway: { numbers: 'cn', country_code: '44' } });
	r = gw.run(['-t', '-c', gw.cfgPath]);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /skillgw\.conf:\d+: gateway\.numbers: "cn" \(Chinese mobile numbers\) needs country_code "86", not "44"; give "e164"/);
	gw.rewrite({ gateway: { numbers: 'e164', country_code: '44' } });
	assert.equal(gw.run(['-t', '-c', gw.cfgPath]).code, 0);
});

gwTest('the workers\' mobile column, notice --numbers and the API check numbers the same way', { timeout: 40000 }, async (t, h) => {
	const gw = await offline(h);
	const rows = [[residentId('44528119900101123'), '张三', '+447911123456', '445281'],
		[residentId('44528119900202123'), '李四', '13900000011', '445281']];
	const w = csvFile(gw.dir, 'workers.csv', ['身份证号', '姓名', '手机号', '区县'], rows);
	let r = gw.ctl(['import', 'workers', w]);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /workers\.csv:2: 手机号: mobile number '\+447911123456' is not of country code 86/);
	assert.equal(gw.dbValue('SELECT count(*) FROM worker'), 0);
	const n = path.join(gw.dir, 'n.csv');
	fs.writeFileSync(n, '手机号码\n13900000001\n12345\n');
	r = gw.ctl(['notice', 'create', '--name', 'x', '--text', '{name}您好', '--numbers', n]);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /n\.csv:3: number: '12345' is not 11 digits/);

	gw.rewrite({ gateway: { numbers: 'e164' } });
	r = gw.ctl(['import', 'workers', w]);
	assert.equal(r.code, 0, r.stderr);
	assert.deepEqual(gw.db('SELECT msisdn FROM worker ORDER BY id').map((x) => x.msisdn),
		['447911123456', '8613900000011']);

	gw.start();
	await gw.waitApi();
	const token = gw.token('ops', 'operator');
	let a = await gw.api('POST', '/api/v1/messages', { token, body: { to: ['+447911123456', '12345'], text: 'hi' } });
	assert.equal(a.status, 400);
	assert.match(a.json.error.message, /to\[1\]: '12345' is neither a Chinese mobile number nor an international one/);
	a = await gw.api('POST', '/api/v1/campaigns', { token, body: { name: 'c', text: '{name}您好', numbers: ['13900000001', '123456'] } });
	assert.equal(a.status, 400);
	assert.match(a.json.error.message, /numbers\[1\]: '123456' is neither/);
	a = await gw.api('POST', '/api/v1/messages', { token, body: { to: '+447911123456', text: 'hi' } });
	assert.equal(a.status, 201, a.text);
	assert.equal(gw.dbValue("SELECT count(*) FROM mt WHERE dst = '447911123456'"), 1);
	await gw.stopClean();
});
