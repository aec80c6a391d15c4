#!/usr/bin/env node
'use strict';
// smsc-cli.js - run the SMSC simulator in the foreground.
//
//   node tests/sim/smsc-cli.js --port 2775 [--host 127.0.0.1] [--system-id ID]
//        [--password P] [--dlr[=tlv|text|both]] [--id-format hex|decimal]
//        [--throttle N] [--quiet]
//
// Logs one line per message received (parts joined). Lines typed on stdin:
//   mo FROM TO TEXT...     send an MO (GSM or UCS-2, split with UDH when long)
//   drop                   drop every connection
//   stats                  print counters
//   quit

const readline = require('readline');
const { createSmsc } = require('./smsc');

function usage(code) {
	process.stdout.write(
		'usage: smsc-cli.js --port N [--host H] [--system-id ID] [--password P]\n' +
		'                   [--dlr[=tlv|text|both]] [--id-format hex|decimal] [--throttle N] [--quiet]\n');
	process.exit(code);
}

function parseArgs(argv) {
	const o = { port: 2775, host: '127.0.0.1', dlr: false, idFormat: 'hex', throttle: 0, quiet: false };
	for (let i = 0; i < argv.length; i++) {
		let a = argv[i];
		let v = null;
		const eq = a.indexOf('=');
		if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
		const val = () => (v !== null ? v : (i + 1 < argv.length ? argv[++i] : usage(2)));
		switch (a) {
		case '--port': o.port = Number(val()); break;
		case '--host': o.host = val(); break;
		case '--system-id': o.systemId = val(); break;
		case '--password': o.password = val(); break;
		case '--dlr': o.dlr = v || 'tlv'; break;
		case '--id-format': o.idFormat = val(); break;
		case '--throttle': o.throttle = Number(val()); break;
		case '--quiet': o.quiet = true; break;
		case '-h': case '--help': usage(0); break;
		default: process.stderr.write(`unknown option ${a}\n`); usage(2);
		}
	}
	if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) usage(2);
	return o;
}

function ts() {
	return new Date().toISOString().replace('T', ' ').replace('Z', '');
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const say = (s) => process.stdout.write(`${ts()} ${s}\n`);
	const sim = await createSmsc({
		host: o.host, port: o.port, systemId: o.systemId, password: o.password,
		log: o.quiet ? () => {} : (s) => { if (!s.startsWith('MT ') && !s.startsWith('MO ')) say(s); },
		behaviour: { dlr: o.dlr ? { form: o.dlr } : false, idFormat: o.idFormat, throttle: o.throttle },
	});
	say(`SMSC simulator listening on ${o.host}:${sim.port}`);
	sim.events.on('message', (m) => {
		say(`MT ${m.from} -> ${m.to} (${m.parts} part${m.parts > 1 ? 's' : ''}, dcs ${m.data_coding}, id ${m.ids.join(',')}): ${JSON.stringify(m.text)}`);
	});
	sim.events.on('violation', (v) => say(`VIOLATION ${v}`));

	const rl = readline.createInterface({ input: process.stdin, terminal: false });
	rl.on('line', async (line) => {
		const m = line.trim().match(/^(\S+)\s*(.*)$/);
		if (!m) return;
		const [, cmd, rest] = m;
		if (cmd === 'mo') {
			const a = rest.match(/^(\S+)\s+(\S+)\s+(.*)$/);
			if (!a) return say('usage: mo FROM TO TEXT');
			const r = await sim.sendMo({ from: a[1], to: a[2], text: a[3] });
			say(`MO ${a[1]} -> ${a[2]}: ${r.parts.map((p) => `status ${p.status} in ${p.ms.toFixed(1)} ms`).join('; ')}`);
		} else if (cmd === 'drop') {
			sim.dropConnections();
		} else if (cmd === 'stats') {
			say(JSON.stringify(sim.counters));
		} else if (cmd === 'quit') {
			await sim.close();
			process.exit(0);
		} else {
			say(`unknown command ${cmd} (mo, drop, stats, quit)`);
		}
	});
	const stop = async () => { await sim.close(); process.exit(0); };
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((e) => { process.stderr.write(`smsc-cli: ${e.message}\n`); process.exit(1); });
