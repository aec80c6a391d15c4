// ui.js - small DOM helpers shared by the pages: building elements without
// innerHTML (text from the server is never parsed as HTML), tables, the
// notice area for errors and successes, formatting of numbers and times,
// and a poller that stops when its page is left.

/**
 * h('div', {class: 'x', onclick: fn, for: 'id'}, child, ...) -> element.
 * Children: strings (as text), numbers, nodes, arrays, null/false (skipped).
 */
export function h(tag, attrs, ...children) {
	const svg = tag.startsWith('svg:');
	const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
		: document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false) continue;
		if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
		else if (k === 'class') el.setAttribute('class', v);
		else if (k === 'dataset') Object.assign(el.dataset, v);
		else if (k === 'value' && !svg) el.value = v;
		else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = !!v;
		else el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		if (Array.isArray(c)) append(el, c);
		else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
}

/** Replace the children of el. */
export function fill(el, ...children) {
	el.replaceChildren();
	append(el, children);
	return el;
}

let uid = 0;
/** A fresh id for label/input pairs. */
export const newId = (p = 'f') => `${p}-${++uid}`;

/** A labelled form field: {label, input (element), hint}. */
export function field(label, input, hint) {
	if (!input.id) input.id = newId();
	const hintEl = hint ? h('div', { class: 'hint', id: `${input.id}-hint` }, hint) : null;
	if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
	return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hintEl);
}

/**
 * A table: columns [{title, get(row) -> node|string, class}], rows.
 * empty: the text when there are no rows.
 */
export function table(columns, rows, { empty = '暂无数据', caption } = {}) {
	return h('table', { class: 'grid' },
		caption ? h('caption', {}, caption) : null,
		h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.title)))),
		h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, columns.map((c) => h('td', { class: c.class }, c.get(r)))))
			: h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty))));
}

/** A box with an error, success or info text; role=alert for errors. */
export function notice(kind, text) {
	return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Show err (an ApiError or Error) in the element box. */
export function showError(box, err) {
	fill(box, notice('error', err && err.message ? err.message : String(err)));
}

let toastTimer;
let toastAt = 0;
/** A short message at the bottom (successes); gone after 4 s. */
export function toast(text, kind = 'ok') {
	const el = document.getElementById('toast');
	if (!el) return;
	fill(el, notice(kind, text));
	el.hidden = false;
	toastAt = Date.now();
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => { el.hidden = true; }, 4000);
}

/** Hide a toast that belongs to the page before (not one just shown for the next). */
export function clearStaleToast() {
	const el = document.getElementById('toast');
	if (el && Date.now() - toastAt > 400) el.hidden = true;
}

export const fmtNum = (n) => (n === undefined || n === null || Number.isNaN(Number(n)) ? '—'
	: Number(n).toLocaleString('zh-CN'));

export const fmtPct = (x) => `${(Math.max(0, Math.min(1, Number(x) || 0)) * 100).toFixed(x >= 1 || x <= 0 ? 0 : 1)}%`;

const pad = (n) => String(n).padStart(2, '0');

/** A time (Unix ms, seconds, or an ISO string) as 2026-07-01 09:30. */
export function fmtTime(t, { seconds = false } = {}) {
	if (t === undefined || t === null || t === '' || t === 0) return '—';
	let d;
	if (typeof t === 'number') d = new Date(t < 1e11 ? t * 1000 : t);
	else d = new Date(t);
	if (Number.isNaN(d.getTime())) return String(t);
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}` +
		(seconds ? `:${pad(d.getSeconds())}` : '');
}

/** Seconds as 1小时5分 / 3分 / 20秒. */
export function fmtDuration(s) {
	s = Math.round(Number(s) || 0);
	if (s < 60) return `${s}秒`;
	if (s < 3600) return `${Math.ceil(s / 60)}分钟`;
	return `${Math.floor(s / 3600)}小时${Math.round((s % 3600) / 60)}分钟`;
}

/** A progress bar (0..1) with its label. */
export function progressBar(x, label) {
	const pct = Math.max(0, Math.min(1, Number(x) || 0));
	const bar = h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
		'aria-valuenow': Math.round(pct * 100), 'aria-label': label || '进度' },
	h('div', { class: 'bar-fill' }));
	bar.firstChild.style.width = `${(pct * 100).toFixed(1)}%`;
	return h('div', { class: 'progress' }, bar, h('span', { class: 'progress-text' }, fmtPct(pct)));
}

/** A badge for a state, with class state-<code>. */
export const badge = (code, text) => h('span', { class: `badge state-${code}` }, text || code);

/**
 * Call fn now and every ms while the page that asked is shown; returns a
 * stop function. The router stops every poller when the page changes.
 */
const pollers = new Set();
export function poll(fn, ms) {
	let timer = null;
	let stopped = false;
	const run = async () => {
		if (stopped) return;
		try { await fn(); } catch (e) { /* the page shows its own errors */ }
		if (!stopped) timer = setTimeout(run, ms);
	};
	const stop = () => { stopped = true; clearTimeout(timer); pollers.delete(stop); };
	pollers.add(stop);
	run();
	return stop;
}
export function stopPollers() { for (const stop of [...pollers]) stop(); }

/** A button; busy(btn, promise) disables it while the promise runs. */
export const button = (text, onclick, cls = '') => h('button', { type: 'button', class: `btn ${cls}`.trim(), onclick }, text);

export async function busy(btn, promise) {
	btn.disabled = true;
	btn.setAttribute('aria-busy', 'true');
	try { return await promise; } finally { btn.disabled = false; btn.removeAttribute('aria-busy'); }
}

/** The page title bar: h1 and optional actions. */
export const pageHead = (title, ...actions) => h('div', { class: 'page-head' }, h('h1', {}, title),
	actions.length ? h('div', { class: 'actions' }, actions) : null);

/** A card (section with a heading). */
export const card = (title, ...children) => h('section', { class: 'card', 'aria-label': title },
	title ? h('h2', {}, title) : null, children);

/** May this session change things (operator, admin)? A viewer only reads. */
export const canWrite = (session) => !!session && session.role !== 'viewer';

/** The notice a viewer sees instead of a form. */
export const readOnlyNotice = () => notice('info', '当前账号为只读用户，只能查看，不能执行此操作。');

/** A list answer ({items}) or a bare array, as an array. */
export const itemsOf = (r) => (Array.isArray(r) ? r : (r && (r.items || r.rows)) || []);
