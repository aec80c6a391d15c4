'use strict';
// smsc.js - an SMSC simulator built on node-smpp (npm `smpp`), independent
// of the gateway's C code. Used by the integration tests and by the demo.
//
//   const { createSmsc } = require('./smsc');
//   const sim = await createSmsc({ port: 0, systemId: 'skillgw', password: 'secret1',
//                                  behaviour: { dlr: true, throttle: 20 } });
//   sim.port; sim.events.on('message', (m) => ...); await sim.close();
//
// What it does (see README.md next to this file for the full list):
// - listens on 127.0.0.1; accepts bind_transceiver and bind_transmitter +
//   bind_receiver; checks system_id and password (ESME_RINVSYSID,
//   ESME_RINVPASWD); answers enquire_link and unbind;
// - answers submit_sm with an incrementing message id (hex or decimal),
//   records every submit_sm decoded from the raw octets (GSM 03.38 unpacked,
//   UCS-2, Latin-1; UDH 8/16-bit concatenation, SAR TLVs, message_payload),
//   joins the parts of long messages and emits 'message';
// - optional delivery receipts (TLVs and/or the "id:... stat:..." text);
// - throttling (ESME_RTHROTTLED above N submit_sm per second), fixed or
//   per-message statuses, response delays, dropping the connection;
// - MO deliver_sm (GSM or UCS-2, split with UDH or SAR) with the
//   deliver_sm_resp status and timing; raw octets to the gateway's socket.
//
// Events on sim.events: 'connect' conn, 'bind' attempt, 'bound' conn,
// 'submit' rec, 'message' msg, 'deliver_sm_resp' {conn, pdu, ms},
// 'pdu' {conn, pdu} (everything received), 'enquire_link' conn, 'unbind'
// conn, 'close' conn, 'violation' text, 'dlr' {rec, ...}.

const EventEmitter = require('events');
const smpp = require('smpp');
const text = require('./text');
const P = require('./pdu');

// node-smpp decodes bodies with its own charset guesses. Keep the octets of
// every received PDU as a non-enumerable `raw` so we can read them ourselves.
// (Only adds a property; node-smpp's behaviour is unchanged.)
if (!smpp.PDU.prototype.__skillgwRaw) {
	const orig = smpp.PDU.prototype.fromBuffer;
	smpp.PDU.prototype.fromBuffer = function (buffer) {
		Object.defineProperty(this, 'raw', { value: Buffer.from(buffer), enumerable: false, writable: true });
		return orig.call(this, buffer);
	};
	Object.defineProperty(smpp.PDU.prototype, '__skillgwRaw', { value: true });
}

const DLR_STATES = {
	ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8,
};

const DEFAULT_BEHAVIOUR = {
	idFormat: 'hex',		// submit_sm_resp message_id: 'hex' | 'decimal' | 'hexlower' | fn(n)
	idStart: 1,
	smscSystemId: 'SIMSC',
	answerEnquireLink: true,
	enquireLinkStatus: 0,	// status of enquire_link_resp (vendor tests)
	bindStatus: 0,		// force a bind error
	throttle: 0,		// > 0: ESME_RTHROTTLED above this many submit_sm per second
	submitStatus: 0,	// number or fn(rec) -> status for accepted-looking submits
	respondDelayMs: 0,	// delay of submit_sm_resp
	onSubmit: null,		// fn(rec, sim) -> undefined | {status} | {drop:true} | {noReply:true} | {delayMs}
	dropAfterAccepted: 0,	// > 0: drop every connection after this many accepted submit_sm (once)
	dlr: false,		// true or {form:'tlv'|'text'|'both', delayMs, stat, err, idFormat, onlyIfRequested}
	unbindCloseMs: 1000,	// after answering unbind, close the socket if the peer has not
};

function pad(n, w) { return String(n).padStart(w, '0'); }

function smppDate(d) {
	return pad(d.getFullYear() % 100, 2) + pad(d.getMonth() + 1, 2) + pad(d.getDate(), 2) +
		pad(d.getHours(), 2) + pad(d.getMinutes(), 2);
}

