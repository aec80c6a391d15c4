// chart.js - the console's charts as inline SVG, drawn here (no library):
// lineChart for counts over time (today's traffic, a campaign's sending)
// and barChart for counts by category (a campaign's delivery outcome).
// Sized by viewBox, so they scale with their card; colours come from
// style.css classes (series-0.., bar-<code>).

import { h } from './ui.js';

const s = (tag, attrs, ...kids) => h(`svg:${tag}`, attrs, ...kids);

/** A "nice" step for about n ticks up to max. */
function niceStep(max, n = 4, min = 1) {
	const raw = Math.max(max, 1) / n;
	if (raw <= min) return min;
	const p = 10 ** Math.floor(Math.log10(raw));
	const f = raw / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

const fmtTick = (v) => (v >= 10000 ? `${+(v / 10000).toFixed(1)}万` : String(v));

/**
 * Lines over x (numbers, e.g. hours or ms). opts: {series: [{name, points:
 * [[x, y], ...]}], xMin, xMax, xTick (step), xFormat(x), title, height}.
 */
export function lineChart({ series, xMin, xMax, xTick, xFormat = String, title = '', height = 220 }) {
	const W = 640;
	const H = height;
	const m = { l: 48, r: 12, t: 12, b: 28 };
	const all = series.flatMap((x) => x.points);
	if (xMin === undefined) xMin = Math.min(...all.map((p) => p[0]), 0);
	if (xMax === undefined) xMax = Math.max(...all.map((p) => p[0]), xMin + 1);
	const yMaxData = Math.max(0, ...all.map((p) => p[1]));
	const yStep = niceStep(yMaxData);
	const yMax = Math.max(yStep, Math.ceil(yMaxData / yStep) * yStep);
	const X = (x) => m.l + ((x - xMin) / (xMax - xMin || 1)) * (W - m.l - m.r);
	const Y = (y) => H - m.b - (y / yMax) * (H - m.t - m.b);
	const grid = [];
	for (let y = 0; y <= yMax + 1e-9; y += yStep) {
		grid.push(s('line', { x1: m.l, x2: W - m.r, y1: Y(y), y2: Y(y), class: 'grid-line' }));
		grid.push(s('text', { x: m.l - 6, y: Y(y) + 4, class: 'tick', 'text-anchor': 'end' }, fmtTick(y)));
	}
	const step = xTick || niceStep(xMax - xMin, 6);
	for (let x = Math.ceil(xMin / step) * step; x <= xMax + 1e-9; x += step) {
		grid.push(s('text', { x: X(x), y: H - m.b + 16, class: 'tick', 'text-anchor': 'middle' }, xFormat(x)));
	}
	const lines = series.map((ser, i) => {
		const pts = ser.points.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ');
		return s('g', { class: `series series-${i}` },
			s('polyline', { points: pts, fill: 'none', class: 'line' }),
			ser.points.length === 1 ? s('circle', { cx: X(ser.points[0][0]), cy: Y(ser.points[0][1]), r: 3, class: 'dot' }) : null);
	});
	const total = (ser) => ser.points.reduce((a, p) => a + p[1], 0);
	const summary = `${title}：${series.map((x) => `${x.name} ${total(x)}`).join('，')}`;
	const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': summary },
		s('title', {}, summary),
		s('line', { x1: m.l, x2: W - m.r, y1: Y(0), y2: Y(0), class: 'axis' }),
		grid, lines);
	const legend = h('ul', { class: 'legend' }, series.map((x, i) => h('li', {},
		h('span', { class: `swatch series-${i}` }), `${x.name}`)));
	return h('figure', { class: 'chart-box' }, svg, legend);
}

/**
 * Horizontal bars: items [{label, value, code}] (code gives class bar-<code>).
 */
export function barChart(items, { title = '' } = {}) {
	const W = 640;
	const row = 30;
	const labelW = 96;
	const H = items.length * row + 8;
	const max = Math.max(1, ...items.map((x) => x.value));
	const total = items.reduce((a, x) => a + x.value, 0);
	const summary = `${title}：${items.map((x) => `${x.label} ${x.value}`).join('，')}`;
	return h('figure', { class: 'chart-box' }, s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': summary },
		s('title', {}, summary),
		items.map((x, i) => {
			const y = 4 + i * row;
			const w = Math.max(x.value ? 2 : 0, (x.value / max) * (W - labelW - 110));
			const pct = total ? ` (${((x.value / total) * 100).toFixed(1)}%)` : '';
			return s('g', {},
				s('text', { x: labelW - 8, y: y + 19, class: 'tick', 'text-anchor': 'end' }, x.label),
				s('rect', { x: labelW, y: y + 4, width: w.toFixed(1), height: row - 10, rx: 2, class: `bar bar-${x.code || i}` }),
				s('text', { x: labelW + w + 6, y: y + 19, class: 'tick value' }, `${x.value.toLocaleString('zh-CN')}${pct}`));
		})));
}
