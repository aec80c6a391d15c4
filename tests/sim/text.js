'use strict';
// text.js - the simulator's own text codecs, independent of the gateway's C
// code and of node-smpp's encoder: GSM 03.38 default alphabet (unpacked, one
// septet per octet) with the escape table, UCS-2 (UTF-16BE), Latin-1, IA5,
// and splitting of long texts into parts (per-part limits, never inside an
// escape sequence or a surrogate pair).

// GSM 03.38 default alphabet, index = septet value. 0x1B is the escape.
const GSM_BASIC = [
	'@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
	'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\x1b', 'Æ', 'æ', 'ß', 'É',
	' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
	'¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
];

// Escape (extension) table: septet after 0x1B -> character.
const GSM_EXT = {
	0x0A: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2F: '\\',
	0x3C: '[', 0x3D: '~', 0x3E: ']', 0x40: '|', 0x65: '€',
};

const ENC_BASIC = new Map();
GSM_BASIC.forEach((ch, i) => { if (i !== 0x1B) ENC_BASIC.set(ch, i); });
const ENC_EXT = new Map();
for (const [k, v] of Object.entries(GSM_EXT)) ENC_EXT.set(v, Number(k));

const REPLACEMENT = '\uFFFD';

/** Septets for one character, or null when it is not in GSM 03.38. */
function gsmCharSeptets(ch) {
	if (ENC_BASIC.has(ch)) return [ENC_BASIC.get(ch)];
	if (ENC_EXT.has(ch)) return [0x1B, ENC_EXT.get(ch)];
	return null;
}

function gsmCanEncode(text) {
	for (const ch of text) if (!gsmCharSeptets(ch)) return false;
	return true;
}

/** UTF-8 (JS string) -> unpacked septets. Throws on characters outside GSM. */
function gsmEncode(text) {
	const out = [];
	for (const ch of text) {
		const s = gsmCharSeptets(ch);
		if (!s) throw new Error(`character U+${ch.codePointAt(0).toString(16)} is not in GSM 03.38`);
		out.push(...s);
	}
	return Buffer.from(out);
}

/**
 * Unpacked septets -> string. Returns {text, errors}: errors lists what was
 * not valid (octets >= 0x80, a dangling escape, unknown escape codes); those
 * become U+FFFD so a test can see them.
 */
function gsmDecodeDetailed(buf) {
	let text = '';
	const errors = [];
	for (let i = 0; i < buf.length; i++) {
		const b = buf[i];
		if (b > 0x7F) {
			errors.push(`octet 0x${b.toString(16)} at ${i} is not a septet`);
			text += REPLACEMENT;
		} else if (b === 0x1B) {
			if (i + 1 >= buf.length) {
				errors.push(`escape at the end (offset ${i})`);
				text += REPLACEMENT;
			} else {
				const e = buf[++i];
				if (GSM_EXT[e] !== undefined) {
					text += GSM_EXT[e];
				} else {
					// 03.38: an unknown escape shows the basic character
					errors.push(`unknown escape 0x1b 0x${e.toString(16)} at ${i - 1}`);
					text += e <= 0x7F ? GSM_BASIC[e] : REPLACEMENT;
				}
			}
		} else {
			text += GSM_BASIC[b];
		}
	}
	return { text, errors };
}

function gsmDecode(buf) {
	return gsmDecodeDetailed(buf).text;
}

function ucs2Encode(text) {
	const le = Buffer.from(text, 'utf16le');
	return le.swap16();
}

function ucs2DecodeDetailed(buf) {
	const errors = [];
	let b = buf;
	if (b.length % 2) {
		errors.push(`odd UCS-2 length ${b.length}`);
		b = b.subarray(0, b.length - 1);
	}
	const le = Buffer.from(b).swap16();
	let text = le.toString('utf16le');
	// report lone surrogates (a pair split across parts shows up here)
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c >= 0xD800 && c <= 0xDBFF) {
			const n = text.charCodeAt(i + 1);
			if (n >= 0xDC00 && n <= 0xDFFF) { i++; continue; }
			errors.push(`lone high surrogate at ${i}`);
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			errors.push(`lone low surrogate at ${i}`);
		}
	}
	return { text, errors };
}

/** Decode user data (without UDH) by SMPP data_coding. */
function decodeByDcs(dcs, buf) {
	let cls = dcs;
	if ((dcs & 0xF0) === 0xF0) cls = (dcs & 0x04) ? 0x04 : 0x00; // message class group
	switch (cls) {
	case 0x00: return Object.assign(gsmDecodeDetailed(buf), { charset: 'gsm' });
	case 0x01: return { text: buf.toString('latin1'), errors: [...buf].some((b) => b > 0x7F) ? ['IA5 octet > 0x7f'] : [], charset: 'ia5' };
	case 0x03: return { text: buf.toString('latin1'), errors: [], charset: 'latin1' };
	case 0x08: return Object.assign(ucs2DecodeDetailed(buf), { charset: 'ucs2' });
	default: return { text: buf.toString('hex'), errors: [], charset: 'binary' };
	}
}

/** Number of characters as the phone counts them (UTF-16 code units for UCS-2, septets for GSM). */
function gsmSeptetCount(text) {
	let n = 0;
	for (const ch of text) n += ENC_EXT.has(ch) ? 2 : 1;
	return n;
}

/**
 * Split text into parts. coding 'gsm': limit in septets, an escape pair stays
 * together; 'ucs2': limit in UTF-16 units, a surrogate pair stays together.
 */
function splitText(text, coding, limit) {
	const parts = [];
	let cur = '';
	let used = 0;
	for (const ch of text) {
		const w = coding === 'gsm' ? (ENC_EXT.has(ch) ? 2 : 1) : ch.length;
		if (used + w > limit) {
			parts.push(cur);
			cur = '';
			used = 0;
		}
		cur += ch;
		used += w;
	}
	if (cur.length || parts.length === 0) parts.push(cur);
	return parts;
}

module.exports = {
	GSM_BASIC, GSM_EXT,
	gsmCanEncode, gsmEncode, gsmDecode, gsmDecodeDetailed, gsmSeptetCount,
	ucs2Encode, ucs2DecodeDetailed, decodeByDcs, splitText,
};