function formatId(n, fmt, rec) {
	if (typeof fmt === 'function') return String(fmt(n, rec));
	switch (fmt) {
	case 'decimal': case 'dec': return String(n);
	case 'hexlower': return n.toString(16);
	case 'hex': default: return n.toString(16).toUpperCase();
	}
}

let connCounter = 0;

class Smsc {
	constructor(opts = {}) {
		this.host = opts.host || '127.0.0.1';
		this.requestedPort = opts.port || 0;
		this.port = null;
		this.systemId = opts.systemId;		// undefined: any system_id
		this.password = opts.password;		// undefined: any password
		this.behaviour = { ...DEFAULT_BEHAVIOUR, ...(opts.behaviour || {}) };
		this.log = opts.log || (() => {});
		this.events = new EventEmitter();
		this.events.setMaxListeners(1000);
		this.conns = new Set();
		this.binds = [];		// every bind attempt {time, mode, system_id, password, status, ...}
		this.submits = [];		// every submit_sm, accepted or not
		this.messages = [];		// joined messages
		this.violations = [];		// protocol problems seen in the gateway's PDUs
		this.dlrs = [];			// receipts sent {rec, status, ms}
		this.nextId = this.behaviour.idStart;
		this.partials = new Map();
		this.accepts = [];		// timestamps of accepted submit_sm (throttle window)
		this.pendingDeliveries = [];	// deliver_sm waiting for a receiver
		this.counters = {
			connections: 0, submit_sm: 0, accepted: 0, throttled: 0, rejected: 0, noreply: 0,
			enquire_link: 0, unbind: 0, generic_nack: 0, outstanding: 0, maxOutstanding: 0,
			dupParts: 0, drops: 0,
		};
		this._dropDone = false;
		this._timers = new Set();
		this._server = null;
	}

	listen() {
		return new Promise((resolve, reject) => {
			this._server = smpp.createServer((session) => this._onSession(session));
			this._server.on('error', reject);
			this._server.listen(this.requestedPort, this.host, () => {
				this.port = this._server.address().port;
				this._server.removeListener('error', reject);
				this._server.on('error', (e) => this.log(`server error: ${e.message}`));
				resolve(this);
			});
		});
	}

	/** Stop listening and close every connection (abruptly). */
	close() {
		for (const t of this._timers) clearTimeout(t);
		this._timers.clear();
		for (const c of this.conns) c.socket.destroy();
		return new Promise((resolve) => {
			if (!this._server) return resolve();
			this._server.close(() => resolve());
			this._server = null;
		});
	}

	_later(ms, fn) {
		const t = setTimeout(() => { this._timers.delete(t); fn(); }, ms);
		this._timers.add(t);
		return t;
	}

	_violation(conn, what) {
		const v = `conn ${conn ? conn.id : '-'}: ${what}`;
		this.violations.push(v);
		this.log(`VIOLATION ${v}`);
		this.events.emit('violation', v);
	}

	// ---- connections -------------------------------------------------

	_onSession(session) {
		const conn = {
			id: ++connCounter, session, socket: session.socket, bound: null, systemId: null,
			openedAt: Date.now(), closed: false, waiting: new Map(),
		};
		this.conns.add(conn);
		this.counters.connections++;
		session.socket.setNoDelay(true);
		this.log(`conn ${conn.id}: connected from ${session.socket.remoteAddress}:${session.socket.remotePort}`);
		this.events.emit('connect', conn);
		session.on('pdu', (pdu) => this._onPdu(conn, pdu));
		session.on('error', (e) => {
			// a PDU node-smpp could not read leaves its reader stuck: drop the link
			if (!/ECONNRESET|EPIPE|ECONNABORTED/.test(e.code || '')) {
				this._violation(conn, `unreadable data from gateway: ${e.message}`);
				session.socket.destroy();
			}
		});
		session.on('close', () => {
			conn.closed = true;
			this.conns.delete(conn);
			for (const w of conn.waiting.values()) w({ status: 'closed' });
			conn.waiting.clear();
			this.log(`conn ${conn.id}: closed (${conn.bound || 'not bound'})`);
			this.events.emit('close', conn);
		});
	}

