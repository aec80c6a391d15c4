'use strict';
// install.test.js - "make install" into a temporary DESTDIR gives working
// binaries, man pages, an example configuration that passes "skillgw -t"
// as installed, and a systemd unit with the installed paths; a second
// install keeps the operator's configuration; "make uninstall" removes what
// install put there and keeps the configuration.
//
// The build installed is the one the other tests use (SKILLGW_BIN's
// directory: build-san under "make test", so nothing is compiled again).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { BIN, ROOT } = require('./lib/gw');

const SAN = path.basename(path.dirname(BIN)) === 'build-san';
const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer/;

function env() {
	const e = { ...process.env };
	// a make above us (make test) must not pass its flags or jobserver down
	delete e.MAKEFLAGS;
	delete e.MFLAGS;
	delete e.MAKELEVEL;
	return e;
}

function make(args, timeout = 240000) {
	const r = spawnSync('make', ['-s', '-C', ROOT, ...(SAN ? ['SAN=1'] : []), ...args], {
		env: env(), encoding: 'utf8', timeout, maxBuffer: 16 * 1024 * 1024,
	});
	if (r.error) throw new Error(`make ${args.join(' ')}: ${r.error.message}`);
	return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function run(bin, args) {
	const r = spawnSync(bin, args, { env: env(), encoding: 'utf8', timeout: 20000 });
	if (r.error) throw new Error(`${bin} ${args.join(' ')}: ${r.error.message}`);
	assert.doesNotMatch(r.stderr, SANITIZER_RE, `sanitizer report from ${path.basename(bin)} ${args.join(' ')}`);
	return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

function tmpdir(t) {
	const d = fs.mkdtempSync(path.join(os.tmpdir(), 'skillgw-install-'));
	t.after(() => { if (!process.env.KEEP_TMP) fs.rmSync(d, { recursive: true, force: true }); });
	return d;
}

test('make install PREFIX=/usr/local DESTDIR=tmp: binaries, man pages, config that passes -t, systemd unit', { timeout: 300000 }, (t) => {
	const dest = tmpdir(t);
	const prefix = path.join(dest, 'usr/local');
	const etc = path.join(prefix, 'etc/skillgw');
	const r = make(['install', `DESTDIR=${dest}`, 'PREFIX=/usr/local']);
	assert.equal(r.code, 0, `make install failed:\n${r.out}`);

	// binaries
	for (const b of ['skillgw', 'skillctl']) {
		const f = path.join(prefix, 'bin', b);
		assert.ok(fs.existsSync(f), `${f} installed`);
		assert.ok(fs.statSync(f).mode & 0o111, `${f} executable`);
		const help = run(f, ['--help']);
		assert.equal(help.code, 0, `${b} --help: ${help.out}`);
		assert.match(help.stdout, new RegExp(`^Usage: ${b} `), `${b} --help starts with its usage`);
		const v = run(f, ['--version']);
		assert.equal(v.code, 0, `${b} --version: ${v.out}`);
		assert.match(v.stdout, new RegExp(`^${b} \\S+`), `${b} --version prints name and version`);

		// its man page, made from --help
		const man = path.join(prefix, 'share/man/man8', `${b}.8`);
		assert.ok(fs.existsSync(man), `${man} installed`);
		const page = fs.readFileSync(man, 'utf8');
		assert.match(page, new RegExp(`^\\.TH ${b.toUpperCase()} 8 `), `${b}.8 is a man page`);
		assert.match(page, /^\.SH NAME\n\S+ \\- \S/m, `${b}.8 has a NAME line`);
		assert.ok(page.includes('--version'), `${b}.8 lists the options of --help`);
	}

	// configuration: the example as installed passes -t; its database is
	// where the unit keeps state; the real file was made from it
	const example = path.join(etc, 'skillgw.conf.example');
	assert.ok(fs.existsSync(example), 'skillgw.conf.example installed');
	assert.ok(fs.existsSync(path.join(etc, 'skillgw.conf')), 'skillgw.conf installed (there was none)');
	const gw = path.join(prefix, 'bin/skillgw');
	const check = run(gw, ['-t', '-c', example]);
	assert.equal(check.code, 0, `installed skillgw -t -c installed example:\n${check.out}`);
	const eff = run(gw, ['-t', '-v', '-c', example]);
	assert.equal(eff.code, 0, eff.out);
	assert.match(eff.stdout, /database = "\/var\/lib\/skillgw\/skillgw\.db";/, 'the database is in /var/lib/skillgw');
	// every other full configuration shipped (the carriers' example) too
	for (const f of fs.readdirSync(etc).filter((x) => x.endsWith('.example'))) {
		const body = fs.readFileSync(path.join(etc, f), 'utf8');
		if (!/^\s*links\s*=/m.test(body)) continue;
		const c = run(gw, ['-t', '-c', path.join(etc, f)]);
		assert.equal(c.code, 0, `skillgw -t -c ${f}:\n${c.out}`);
	}
	// skillctl reads the same file
	const ctl = run(path.join(prefix, 'bin/skillctl'), ['-c', example, '--help']);
	assert.equal(ctl.code, 0, ctl.out);

	// the systemd unit: installed paths, unprivileged, state in /var/lib/skillgw
	const unit = fs.readFileSync(path.join(prefix, 'lib/systemd/system/skillgw.service'), 'utf8');
	assert.match(unit, /^ExecStart=\/usr\/local\/bin\/skillgw -c \/usr\/local\/etc\/skillgw\/skillgw\.conf$/m);
	assert.match(unit, /^ExecStartPre=\/usr\/local\/bin\/skillgw -t -c \/usr\/local\/etc\/skillgw\/skillgw\.conf$/m);
	assert.match(unit, /^StateDirectory=skillgw$/m);
	assert.match(unit, /^WorkingDirectory=\/var\/lib\/skillgw$/m);
	assert.match(unit, /^(DynamicUser=yes|User=(?!root$)\S+)$/m, 'runs as an unprivileged user');
	assert.doesNotMatch(unit, /^User=root$/m);
});

test('make install again keeps the operator\'s configuration; make uninstall removes the rest; PREFIX reaches the unit', { timeout: 300000 }, (t) => {
	const dest = tmpdir(t);
	const prefix = path.join(dest, 'opt/skillgw');
	const etc = path.join(prefix, 'etc/skillgw');
	let r = make(['install', `DESTDIR=${dest}`, 'PREFIX=/opt/skillgw']);
	assert.equal(r.code, 0, `make install failed:\n${r.out}`);
	const unit = fs.readFileSync(path.join(prefix, 'lib/systemd/system/skillgw.service'), 'utf8');
	assert.match(unit, /^ExecStart=\/opt\/skillgw\/bin\/skillgw -c \/opt\/skillgw\/etc\/skillgw\/skillgw\.conf$/m);
	assert.doesNotMatch(unit, /\/usr\/local/, 'no /usr/local left in the unit');

	const conf = path.join(etc, 'skillgw.conf');
	fs.appendFileSync(conf, '# edited by the operator\n');
	r = make(['install', `DESTDIR=${dest}`, 'PREFIX=/opt/skillgw']);
	assert.equal(r.code, 0, `second make install failed:\n${r.out}`);
	assert.match(fs.readFileSync(conf, 'utf8'), /# edited by the operator\n$/, 'skillgw.conf kept as edited');
	assert.doesNotMatch(fs.readFileSync(path.join(etc, 'skillgw.conf.example'), 'utf8'), /edited by the operator/);

	r = make(['uninstall', `DESTDIR=${dest}`, 'PREFIX=/opt/skillgw']);
	assert.equal(r.code, 0, `make uninstall failed:\n${r.out}`);
	for (const f of ['bin/skillgw', 'bin/skillctl', 'share/man/man8/skillgw.8', 'lib/systemd/system/skillgw.service',
		'etc/skillgw/skillgw.conf.example']) {
		assert.ok(!fs.existsSync(path.join(prefix, f)), `${f} removed`);
	}
	assert.ok(fs.existsSync(conf), 'skillgw.conf kept');
});
