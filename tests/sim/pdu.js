'use strict';
// pdu.js - the simulator's own reading of submit_sm / deliver_sm bodies from
// the raw octets (node-smpp's decoder guesses charsets and hides the UDH), a
// UDH parser, and builders for raw (possibly malformed) PDUs.

const CMD = {
	generic_nack: 0x80000000,
	bind_receiver: 0x00000001, bind_receiver_resp: 0x80000001,
	bind_transmitter: 0x00000002, bind_transmitter_resp: 0x80000002,
	query_sm: 0x00000003,
	submit_sm: 0x00000004, submit_sm_resp: 0x80000004,
	deliver_sm: 0x00000005, deliver_sm_resp: 0x80000005,
	unbind: 0x00000006, unbind_resp: 0x80000006,
	bind_transceiver: 0x00000009, bind_transceiver_resp: 0x80000009,
	enquire_link: 0x00000015, enquire_link_resp: 0x80000015,
	data_sm: 0x00000103,
};

const STATUS = {
	ESME_ROK: 0x00, ESME_RINVMSGLEN: 0x01, ESME_RINVCMDLEN: 0x02, ESME_RINVCMDID: 0x03,
	ESME_RINVBNDSTS: 0x04, ESME_RALYBND: 0x05, ESME_RSYSERR: 0x08, ESME_RINVDSTADR: 0x0B,
	ESME_RBINDFAIL: 0x0D, ESME_RINVPASWD: 0x0E, ESME_RINVSYSID: 0x0F, ESME_RMSGQFUL: 0x14,
	ESME_RTHROTTLED: 0x58, ESME_RINVTLVVAL: 0xC4, ESME_RX_T_APPN: 0x64, ESME_RX_P_APPN: 0x65,
	ESME_RUNKNOWNERR: 0xFF,
};

const TLV = {
	receipted_message_id: 0x001E,
	sar_msg_ref_num: 0x020C,
	sar_total_segments: 0x020E,
	sar_segment_seqnum: 0x020F,
	message_payload: 0x0424,
	message_state: 0x0427,
	ussd_service_op: 0x0501,
	its_session_info: 0x1383,
};

class Reader {
	constructor(buf, off) { this.buf = buf; this.off = off; }
	need(n, what) {
		if (this.off + n > this.buf.length) throw new Error(`truncated at ${what} (offset ${this.off})`);
	}
	u8(what) { this.need(1, what); return this.buf[this.off++]; }
	u16(what) { this.need(2, what); const v = this.buf.readUInt16BE(this.off); this.off += 2; return v; }
	cstr(what, max) {
		const end = this.buf.indexOf(0, this.off);
		if (end < 0) throw new Error(`unterminated C-Octet String ${what} (offset ${this.off})`);
		const s = this.buf.toString('latin1', this.off, end);
		if (max !== undefined && end - this.off + 1 > max) {
			throw new Error(`${what} is ${end - this.off + 1} octets with NUL, maximum ${max}`);
		}
		this.off = end + 1;
		return s;
	}
	bytes(n, what) { this.need(n, what); const b = this.buf.subarray(this.off, this.off + n); this.off += n; return b; }
}

function header(buf) {
	return {
		command_length: buf.readUInt32BE(0),
		command_id: buf.readUInt32BE(4),
		command_status: buf.readUInt32BE(8),
		sequence_number: buf.readUInt32BE(12),
	};
}

/**
 * Parse a submit_sm or deliver_sm (same body layout) from raw octets.
 * Throws with a description when the body is malformed.
 */
