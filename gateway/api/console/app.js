// app.js - the console's router and session: finds out who is logged in
// (GET /api/v1/session), shows the login when nobody is, draws the page of
// the location hash (#/dashboard, #/campaigns/12 ...) into <main>, marks
// the current navigation link, and logs out.

import * as api from './api.js';
import { clearStaleToast, fill, h, notice, stopPollers, toast } from './ui.js';
import { label } from './labels.js';
import { loginPage } from './pages/login.js';
import { dashboardPage } from './pages/dashboard.js';
import { campaignsPage } from './pages/campaigns.js';
import { importsPage } from './pages/imports.js';
import { sendPage } from './pages/send.js';
import { workerPage } from './pages/worker.js';
import { adminPage } from './pages/admin.js';
import { notificationsPage } from './pages/notifications.js';
import { qualityPage } from './pages/quality.js';

// route name -> page function (main, ctx) with ctx {session, params, go}
const ROUTES = {
	dashboard: dashboardPage,
	campaigns: campaignsPage,
	imports: importsPage,
	send: sendPage,
	worker: workerPage,
	notifications: notificationsPage,
	quality: qualityPage,
	admin: adminPage,
};

const state = { session: null };
const main = document.getElementById('main');

/** Go to a route: go('campaigns', '12'). */
export function go(...parts) {
	const hash = `#/${parts.join('/')}`;
	if (location.hash === hash) render();
	else location.hash = hash;
}

function parseHash() {
	const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
	return { name: parts[0] || 'dashboard', params: parts.slice(1) };
}

function showChrome(on) {
	document.getElementById('nav').hidden = !on;
	document.getElementById('user-box').hidden = !on;
	document.body.classList.toggle('logged-out', !on);
	if (on) {
		const s = state.session;
		fill(document.getElementById('user-name'), h('span', { class: 'who' }, s.user),
			h('span', { class: 'role' }, label('role', s.role)));
		for (const li of document.querySelectorAll('[data-role]')) li.hidden = li.dataset.role !== s.role;
	}
}

async function render() {
	stopPollers();
	clearStaleToast();
	if (!state.session) {
		showChrome(false);
		document.title = '登录 · 职业技能培训短信服务平台';
		loginPage(main, { onLogin });
		return;
	}
	showChrome(true);
	const { name, params } = parseHash();
	const page = ROUTES[name];
	for (const a of document.querySelectorAll('#nav a')) {
		if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
		else a.removeAttribute('aria-current');
	}
	if (!page || (name === 'admin' && state.session.role !== 'admin')) {
		fill(main, notice('error', '页面不存在或没有访问权限。'));
		return;
	}
	const link = document.querySelector(`#nav a[data-route="${name}"]`);
	document.title = `${link ? link.textContent : ''} · 职业技能培训短信服务平台`;
	main.replaceChildren();
	main.className = `page-${name}`;
	try {
		await page(main, { session: state.session, params, go });
	} catch (e) {
		if (e && e.status === 401) return;
		main.append(notice('error', e && e.message ? e.message : String(e)));
	}
}

function onLogin(session) {
	state.session = session;
	api.setCsrf(session.csrf);
	if (!location.hash || location.hash === '#/login') location.hash = '#/dashboard';
	render().then(() => main.focus());
}

api.setUnauthorizedHandler(() => {
	if (!state.session) return;
	state.session = null;
	api.setCsrf('');
	toast('登录已过期，请重新登录。', 'info');
	render();
});

document.getElementById('logout').addEventListener('click', async () => {
	try {
		await api.del('session', { noAuthRedirect: true });
	} catch (e) { /* the session is gone either way */ }
	state.session = null;
	api.setCsrf('');
	location.hash = '#/login';
	render();
	toast('已安全退出。', 'info');
});

window.addEventListener('hashchange', () => { render(); });

(async function start() {
	try {
		const s = await api.get('session', null, { noAuthRedirect: true });
		state.session = s;
		api.setCsrf(s.csrf);
	} catch (e) {
		state.session = null;
	}
	render();
}());