	/** Connections bound as transceiver/transmitter (can submit) or transceiver/receiver (can take deliver_sm). */
	txConns() { return [...this.conns].filter((c) => c.bound === 'transceiver' || c.bound === 'transmitter'); }
	rxConns() { return [...this.conns].filter((c) => c.bound === 'transceiver' || c.bound === 'receiver'); }
	boundConns() { return [...this.conns].filter((c) => c.bound); }

	/** Close every connection at once; {rst:true} sends a TCP reset instead of FIN. */
	dropConnections({ rst = false } = {}) {
		this.counters.drops++;
		this.log('dropping all connections');
		for (const c of [...this.conns]) {
			if (rst && c.socket.resetAndDestroy) c.socket.resetAndDestroy();
			else c.socket.destroy();
		}
	}

	_send(conn, pdu) {
		if (conn.closed) return false;
		return conn.session.send(pdu);
	}

	_onPdu(conn, pdu) {
		this.events.emit('pdu', { conn, pdu });
		const seq = pdu.sequence_number;
		if (pdu.command_id & 0x80000000) {
			// a response: wake up whoever waits for it
			const w = conn.waiting.get(seq);
			if (w) {
				conn.waiting.delete(seq);
				w({ status: pdu.command_status, pdu });
			}
			if (pdu.command === 'generic_nack') this.counters.generic_nack++;
			this.events.emit(pdu.command, { conn, pdu });
			return;
		}
		if (seq < 1 || seq > 0x7FFFFFFF) this._violation(conn, `${pdu.command} with sequence_number ${seq}`);
		switch (pdu.command) {
		case 'bind_transceiver':
		case 'bind_transmitter':
		case 'bind_receiver':
			return this._onBind(conn, pdu);
		case 'submit_sm':
			return this._onSubmit(conn, pdu);
		case 'enquire_link':
			this.counters.enquire_link++;
			this.events.emit('enquire_link', conn);
			if (this.behaviour.answerEnquireLink) {
				this._send(conn, pdu.response({ command_status: this.behaviour.enquireLinkStatus || 0 }));
			}
			return;
		case 'unbind':
			this.counters.unbind++;
			this.log(`conn ${conn.id}: unbind`);
			conn.bound = null;
			this._send(conn, pdu.response());
			this.events.emit('unbind', conn);
			this._later(this.behaviour.unbindCloseMs, () => conn.socket.end());
			return;
		default:
			// unknown or unsupported (node-smpp names unknown ids 'unknown' and
			// answers them with generic_nack ESME_RINVCMDID)
			this._send(conn, pdu.command === 'unknown'
				? pdu.response()
				: new smpp.PDU('generic_nack', { sequence_number: seq, command_status: P.STATUS.ESME_RINVCMDID }));
		}
	}

	_onBind(conn, pdu) {
		const mode = pdu.command.replace('bind_', '');
		const b = this.behaviour;
		const attempt = {
			time: Date.now(), conn: conn.id, mode, system_id: pdu.system_id, password: pdu.password,
			system_type: pdu.system_type, interface_version: pdu.interface_version,
			addr_ton: pdu.addr_ton, addr_npi: pdu.addr_npi, address_range: pdu.address_range, status: 0,
		};
		if (conn.bound) attempt.status = P.STATUS.ESME_RALYBND;
		else if (this.systemId !== undefined && pdu.system_id !== this.systemId) attempt.status = P.STATUS.ESME_RINVSYSID;
		else if (this.password !== undefined && pdu.password !== this.password) attempt.status = P.STATUS.ESME_RINVPASWD;
		else if (b.bindStatus) attempt.status = b.bindStatus;
		this.binds.push(attempt);
		this.log(`conn ${conn.id}: ${pdu.command} system_id=${pdu.system_id} -> ${P.statusName(attempt.status)}`);
		if (attempt.status) {
			// an error bind_*_resp carries no body
			this._send(conn, pdu.response({ command_status: attempt.status }));
			this.events.emit('bind', attempt);
			return;
		}
		conn.bound = mode;
		conn.systemId = pdu.system_id;
		this._send(conn, pdu.response({ system_id: b.smscSystemId }));
		this.events.emit('bind', attempt);
		this.events.emit('bound', conn);
		if (mode !== 'transmitter') this._flushDeliveries();
	}

