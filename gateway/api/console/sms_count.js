// sms_count.js - counts characters and SMS parts of a text as the phone
// (and the gateway, gateway/text/charset.c) will: GSM 03.38 7-bit when every
// character has a mapping (160 septets in one SMS, 153 per part when split,
// the escape-table characters ^ { } \ [ ~ ] | € and form feed take 2), else
// UCS-2 (70 UTF-16 units in one SMS, 67 per part, a character outside the
// BMP takes 2). Like the gateway, a cut never separates an escape from its
// character nor the halves of a surrogate pair: the part ends one unit early.
// Pure functions, no DOM: the unit test imports this file in node.

export const GSM_SINGLE = 160;
export const GSM_PART = 153;
export const UCS2_SINGLE = 70;
export const UCS2_PART = 67;

// GSM 03.38 default alphabet (0x1B, the escape, left out)
const GSM_DEFAULT =
	'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
	'¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
// the escape table: each takes ESC + one septet
const GSM_ESCAPED = '\f^{}\\[~]|€';

const gsmDefault = new Set([...GSM_DEFAULT].filter((c) => c !== '\u001b'));
const gsmEscaped = new Set([...GSM_ESCAPED]);

/** Septets of one character in GSM 7-bit: 1, 2 (escaped) or 0 (no mapping). */
export function gsmSeptets(ch) {
	if (gsmDefault.has(ch)) return 1;
	if (gsmEscaped.has(ch)) return 2;
	return 0;
}

/** True when every character of text has a GSM 03.38 mapping. */
export function fitsGsm(text) {
	for (const ch of text) if (!gsmSeptets(ch)) return false;
	return true;
}

/**
 * Count text as the phone will.
 * Returns { encoding: 'GSM' | 'UCS2', chars, units, parts, perPart, single,
 *           remaining }:
 *   chars      characters (code points) as a person counts them
 *   units      septets (GSM) or UTF-16 units (UCS2)
 *   parts      SMS parts (0 for an empty text)
 *   perPart    the capacity of one part in units (160/70 when one SMS,
 *              153/67 when split)
 *   remaining  units left in the last part before another is needed
 */
export function countSms(text) {
	text = text == null ? '' : String(text);
	const gsm = fitsGsm(text);
	// each character's units, in order
	const seq = [];
	for (const ch of text) seq.push(gsm ? gsmSeptets(ch) : ch.length);
	const units = seq.reduce((a, n) => a + n, 0);
	const single = gsm ? GSM_SINGLE : UCS2_SINGLE;
	const part = gsm ? GSM_PART : UCS2_PART;
	let parts;
	let remaining;
	if (units === 0) {
		parts = 0;
		remaining = single;
	} else if (units <= single) {
		parts = 1;
		remaining = single - units;
	} else {
		// greedy cut: a 2-unit character that does not fit whole goes to
		// the next part
		parts = 1;
		let used = 0;
		for (const n of seq) {
			if (used + n > part) {
				parts++;
				used = 0;
			}
			used += n;
		}
		remaining = part - used;
	}
	return {
		encoding: gsm ? 'GSM' : 'UCS2',
		chars: [...text].length,
		units,
		parts,
		perPart: units > single ? part : single,
		single,
		remaining,
	};
}

// Placeholders of a notice (handlers/notice/text.c) with the values the
// local estimate uses; the server's preview uses the longest real values.
export const PLACEHOLDERS = [
	{ name: 'name', label: '姓名（打码）', sample: '陈*明' },
	{ name: 'name_plain', label: '姓名（完整）', sample: '陈小明' },
	{ name: 'course', label: '课程名称', sample: '电工（初级工）培训班' },
	{ name: 'start_date', label: '开班日期', sample: '2026年7月1日' },
	{ name: 'region', label: '区县', sample: '普宁市' },
];

/** The placeholders text uses, and the {...} that are not placeholders. */
export function findPlaceholders(text) {
	const known = new Set(PLACEHOLDERS.map((p) => p.name));
	const used = [];
	const unknown = [];
	for (const m of String(text || '').matchAll(/\{([^{}]*)\}/g)) {
		const list = known.has(m[1]) ? used : unknown;
		if (!list.includes(m[0])) list.push(m[0]);
	}
	return { used, unknown };
}

/** text with each known placeholder replaced by its sample value. */
export function fillSamples(text) {
	let out = String(text || '');
	for (const p of PLACEHOLDERS) out = out.split(`{${p.name}}`).join(p.sample);
	return out;
}

/** What the gateway sends: signature + text + opt-out hint, no separators. */
export function noticeBody(text, signature = '', hint = '') {
	return `${signature || ''}${text || ''}${hint || ''}`;
}
