'use strict';
// browser.js - Debian's Chromium, headless, driven by playwright-core for the
// console's browser tests: a fresh profile directory per launch, 1366x768,
// nothing downloaded (executablePath /usr/bin/chromium, or CHROMIUM_BIN).
// Collects the page's console errors and failed requests so that a test
// can insist there were none, and saves screenshots under SCREENSHOT_DIR
// (default build-san/screenshots).

const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const SHOTS = path.resolve(ROOT, process.env.SCREENSHOT_DIR || 'build-san/screenshots');
const VIEWPORT = { width: 1366, height: 768 };

function haveChromium() {
	try {
		require.resolve('playwright-core');
	} catch (e) {
		return false;
	}
	return fs.existsSync(CHROMIUM);
}

/** Launch; returns {context, page, errors, close()}. */
async function launch() {
	const { chromium } = require('playwright-core');
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'skillgw-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		viewport: VIEWPORT,
		locale: 'zh-CN',
		timezoneId: 'Asia/Shanghai',
		acceptDownloads: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const page = context.pages()[0] || await context.newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
	page.on('console', (m) => {
		// a 401 while logged out and the error answers a test provokes are
		// expected; a script error is not
		if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
	});
	return {
		context,
		page,
		errors,
		async close() {
			await context.close().catch(() => {});
			fs.rmSync(profile, { recursive: true, force: true });
		},
	};
}

/** Save a full-page screenshot as SHOTS/name.png; returns the path. */
async function shot(page, name) {
	fs.mkdirSync(SHOTS, { recursive: true });
	const file = path.join(SHOTS, `${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

module.exports = { launch, shot, haveChromium, CHROMIUM, SHOTS, VIEWPORT, ROOT };