	// ---- submit_sm -----------------------------------------------------

	_onSubmit(conn, pdu) {
		const b = this.behaviour;
		const seq = pdu.sequence_number;
		this.counters.submit_sm++;
		if (conn.bound !== 'transceiver' && conn.bound !== 'transmitter') {
			this._violation(conn, `submit_sm while ${conn.bound || 'not bound'}`);
			this._send(conn, pdu.response({ command_status: P.STATUS.ESME_RINVBNDSTS }));
			return;
		}
		let rec;
		try {
			rec = this._decodeSubmit(conn, pdu.raw);
		} catch (e) {
			this._violation(conn, `submit_sm seq ${seq}: ${e.message}`);
			this._send(conn, pdu.response({ command_status: P.STATUS.ESME_RINVMSGLEN }));
			return;
		}
		this.submits.push(rec);
		this.counters.outstanding++;
		if (this.counters.outstanding > this.counters.maxOutstanding) this.counters.maxOutstanding = this.counters.outstanding;

		let status = 0;
		let delay = b.respondDelayMs || 0;
		let action = null;
		if (b.onSubmit) action = b.onSubmit(rec, this) || null;
		if (action && action.delayMs !== undefined) delay = action.delayMs;
		if (action && action.status !== undefined) {
			status = action.status;
		} else if (b.throttle > 0 && this._throttled()) {
			status = P.STATUS.ESME_RTHROTTLED;
		} else if (b.submitStatus) {
			status = typeof b.submitStatus === 'function' ? (b.submitStatus(rec) || 0) : b.submitStatus;
		}
		rec.status = status;
		if (action && action.drop) {
			rec.status = 'dropped';
			this.counters.outstanding--;
			this.events.emit('submit', rec);
			this.dropConnections();
			return;
		}
		if (status === 0) {
			rec.accepted = true;
			rec.messageId = formatId(this.nextId, b.idFormat, rec);
			rec.idNumber = this.nextId++;
			this.counters.accepted++;
			this.accepts.push(rec.time);
			this._join(rec);
			this._scheduleDlr(rec);
		} else if (status === P.STATUS.ESME_RTHROTTLED) {
			this.counters.throttled++;
		} else {
			this.counters.rejected++;
		}
		this.events.emit('submit', rec);
		if (action && action.noReply) {
			rec.noReply = true;
			this.counters.noreply++;
			this.counters.outstanding--;
			return;
		}
		const reply = () => {
			this.counters.outstanding--;
			this._send(conn, status
				? pdu.response({ command_status: status })
				: pdu.response({ message_id: rec.messageId }));
			if (status === 0 && b.dropAfterAccepted > 0 && !this._dropDone &&
			    this.counters.accepted >= b.dropAfterAccepted) {
				this._dropDone = true;
				setImmediate(() => this.dropConnections());
			}
		};
		if (delay > 0) this._later(delay, reply);
		else reply();
	}

	_throttled() {
		const now = Date.now();
		while (this.accepts.length && this.accepts[0] <= now - 1000) this.accepts.shift();
		return this.accepts.length >= this.behaviour.throttle;
	}

