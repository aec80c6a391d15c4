// api.js - the console's only way to the gateway's HTTP API (/api/v1):
// JSON in and out, the session cookie sent by the browser, the CSRF token
// on every state-changing request, a 401 sends the user to the login, and
// an error answer becomes an ApiError carrying the server's message.

const BASE = '/api/v1';

let csrf = '';
let onUnauthorized = () => {};

/** Remember the session's CSRF token (from POST/GET /session). */
export function setCsrf(token) { csrf = token || ''; }

/** What to do when the server answers 401 (the app goes to the login). */
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export class ApiError extends Error {
	constructor(status, code, message) {
		super(message || code || `HTTP ${status}`);
		this.status = status;
		this.code = code || '';
	}
}

// the server's codes in words, for answers without a message
const CODE_WORDS = {
	unauthorized: '未登录或登录已过期',
	forbidden: '没有权限执行此操作',
	csrf: '页面已过期，请刷新后重试',
	not_found: '找不到该对象',
	bad_request: '请求有误',
	too_large: '内容过大',
	locked: '账号已锁定，请稍后再试',
	storage: '数据库繁忙，请稍后重试',
	internal: '服务器内部错误',
};

async function errorOf(res) {
	let code = '';
	let message = '';
	try {
		const body = await res.json();
		if (body && body.error) {
			code = body.error.code || '';
			message = body.error.message || '';
		}
	} catch (e) { /* not JSON */ }
	if (!message) message = CODE_WORDS[code] || `请求失败（HTTP ${res.status}）`;
	return new ApiError(res.status, code, message);
}

/**
 * One request. opts: { method, body (object: JSON; FormData, Blob or string
 * as is), query (object), raw (true: return the Response), headers,
 * noAuthRedirect (true: a 401 is thrown, not handled) }.
 */
export async function request(path, opts = {}) {
	const method = (opts.method || 'GET').toUpperCase();
	let url = path.startsWith('/') ? path : `${BASE}/${path}`;
	if (opts.query) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(opts.query)) {
			if (v === undefined || v === null || v === '') continue;
			q.set(k, String(v));
		}
		const s = q.toString();
		if (s) url += (url.includes('?') ? '&' : '?') + s;
	}
	const headers = { Accept: 'application/json', ...(opts.headers || {}) };
	let body;
	if (opts.body !== undefined) {
		if (opts.body instanceof FormData || opts.body instanceof Blob || typeof opts.body === 'string') {
			body = opts.body;
		} else {
			body = JSON.stringify(opts.body);
			headers['Content-Type'] = 'application/json';
		}
	}
	if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
	let res;
	try {
		res = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
	} catch (e) {
		throw new ApiError(0, 'network', '无法连接网关，请检查网络或服务是否运行');
	}
	if (res.status === 401 && !opts.noAuthRedirect) {
		const err = await errorOf(res);
		onUnauthorized(err);
		throw err;
	}
	if (!res.ok) throw await errorOf(res);
	if (opts.raw) return res;
	if (res.status === 204) return null;
	const type = res.headers.get('Content-Type') || '';
	return type.includes('json') ? res.json() : res.text();
}

export const get = (path, query, opts = {}) => request(path, { ...opts, query });
export const post = (path, body, opts = {}) => request(path, { ...opts, method: 'POST', body });
export const patch = (path, body, opts = {}) => request(path, { ...opts, method: 'PATCH', body });
export const del = (path, opts = {}) => request(path, { ...opts, method: 'DELETE' });

/**
 * Fetch a file (CSV) with the session and save it under filename, so that
 * an error answer is shown instead of being saved.
 */
export async function download(path, query, filename) {
	const res = await request(path, { query, raw: true, headers: { Accept: 'text/csv, */*' } });
	const blob = await res.blob();
	const a = document.createElement('a');
	a.href = URL.createObjectURL(blob);
	a.download = filename;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
