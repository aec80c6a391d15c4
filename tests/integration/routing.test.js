'use strict';
// routing.test.js - MT routing across links by number prefix, the default
// link, and fail-over when the preferred link is down.

const assert = require('node:assert/strict');
const { gwTest, until, defaultLink } = require('./lib/gw');

function twoLinks(cmcc, cucc) {
	return [
		{ ...defaultLink(cmcc.port), name: 'cmcc', default: true, prefixes: ['134', '135', '138'] },
		{ ...defaultLink(cucc.port), name: 'cucc', default: false, prefixes: ['130', '131', '186'] },
	];
}

gwTest('MTs go to the link their prefix routes to, unknown prefixes to the default link', { timeout: 20000 }, async (t, h) => {
	const cmcc = await h.smsc();
	const cucc = await h.smsc();
	const gw = await h.gateway({ links: twoLinks(cmcc, cucc) });
	await gw.waitBound({ link: 'cmcc' });
	await gw.waitBound({ link: 'cucc' });
	gw.send('8613800138000', 'to mobile');
	gw.send('8618600186000', 'to unicom');
	gw.send('8619900199000', 'to telecom, no link of its own');
	await until(() => cmcc.messages.length === 2 && cucc.messages.length === 1, { what: 'all three routed' });
	assert.deepEqual(cmcc.messages.map((m) => m.to).sort(), ['8613800138000', '8619900199000']);
	assert.deepEqual(cucc.messages.map((m) => m.to), ['8618600186000']);
	await gw.stopClean();
});

gwTest('when the preferred link is down its numbers fail over to a link that is up', { timeout: 25000 }, async (t, h) => {
	const cmcc = await h.smsc();
	const cucc = await h.smsc();
	const gw = await h.gateway({ links: twoLinks(cmcc, cucc) });
	await gw.waitBound({ link: 'cmcc' });
	await gw.waitBound({ link: 'cucc' });
	const mark = gw.logText.length;
	await cucc.close();		/* unicom's SMSC goes away */
	await gw.waitLog(/link cucc: connection lost/, { since: mark });
	const id = gw.send('8618600186001', 'fail-over');
	await gw.waitMtState(id, [2, 3]);
	assert.equal(gw.dbValue(`SELECT link FROM mt WHERE id = ${id}`), 'cmcc');
	assert.ok(cmcc.messages.some((m) => m.to === '8618600186001'), 'sent through the default link');
	await gw.stopClean();
});