	_decodeSubmit(conn, raw) {
		const pdu = P.parseSm(raw);
		const rec = {
			time: Date.now(), conn: conn.id, seq: pdu.sequence_number,
			source_addr: pdu.source_addr, source_addr_ton: pdu.source_addr_ton, source_addr_npi: pdu.source_addr_npi,
			destination_addr: pdu.destination_addr, dest_addr_ton: pdu.dest_addr_ton, dest_addr_npi: pdu.dest_addr_npi,
			esm_class: pdu.esm_class, data_coding: pdu.data_coding, registered_delivery: pdu.registered_delivery,
			validity_period: pdu.validity_period, service_type: pdu.service_type,
			sm_length: pdu.sm_length, tlvs: pdu.tlvs, raw: Buffer.from(raw),
			udh: null, concat: null, sar: null, payload: false, ud: null, text: '', textErrors: [],
		};
		let ud = pdu.short_message;
		const payload = pdu.tlvs[P.TLV.message_payload];
		if (payload) {
			rec.payload = true;
			if (pdu.sm_length) this._violation(conn, `submit_sm seq ${rec.seq}: both short_message and message_payload`);
			ud = payload;
		}
		if (pdu.esm_class & 0x40) {
			const u = P.parseUdh(ud);
			if (u.error) throw new Error(u.error);
			rec.udh = u;
			rec.concat = u.concat;
			ud = ud.subarray(u.udhLen);
		}
		if (pdu.tlvs[P.TLV.sar_msg_ref_num] || pdu.tlvs[P.TLV.sar_total_segments] || pdu.tlvs[P.TLV.sar_segment_seqnum]) {
			rec.sar = {
				ref: P.tlvInt(pdu.tlvs[P.TLV.sar_msg_ref_num]),
				total: P.tlvInt(pdu.tlvs[P.TLV.sar_total_segments]),
				seq: P.tlvInt(pdu.tlvs[P.TLV.sar_segment_seqnum]),
			};
			if (rec.sar.ref === undefined || rec.sar.total === undefined || rec.sar.seq === undefined) {
				this._violation(conn, `submit_sm seq ${rec.seq}: incomplete SAR TLVs`);
			}
		}
		rec.ud = Buffer.from(ud);
		const d = text.decodeByDcs(pdu.data_coding, rec.ud);
		rec.text = d.text;
		rec.charset = d.charset;
		rec.textErrors = d.errors;
		for (const e of d.errors) this._violation(conn, `submit_sm seq ${rec.seq} to ${rec.destination_addr}: ${e}`);
		const c = rec.concat || rec.sar;
		if (c && (c.total < 1 || c.seq < 1 || c.seq > c.total)) {
			this._violation(conn, `submit_sm seq ${rec.seq}: part ${c.seq} of ${c.total}`);
		}
		if (!payload && pdu.sm_length > 254) this._violation(conn, `sm_length ${pdu.sm_length}`);
		return rec;
	}

	_join(rec) {
		const c = rec.concat || rec.sar;
		if (!c || c.total <= 1) {
			return this._emitMessage([rec]);
		}
		const kind = rec.concat ? `udh${rec.concat.bits}` : 'sar';
		const key = `${rec.source_addr}|${rec.destination_addr}|${kind}|${c.ref}|${c.total}`;
		let g = this.partials.get(key);
		if (!g) {
			g = new Map();
			this.partials.set(key, g);
		}
		if (g.has(c.seq)) this.counters.dupParts++;
		g.set(c.seq, rec);
		if (g.size === c.total) {
			this.partials.delete(key);
			const recs = [...g.keys()].sort((a, b) => a - b).map((k) => g.get(k));
			this._emitMessage(recs);
		}
	}

	_emitMessage(recs) {
		const r0 = recs[0];
		const c = r0.concat || r0.sar;
		const msg = {
			from: r0.source_addr, to: r0.destination_addr,
			text: recs.map((r) => r.text).join(''),
			parts: recs.length, ids: recs.map((r) => r.messageId),
			ref: c ? c.ref : null, data_coding: r0.data_coding, recs, time: Date.now(),
		};
		this.messages.push(msg);
		this.log(`MT ${msg.from} -> ${msg.to} [${msg.parts} part${msg.parts > 1 ? 's' : ''}, dcs ${msg.data_coding}] ${msg.text}`);
		this.events.emit('message', msg);
	}

