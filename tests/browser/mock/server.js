'use strict';
// mock/server.js - a stand-in for skillgw's HTTP API, test-only and never
// shipped: serves gateway/api/console/ at / and a small in-memory /api/v1
// (session with cookie and CSRF, status, messages, campaigns with preview
// and a progress that advances by itself, imports with bad rows, workers,
// admin) so that the console's pages can be developed and looked at
// without the daemon. The browser tests run against the real daemon.
//
//   node tests/browser/mock/server.js [PORT]     (demo login admin / admin12345)

const http = require('http');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const ROOT = path.resolve(__dirname, '..', '..', '..', 'gateway', 'api', 'console');
// the daemon's policy for the console (gateway/api/static.c)
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

function createMock() {
	const users = [
		{ username: 'admin', password: 'admin12345', role: 'admin', disabled: false, last_login_at: Date.now() - 3600e3 },
		{ username: 'zhangsan', password: 'operator123', role: 'operator', disabled: false, last_login_at: Date.now() - 86400e3 },
	];
	const sessions = new Map();	// id -> {user, role, csrf}
	const audit = [];
	const tokens = [];
	const messages = new Map();
	const campaigns = new Map();
	const imports = new Map();
	let nextId = 1000;
	const log = (actor, action, detail) => audit.unshift({ id: audit.length + 1, at: Date.now(), actor, action, detail });
	const REGION = { 445202: '榕城区', 445203: '揭东区', 445222: '揭西县', 445224: '惠来县', 445281: '普宁市' };
	const roster = Array.from({ length: 500 }, (_, i) => ({
		id: i + 1, name: ['陈小明', '林晓红', '黄志强', '郑丽娜', '吴建国'][i % 5], msisdn: `86139${String(i + 1).padStart(8, '0')}`,
		region: Object.keys(REGION)[i % 5], key_groups: i % 3 ? 'migrant' : 'unemployed',
	}));
	for (let i = 0; i < 6; i++) {
		const id = ++nextId;
		messages.set(id, { id, to: `861380013800${i}`, text: '测试', state: 'failed', error: i % 2 ? 'SMSC refused: invalid destination (0x0b)' : 'failed: no answer from the SMSC', done_at: Date.now() - i * 600e3 });
	}

	const send = (res, code, obj, headers = {}) => {
		const body = obj === null ? '' : JSON.stringify(obj);
		res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
		res.end(body);
	};
	const fail = (res, code, c, m) => send(res, code, { error: { code: c, message: m } });
	const list = (items, q) => {
		const limit = Math.min(Number(q.get('limit')) || 50, 500);
		const offset = Number(q.get('offset')) || 0;
		return { items: items.slice(offset, offset + limit), total: items.length, limit, offset };
	};
	const mask = (n) => `${n[0]}*${n.length > 2 ? n.slice(2) : ''}`;

	function audience(b) {
		if (b.numbers) return b.numbers.map((n, i) => ({ msisdn: n, name: '', region: '', id: i }));
		return roster.filter((w) => (!b.region || b.region.includes(w.region)) && (!b.group || b.group.some((g) => w.key_groups.includes(g))));
	}
	function render(text, w) {
		return `【揭阳人社】${text.replace(/\{name\}/g, w.name ? mask(w.name) : '').replace(/\{name_plain\}/g, w.name)
			.replace(/\{region\}/g, REGION[w.region] || '').replace(/\{course\}/g, '电工（初级工）培训班').replace(/\{start_date\}/g, '2026年7月1日')}回TD退订`;
	}
	function parts(t) { return Math.max(1, [...t].length <= 70 ? 1 : Math.ceil([...t].length / 67)); }
	function checkText(text) {
		for (const m of String(text || '').matchAll(/\{([^{}]*)\}/g)) {
			if (!['name', 'name_plain', 'course', 'start_date', 'region'].includes(m[1])) return `'${m[0]}' is not a placeholder`;
		}
		return text && text.trim() ? null : 'the text is empty';
	}
	function tickCampaign(c) {
		if (c.state !== 'running') return;
		const step = Math.max(1, Math.ceil(c.n / 8));
		c.sent = Math.min(c.n, c.sent + step);
		if (c.sent >= c.n) c.state = 'done';
	}
	function campaignStatus(c) {
		tickCampaign(c);
		const failed = Math.floor(c.sent * 0.02);
		return {
			id: c.id, name: c.name, state: c.state, text: c.text, body: `【揭阳人社】${c.text}回TD退订`, created_by: c.created_by,
			created_at: c.created_at, start_at: c.start_at, end_at: c.end_at, rate: c.rate, parts: c.parts,
			progress: c.n ? c.sent / c.n : 1,
			recipients: { expected: c.n, listed: c.n, pending: c.n - c.sent, queued: c.sent, optout: 0, cancelled: 0, bad: 0 },
			messages: { queued: 0, sending: 0, submitted: 0, delivered: c.sent - failed, failed, expired: 0 },
			failures: failed ? [{ reason: 'SMSC 拒绝：号码无效 (0x0b)', count: failed }] : [],
		};
	}

	async function api(req, res, url, body, s) {
		const q = url.searchParams;
		const p = url.pathname.replace(/^\/api\/v1\/?/, '').split('/').filter(Boolean);
		const m = req.method;
		const json = () => { try { return JSON.parse(body.toString('utf8') || '{}'); } catch (e) { return null; } };
		if (p[0] === 'status') {
			const now = new Date();
			const hours = now.getHours() + 1;
			return send(res, 200, {
				version: 'mock', links: [{ name: 'cmcc', state: 'bound', window: { used: 3, size: 10 }, tps: 42, max_tps: 100, throttled: false },
					{ name: 'unicom', state: 'down', window: { used: 0, size: 10 }, tps: 0, max_tps: 50, throttled: false }],
				queue: { queued: 120, sending: 3, submitted: 40, delivered: 10234, failed: 12, expired: 1 },
				today: { mo: 532, mt: 10290, dlr: 10120, ussd: 211 },
				traffic: { points: Array.from({ length: hours }, (_, hr) => ({ hour: hr, mt: hr < 8 ? 0 : Math.round(800 + 500 * Math.sin(hr)), mo: hr < 8 ? 2 : 40 + hr * 3, dlr: hr < 8 ? 0 : Math.round(780 + 480 * Math.sin(hr)), ussd: hr < 8 ? 0 : 15 + hr })) },
			});
		}
		if (p[0] === 'messages') {
			if (m === 'GET' && !p[1]) return send(res, 200, list([...messages.values()].filter((x) => !q.get('state') || x.state === q.get('state')).reverse(), q));
			if (m === 'POST' && !p[1]) {
				const b = json();
				if (!b || !/^\+?\d{5,15}$/.test(String(b.to || ''))) return fail(res, 400, 'bad_request', '号码格式不正确');
				const id = ++nextId;
				messages.set(id, { id, to: b.to, text: b.text, state: 'queued', parts: parts(b.text), created_at: Date.now(), link: 'cmcc' });
				setTimeout(() => { messages.get(id).state = 'delivered'; messages.get(id).done_at = Date.now(); }, 1500);
				return send(res, 201, { queued: 1, ids: [id], parts: parts(b.text) });
			}
			const msg = messages.get(Number(p[1]));
			return msg ? send(res, 200, msg) : fail(res, 404, 'not_found', '没有这条短信');
		}
		if (p[0] === 'campaigns') {
			if (m === 'POST' && p[1] === 'preview') {
				const b = json();
				const why = checkText(b.text);
				const a = audience(b);
				if (why && b.text.trim()) return fail(res, 400, 'bad_request', why);
				return send(res, 200, {
					recipients: a.length, detail: { matched: a.length, opted_out: 0, no_number: 0 },
					parts: Math.max(1, ...a.slice(0, 3).map((w) => parts(render(b.text, w)))), longest_parts: 2, max_parts: 3, rate: 40,
					quiet: { start: '21:00', end: '08:00', timezone: 'Asia/Shanghai' },
					duration_s: a.length / 40, signature: '【揭阳人社】', optout_hint: '回TD退订',
					samples: a.slice(0, 3).map((w) => ({ msisdn: w.msisdn.replace(/(\d{5})\d{4}(\d{4})/, '$1****$2'), text: render(b.text, w), parts: parts(render(b.text, w)) })),
				});
			}
			if (m === 'POST' && !p[1]) {
				const b = json();
				const why = checkText(b.text);
				if (why) return fail(res, 400, 'bad_request', why);
				if (!b.name) return fail(res, 400, 'bad_request', 'name is required');
				const id = campaigns.size + 1;
				campaigns.set(id, { id, name: b.name, text: b.text, state: 'draft', n: audience(b).length, sent: 0, created_by: s.user,
					created_at: Date.now(), start_at: b.start || null, end_at: b.end || null, rate: b.rate || 0, parts: 1 });
				log(s.user, 'campaign.create', `campaign ${id}`);
				return send(res, 201, { id, state: 'draft' });
			}
			if (!p[1]) return send(res, 200, list([...campaigns.values()].reverse().map(campaignStatus), q));
			const c = campaigns.get(Number(p[1]));
			if (!c) return fail(res, 404, 'not_found', '没有这个群发任务');
			if (m === 'POST' && p[2]) {
				const to = { start: ['draft', 'running'], pause: ['running', 'paused'], resume: ['paused', 'running'], cancel: [null, 'cancelled'] }[p[2]];
				if (!to) return fail(res, 404, 'not_found', 'no such action');
				if (to[0] && c.state !== to[0]) return fail(res, 409, 'bad_request', `campaign is ${c.state}`);
				c.state = to[1];
				log(s.user, `campaign.${p[2]}`, `campaign ${c.id}`);
				return send(res, 200, campaignStatus(c));
			}
			if (p[2] === 'report') {
				res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="campaign-${c.id}.csv"` });
				return res.end('\ufeffmsisdn,state\n');
			}
			return send(res, 200, campaignStatus(c));
		}
		if (p[0] === 'imports') {
			const step = (r) => {
				r.polls++;
				const f = Math.min(1, r.polls / 3);
				r.progress = { phase: r.mode === 'apply' ? 'applying' : 'validating', fraction: f };
				if (f < 1) return;
				r.state = 'done';
				if (r.mode === 'validate') r.result = r.bad ? 'invalid' : 'valid';
				else Object.assign(r, { result: 'applied', imported: r.rows - r.bad, updated: 0, unchanged: 0 });
			};
			if (m === 'POST' && !p[1]) {
				const lines = body.toString('utf8').replace(/^\ufeff/, '').split(/\r?\n/).filter(Boolean);
				const bad = [];
				lines.slice(1).forEach((l, i) => {
					const cols = l.split(',');
					if (cols[0] && !/^\d{17}[\dX]$/.test(cols[0])) bad.push({ line: i + 2, column: '身份证号', reason: 'check character wrong' });
				});
				const id = imports.size + 1;
				const mode = q.get('mode') || 'validate';
				const r = { id, kind: q.get('kind'), mode, state: mode === 'apply' ? 'applying' : 'validating', encoding: 'UTF-8', rows: lines.length - 1, bad: bad.length, warnings: 0, bad_rows: bad, polls: 0 };
				imports.set(id, r);
				return send(res, 202, r);
			}
			const r = imports.get(Number(p[1]));
			if (!r) return fail(res, 404, 'not_found', '没有这次导入');
			if (m === 'POST' && p[2] === 'apply') {
				Object.assign(r, { mode: 'apply', state: 'applying', result: '', skip_bad: q.get('skip_bad') === 'true', polls: 0 });
				return send(res, 202, r);
			}
			step(r);
			return send(res, 200, r);
		}
		if (p[0] === 'exports') {
			res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8' });
			return res.end('\ufeff身份证号,姓名,课程\n');
		}
		if (p[0] === 'subsidies' && m === 'PATCH') return send(res, 200, { reference: p[1], ...json() });
		if (p[0] === 'workers') {
			const w = p[1] ? roster.find((x) => String(x.id) === p[1]) : roster.find((x) => x.msisdn === q.get('msisdn'));
			if (!p[1]) return send(res, 200, list(w ? [{ id: w.id }] : [], q));
			if (!w) return fail(res, 404, 'not_found', '名册中没有此人员');
			return send(res, 200, {
				id: w.id, name: mask(w.name), id_number: '445281********123X', msisdn: w.msisdn.replace(/(\d{5})\d{4}(\d{4})/, '$1****$2'),
				region: w.region, key_groups: [w.key_groups], birth_date: '1990-**-**', bound_by: 'roster', opted_out: false,
				enrolments: [{ course_name: '电工（初级工）培训班', institution_name: '揭阳市技工学校', status: 'enrolled', start_date: '2026-07-01' }],
				certificates: [],
				subsidies: [{ reference: 'BT2026001', kind: 'training', amount_fen: 120000, status: 'reviewing', applied_date: '2026-05-02' }],
			});
		}
		if (p[0] === 'admin') {
			if (s.role !== 'admin') return fail(res, 403, 'forbidden', '需要管理员权限');
			if (p[1] === 'users') {
				if (m === 'POST') {
					const b = json();
					users.push({ username: b.username, password: b.password, role: b.role, disabled: false });
					log(s.user, 'user.create', b.username);
					return send(res, 201, { username: b.username });
				}
				if (m === 'PATCH') { Object.assign(users.find((u) => u.username === p[2]) || {}, json()); return send(res, 200, { ok: true }); }
				return send(res, 200, list(users.map(({ password, ...u }) => u), q));
			}
			if (p[1] === 'tokens') {
				if (m === 'POST') {
					const b = json();
					const t = { id: tokens.length + 1, name: b.name, role: b.role, created_at: Date.now(), created_by: s.user };
					tokens.push(t);
					return send(res, 201, { ...t, token: `sgw_${t.id}_${crypto.randomBytes(16).toString('hex')}` });
				}
				if (m === 'DELETE') { const t = tokens.find((x) => String(x.id) === p[2]); if (t) t.revoked_at = Date.now(); return send(res, 204, null); }
				return send(res, 200, list(tokens, q));
			}
			if (p[1] === 'audit') return send(res, 200, list(audit, q));
		}
		return fail(res, 404, 'not_found', `no route ${url.pathname}`);
	}

	return http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const body = Buffer.concat(chunks);
			const url = new URL(req.url, 'http://x');
			if (!url.pathname.startsWith('/api/')) {
				const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
				const file = path.resolve(ROOT, rel);
				if (!file.startsWith(ROOT) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); return res.end('not found'); }
				res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Content-Security-Policy': CSP });
				return res.end(fs.readFileSync(file));
			}
			const sid = ((req.headers.cookie || '').match(/sgw_session=([^;]+)/) || [])[1];
			const s = sid && sessions.get(sid);
			if (url.pathname === '/api/v1/session') {
				if (req.method === 'POST') {
					let b;
					try { b = JSON.parse(body.toString('utf8')); } catch (e) { return fail(res, 400, 'bad_request', 'JSON expected'); }
					const u = users.find((x) => x.username === b.username && x.password === b.password && !x.disabled);
					if (!u) return fail(res, 401, 'unauthorized', '用户名或密码错误');
					const id = crypto.randomBytes(16).toString('hex');
					const sess = { user: u.username, role: u.role, csrf: crypto.randomBytes(16).toString('hex') };
					sessions.set(id, sess);
					log(u.username, 'login', '');
					return send(res, 200, sess, { 'Set-Cookie': `sgw_session=${id}; Path=/; HttpOnly; SameSite=Strict` });
				}
				if (!s) return fail(res, 401, 'unauthorized', '未登录');
				if (req.method === 'DELETE') {
					if (req.headers['x-csrf-token'] !== s.csrf) return fail(res, 403, 'csrf', 'CSRF 令牌无效');
					sessions.delete(sid);
					return send(res, 204, null, { 'Set-Cookie': 'sgw_session=; Path=/; Max-Age=0' });
				}
				return send(res, 200, s);
			}
			if (!s) return fail(res, 401, 'unauthorized', '未登录');
			if (req.method !== 'GET' && req.headers['x-csrf-token'] !== s.csrf) return fail(res, 403, 'csrf', 'CSRF 令牌无效');
			try {
				await api(req, res, url, body, s);
			} catch (e) {
				fail(res, 500, 'internal', e.message);
			}
		});
	});
}

module.exports = { createMock };

if (require.main === module) {
	const port = Number(process.argv[2]) || 8088;
	createMock().listen(port, '127.0.0.1', () => console.log(`mock console at http://127.0.0.1:${port}/ (admin / admin12345)`));
}
