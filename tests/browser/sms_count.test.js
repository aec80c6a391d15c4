'use strict';
// sms_count.test.js - the console's SMS part counter (gateway/api/console/
// sms_count.js) against known cases: pure GSM, the escape characters, Chinese,
// emoji, the 160/153/70/67 boundaries and the cuts that must not separate
// an escape or a surrogate pair (as gateway/text/charset.c splits).
// Runs in node without a browser: the ES module is loaded from its source.

const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');

const SRC = path.resolve(__dirname, '..', '..', 'gateway', 'api', 'console', 'sms_count.js');
let m;

before(async () => {
	const src = fs.readFileSync(SRC, 'utf8');
	m = await import(`data:text/javascript;base64,${Buffer.from(src).toString('base64')}`);
});

const parts = (t) => m.countSms(t).parts;

test('empty text: no part', () => {
	const c = m.countSms('');
	assert.equal(c.parts, 0);
	assert.equal(c.chars, 0);
	assert.equal(c.encoding, 'GSM');
});

test('pure GSM: 160 in one SMS, 161 in two, 153 per part', () => {
	assert.equal(parts('a'.repeat(160)), 1);
	assert.equal(m.countSms('a'.repeat(160)).remaining, 0);
	assert.equal(parts('a'.repeat(161)), 2);
	assert.equal(parts('a'.repeat(306)), 2);
	assert.equal(parts('a'.repeat(307)), 3);
	assert.equal(parts('a'.repeat(459)), 3);
	assert.equal(parts('a'.repeat(460)), 4);
	const c = m.countSms('a'.repeat(200));
	assert.equal(c.encoding, 'GSM');
	assert.equal(c.perPart, 153);
	assert.equal(c.remaining, 306 - 200);
});

test('GSM letters beyond ASCII stay 7-bit: £ € é Δ Ñ ü', () => {
	const c = m.countSms('Café £5 Δ Ñü');
	assert.equal(c.encoding, 'GSM');
	assert.equal(c.units, 12);
	assert.equal(m.countSms('ç').encoding, 'UCS2', 'small c cedilla is not in the GSM table (only Ç)');
	assert.equal(m.countSms('`').encoding, 'UCS2', 'the backtick has no GSM mapping');
});

test('escape characters count 2: ^ { } \\ [ ~ ] | €', () => {
	for (const ch of '^{}\\[~]|€') {
		assert.equal(m.countSms(ch).units, 2, `${ch} takes ESC + one septet`);
		assert.equal(m.countSms(ch).encoding, 'GSM');
	}
	assert.equal(m.countSms('\f').units, 2, 'form feed is in the escape table');
	assert.equal(parts('€'.repeat(80)), 1, '160 septets');
	assert.equal(parts(`${'€'.repeat(80)}a`), 2);
	assert.equal(m.countSms('[x]').units, 5);
});

test('an escape is never cut from its character', () => {
	// 152 septets, then € (2): it goes whole into the second part
	assert.equal(parts(`${'a'.repeat(152)}€${'a'.repeat(152)}`), 3);
	// 151 + € = 153: fits the first part exactly
	assert.equal(parts(`${'a'.repeat(151)}€${'a'.repeat(153)}`), 2);
});

test('Chinese: UCS-2, 70 in one SMS, 67 per part', () => {
	const c = m.countSms('您好');
	assert.equal(c.encoding, 'UCS2');
	assert.equal(c.chars, 2);
	assert.equal(parts('字'.repeat(70)), 1);
	assert.equal(parts('字'.repeat(71)), 2);
	assert.equal(parts('字'.repeat(134)), 2);
	assert.equal(parts('字'.repeat(135)), 3);
	assert.equal(parts('字'.repeat(201)), 3);
	assert.equal(parts('字'.repeat(202)), 4);
	assert.equal(m.countSms('字'.repeat(100)).perPart, 67);
});

test('one non-GSM character makes the whole text UCS-2', () => {
	const c = m.countSms(`${'a'.repeat(100)}中`);
	assert.equal(c.encoding, 'UCS2');
	assert.equal(c.units, 101);
	assert.equal(c.parts, 2);
	assert.equal(m.countSms('{name}').encoding, 'GSM');
	assert.equal(m.countSms('{name}').units, 8);
	assert.equal(m.countSms('{name}中').units, 7, 'in UCS-2 the braces are one unit each');
});

test('emoji outside the BMP take 2 UTF-16 units, one character', () => {
	const c = m.countSms('😀');
	assert.equal(c.encoding, 'UCS2');
	assert.equal(c.chars, 1);
	assert.equal(c.units, 2);
	assert.equal(parts('😀'.repeat(35)), 1, '70 units');
	assert.equal(parts(`${'😀'.repeat(35)}a`), 2);
});

test('a surrogate pair is never cut', () => {
	// 66 units then an emoji (2): it goes whole into the second part
	assert.equal(parts(`${'字'.repeat(66)}😀${'字'.repeat(66)}`), 3);
	assert.equal(parts(`${'字'.repeat(65)}😀${'字'.repeat(67)}`), 2);
});

test('a notice is signature + text + hint, counted whole', () => {
	const body = m.noticeBody('您好', '【揭阳人社】', '回TD退订');
	assert.equal(body, '【揭阳人社】您好回TD退订');
	assert.equal(m.countSms(body).chars, 13);
	// 70 - 6 (signature) - 5 (hint) = 59 characters fit one SMS
	assert.equal(parts(m.noticeBody('字'.repeat(59), '【揭阳人社】', '回TD退订')), 1);
	assert.equal(parts(m.noticeBody('字'.repeat(60), '【揭阳人社】', '回TD退订')), 2);
});

test('placeholders: the known ones, the unknown ones, sample values', () => {
	const { used, unknown } = m.findPlaceholders('{name}您好，{region}{课程}{name}');
	assert.deepEqual(used, ['{name}', '{region}']);
	assert.deepEqual(unknown, ['{课程}']);
	assert.equal(m.fillSamples('{name_plain}，{region}'), '陈小明，普宁市');
	assert.deepEqual(m.PLACEHOLDERS.map((p) => p.name), ['name', 'name_plain', 'course', 'start_date', 'region']);
});