	/** Map destination -> number of accepted single or joined messages. */
	messageCountByDestination() {
		const m = new Map();
		for (const msg of this.messages) m.set(msg.to, (m.get(msg.to) || 0) + 1);
		return m;
	}

	// ---- deliver_sm: receipts and MO -----------------------------------

	_scheduleDlr(rec) {
		let d = this.behaviour.dlr;
		if (!d) return;
		if (d === true) d = {};
		const onlyIfRequested = d.onlyIfRequested !== false;
		if (onlyIfRequested && !(rec.registered_delivery & 0x03)) return;
		const stat = d.stat || 'DELIVRD';
		if ((rec.registered_delivery & 0x03) === 2 && stat === 'DELIVRD' && onlyIfRequested) return; // failure only
		this._later(d.delayMs === undefined ? 50 : d.delayMs, () => {
			const opts = this.dlrOptions(rec, d);
			this._deliverQueued(opts, { kind: 'dlr', rec, attemptsLeft: 5 });
		});
	}

	/** node-smpp options of the receipt for an accepted submit record. */
	dlrOptions(rec, d = {}) {
		const stat = d.stat || 'DELIVRD';
		const err = d.err === undefined ? (stat === 'DELIVRD' ? 0 : 1) : d.err;
		const id = formatId(rec.idNumber, d.idFormat || this.behaviour.idFormat, rec);
		const form = d.form || 'tlv';
		const now = new Date();
		const snippet = (rec.charset === 'gsm' || rec.charset === 'ia5' ? rec.text : '')
			.replace(/[^A-Za-z0-9 .,:!?-]/g, '.').slice(0, 20);
		const body = `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${smppDate(new Date(rec.time))} ` +
			`done date:${smppDate(now)} stat:${stat} err:${pad(err, 3)} text:${snippet}`;
		const o = {
			service_type: '',
			source_addr_ton: rec.dest_addr_ton, source_addr_npi: rec.dest_addr_npi, source_addr: rec.destination_addr,
			dest_addr_ton: rec.source_addr_ton, dest_addr_npi: rec.source_addr_npi, destination_addr: rec.source_addr,
			esm_class: 0x04, data_coding: 0,
			short_message: form === 'tlv' ? Buffer.alloc(0) : text.gsmEncode(body),
		};
		if (form === 'tlv' || form === 'both') {
			o.receipted_message_id = id;
			o.message_state = DLR_STATES[stat] || 7;
		}
		return o;
	}

	_flushDeliveries() {
		const q = this.pendingDeliveries;
		this.pendingDeliveries = [];
		for (const item of q) this._deliverQueued(item.opts, item.meta);
	}

	/** Deliver with store-and-forward: waits for a receiver, retries failures a few times. */
	_deliverQueued(opts, meta) {
		const conn = this.rxConns()[0];
		if (!conn) {
			this.pendingDeliveries.push({ opts, meta });
			return;
		}
		this.deliverSm(opts, { conn }).then((r) => {
			if (meta.kind === 'dlr') {
				this.dlrs.push({ rec: meta.rec, status: r.status, ms: r.ms });
				this.events.emit('dlr', { rec: meta.rec, status: r.status, ms: r.ms });
			}
			if (r.status !== 0 && meta.attemptsLeft > 0) {
				meta.attemptsLeft--;
				this._later(300, () => this._deliverQueued(opts, meta));
			}
		});
	}