function parseSm(raw) {
	const h = header(raw);
	if (h.command_length !== raw.length) throw new Error(`command_length ${h.command_length} but ${raw.length} octets`);
	const r = new Reader(raw, 16);
	const pdu = { ...h };
	pdu.service_type = r.cstr('service_type', 6);
	pdu.source_addr_ton = r.u8('source_addr_ton');
	pdu.source_addr_npi = r.u8('source_addr_npi');
	pdu.source_addr = r.cstr('source_addr', 21);
	pdu.dest_addr_ton = r.u8('dest_addr_ton');
	pdu.dest_addr_npi = r.u8('dest_addr_npi');
	pdu.destination_addr = r.cstr('destination_addr', 21);
	pdu.esm_class = r.u8('esm_class');
	pdu.protocol_id = r.u8('protocol_id');
	pdu.priority_flag = r.u8('priority_flag');
	pdu.schedule_delivery_time = r.cstr('schedule_delivery_time', 17);
	pdu.validity_period = r.cstr('validity_period', 17);
	pdu.registered_delivery = r.u8('registered_delivery');
	pdu.replace_if_present_flag = r.u8('replace_if_present_flag');
	pdu.data_coding = r.u8('data_coding');
	pdu.sm_default_msg_id = r.u8('sm_default_msg_id');
	pdu.sm_length = r.u8('sm_length');
	pdu.short_message = Buffer.from(r.bytes(pdu.sm_length, 'short_message'));
	pdu.tlvs = {};
	while (r.off < raw.length) {
		const tag = r.u16('TLV tag');
		const len = r.u16('TLV length');
		const val = Buffer.from(r.bytes(len, `TLV 0x${tag.toString(16)} value`));
		pdu.tlvs[tag] = val;
	}
	return pdu;
}

/** Parse a UDH at the start of ud. Returns {udhLen, concat:{ref,total,seq,bits}|null, ies, error}. */
function parseUdh(ud) {
	if (ud.length < 1) return { error: 'empty user data with UDHI set' };
	const udhl = ud[0];
	if (udhl + 1 > ud.length) return { error: `UDHL ${udhl} beyond user data of ${ud.length}` };
	const ies = [];
	let concat = null;
	let i = 1;
	while (i < udhl + 1) {
		if (i + 2 > udhl + 1) return { error: 'truncated IE header in UDH' };
		const iei = ud[i];
		const len = ud[i + 1];
		if (i + 2 + len > udhl + 1) return { error: `IE 0x${iei.toString(16)} overruns UDH` };
		const data = ud.subarray(i + 2, i + 2 + len);
		ies.push({ iei, data: Buffer.from(data) });
		if (iei === 0x00 && len === 3) concat = { ref: data[0], total: data[1], seq: data[2], bits: 8 };
		if (iei === 0x08 && len === 4) concat = { ref: data.readUInt16BE(0), total: data[2], seq: data[3], bits: 16 };
		i += 2 + len;
	}
	return { udhLen: udhl + 1, concat, ies };
}

function tlvInt(buf) {
	if (!buf) return undefined;
	let v = 0;
	for (const b of buf) v = v * 256 + b;
	return v;
}

/** A PDU with header fields as given; body appended verbatim. command_length defaults to the real length. */
function rawPdu({ command_id, command_status = 0, sequence_number = 1, body = Buffer.alloc(0), command_length }) {
	const b = Buffer.alloc(16);
	b.writeUInt32BE(command_length === undefined ? 16 + body.length : command_length >>> 0, 0);
	b.writeUInt32BE(command_id >>> 0, 4);
	b.writeUInt32BE(command_status >>> 0, 8);
	b.writeUInt32BE(sequence_number >>> 0, 12);
	return Buffer.concat([b, body]);
}

function cstr(s) { return Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0])]); }

/** A well-formed deliver_sm/submit_sm body, for raw writes and for truncating. */
function smBody({ source_addr = '', destination_addr = '', esm_class = 0, data_coding = 0,
	source_addr_ton = 1, source_addr_npi = 1, dest_addr_ton = 0, dest_addr_npi = 1,
	short_message = Buffer.alloc(0), tlvs = [] }) {
	const parts = [
		cstr(''), Buffer.from([source_addr_ton, source_addr_npi]), cstr(source_addr),
		Buffer.from([dest_addr_ton, dest_addr_npi]), cstr(destination_addr),
		Buffer.from([esm_class, 0, 0]), cstr(''), cstr(''),
		Buffer.from([0, 0, data_coding, 0, short_message.length]), short_message,
	];
	for (const { tag, value } of tlvs) {
		const t = Buffer.alloc(4);
		t.writeUInt16BE(tag, 0);
		t.writeUInt16BE(value.length, 2);
		parts.push(t, value);
	}
	return Buffer.concat(parts);
}

function statusName(st) {
	for (const [k, v] of Object.entries(STATUS)) if (v === st) return k;
	return `0x${st.toString(16).padStart(8, '0')}`;
}

module.exports = { CMD, STATUS, TLV, header, parseSm, parseUdh, tlvInt, rawPdu, smBody, statusName };