	/**
	 * Send one deliver_sm with node-smpp options (set data_coding yourself).
	 * Resolves {status, ms, pdu, seq, conn}; status is 'timeout', 'closed' or
	 * 'no receiver' when there was no answer.
	 */
	deliverSm(options, { conn, timeoutMs = 5000, onResp } = {}) {
		conn = conn || this.rxConns()[0];
		if (!conn) return Promise.resolve({ status: 'no receiver', ms: 0 });
		return new Promise((resolve) => {
			const pdu = new smpp.PDU('deliver_sm', options);
			const t0 = process.hrtime.bigint();
			let timer = null;
			const done = (r) => {
				if (timer) clearTimeout(timer);
				r.ms = Number(process.hrtime.bigint() - t0) / 1e6;
				r.seq = pdu.sequence_number;
				r.conn = conn;
				if (onResp) onResp(r);
				resolve(r);
			};
			if (!conn.session.send(pdu)) return done({ status: 'closed' });
			conn.waiting.set(pdu.sequence_number, done);
			timer = setTimeout(() => {
				conn.waiting.delete(pdu.sequence_number);
				done({ status: 'timeout' });
			}, timeoutMs);
		});
	}

	/**
	 * Send an MO. {from, to, text, coding:'auto'|'gsm'|'ucs2', split:'udh8'|'udh16'|'sar'|'payload'|'none',
	 * parts:[strings] (exact split), order/only:[1-based part numbers], ref, gapMs, timeoutMs,
	 * esmClass, dataCoding, onResp(partResult) (called in the response handler, before anything else)}.
	 * Parts go one after another, each after the previous response.
	 * Resolves {status (0 when every part got 0), parts:[{status, ms, seq}], ref}.
	 */
	async sendMo(o) {
		const coding = !o.coding || o.coding === 'auto' ? (text.gsmCanEncode(o.text) ? 'gsm' : 'ucs2') : o.coding;
		const dcs = o.dataCoding !== undefined ? o.dataCoding : (coding === 'gsm' ? 0 : 8);
		const split = o.split || 'udh8';
		const enc = (s) => (coding === 'gsm' ? text.gsmEncode(s) : text.ucs2Encode(s));
		let chunks = o.parts;
		if (!chunks) {
			const single = coding === 'gsm' ? 160 : 70;
			const fits = coding === 'gsm' ? text.gsmSeptetCount(o.text) <= single : o.text.length <= single;
			if (fits || split === 'payload' || split === 'none') chunks = [o.text];
			else {
				const limit = o.partLimit || (coding === 'gsm' ? (split === 'udh16' ? 152 : 153) : (split === 'udh16' ? 66 : 67));
				chunks = text.splitText(o.text, coding, limit);
			}
		}
		const ref = o.ref !== undefined ? o.ref : Math.floor(Math.random() * (split === 'udh16' ? 65536 : 256));
		const results = [];
		// order/only: 1-based part numbers to send, in that order (tests of
		// out-of-order and missing parts)
		const seqs = o.order || o.only || chunks.map((_, i) => i + 1);
		for (const [k, seqNo] of seqs.entries()) {
			const i = seqNo - 1;
			const ud = enc(chunks[i]);
			const opts = {
				service_type: '',
				source_addr_ton: o.sourceTon === undefined ? 1 : o.sourceTon,
				source_addr_npi: o.sourceNpi === undefined ? 1 : o.sourceNpi,
				source_addr: o.from,
				dest_addr_ton: o.destTon === undefined ? 0 : o.destTon,
				dest_addr_npi: o.destNpi === undefined ? 1 : o.destNpi,
				destination_addr: o.to,
				esm_class: o.esmClass || 0,
				data_coding: dcs,
				short_message: ud,
			};
			if (chunks.length > 1 && split === 'udh8') {
				opts.short_message = Buffer.concat([Buffer.from([5, 0, 3, ref & 0xFF, chunks.length, i + 1]), ud]);
				opts.esm_class |= 0x40;
			} else if (chunks.length > 1 && split === 'udh16') {
				opts.short_message = Buffer.concat([Buffer.from([6, 8, 4, (ref >> 8) & 0xFF, ref & 0xFF, chunks.length, i + 1]), ud]);
				opts.esm_class |= 0x40;
			} else if (chunks.length > 1 && split === 'sar') {
				opts.sar_msg_ref_num = ref & 0xFFFF;
				opts.sar_total_segments = chunks.length;
				opts.sar_segment_seqnum = i + 1;
			} else if (split === 'payload') {
				opts.short_message = Buffer.alloc(0);
				opts.message_payload = ud;
			}
			if (o.tlvs) Object.assign(opts, o.tlvs);
			const r = await this.deliverSm(opts, { conn: o.conn, timeoutMs: o.timeoutMs, onResp: o.onResp });
			results.push({ status: r.status, ms: r.ms, seq: r.seq, part: i + 1, pdu: r.pdu });
			if (k + 1 < seqs.length && o.gapMs) await new Promise((res) => setTimeout(res, o.gapMs));
		}
		const bad = results.find((r) => r.status !== 0);
		this.log(`MO ${o.from} -> ${o.to} [${chunks.length} part(s)] ${bad ? `status ${bad.status}` : 'ok'}`);
		return { status: bad ? bad.status : 0, parts: results, ref };
	}

	/** Send a PDU the gateway must answer (enquire_link, unbind...). Resolves {status, pdu, ms}. */
	request(command, options = {}, { conn, timeoutMs = 5000 } = {}) {
		conn = conn || this.boundConns()[0] || [...this.conns][0];
		if (!conn) return Promise.resolve({ status: 'no connection' });
		return new Promise((resolve) => {
			const pdu = new smpp.PDU(command, options);
			const t0 = Date.now();
			if (!conn.session.send(pdu)) return resolve({ status: 'closed' });
			const timer = setTimeout(() => { conn.waiting.delete(pdu.sequence_number); resolve({ status: 'timeout', ms: Date.now() - t0 }); }, timeoutMs);
			conn.waiting.set(pdu.sequence_number, (r) => { clearTimeout(timer); r.ms = Date.now() - t0; resolve(r); });
		});
	}

	/** Write octets as they are to a connection (default: the first that can take deliver_sm). */
	writeRaw(buf, { conn } = {}) {
		conn = conn || this.rxConns()[0] || this.boundConns()[0];
		if (!conn) throw new Error('no bound connection for a raw write');
		conn.socket.write(buf);
		return conn;
	}

	/** Resolves with the first event arg for which pred is true; rejects after timeoutMs. */
	waitFor(event, pred = () => true, timeoutMs = 10000, what) {
		return new Promise((resolve, reject) => {
			const on = (arg) => {
				let ok = false;
				try { ok = pred(arg); } catch (e) { ok = false; }
				if (ok) { clearTimeout(timer); this.events.removeListener(event, on); resolve(arg); }
			};
			const timer = setTimeout(() => {
				this.events.removeListener(event, on);
				reject(new Error(`simulator: no '${event}'${what ? ` (${what})` : ''} within ${timeoutMs} ms`));
			}, timeoutMs);
			this.events.on(event, on);
		});
	}

	/** First joined message (already received or coming) for which pred is true. */
	waitMessage(pred = () => true, timeoutMs = 10000, what = 'message') {
		const m = this.messages.find((x) => pred(x));
		if (m) return Promise.resolve(m);
		return this.waitFor('message', pred, timeoutMs, what);
	}

	/** First submit_sm record (already received or coming) for which pred is true. */
	waitSubmit(pred = () => true, timeoutMs = 10000, what = 'submit_sm') {
		const r = this.submits.find((x) => pred(x));
		if (r) return Promise.resolve(r);
		return this.waitFor('submit', pred, timeoutMs, what);
	}

	/** Resolves when fn() is truthy (polled every 20 ms); rejects after timeoutMs. */
	async until(fn, timeoutMs = 10000, what = 'condition') {
		const end = Date.now() + timeoutMs;
		for (;;) {
			const v = fn();
			if (v) return v;
			if (Date.now() > end) throw new Error(`simulator: ${what} not reached within ${timeoutMs} ms`);
			await new Promise((r) => setTimeout(r, 20));
		}
	}
}

async function createSmsc(opts) {
	const sim = new Smsc(opts);
	await sim.listen();
	return sim;
}

module.exports = { createSmsc, Smsc, DLR_STATES, formatId, text, pdu: P };
