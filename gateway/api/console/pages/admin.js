// pages/admin.js - 系统管理 (administrators only): the console accounts
// (create, change role or password, disable), the API tokens (create,
// shown once; revoke) and the audit log (who did what, when), paged.

import * as api from '../api.js';
import { label, LABELS } from '../labels.js';
import { busy, button, card, field, fill, fmtTime, h, itemsOf, notice, pageHead, showError, table, toast } from '../ui.js';

const ROLES = Object.entries(LABELS.role);

export async function adminPage(main, ctx) {
	const tabs = [['users', '账号管理'], ['tokens', 'API 令牌'], ['audit', '审计日志']];
	const current = ctx.params[0] || 'users';
	const body = h('div');
	main.append(pageHead('系统管理'),
		h('nav', { class: 'tabs', 'aria-label': '管理分类' }, tabs.map(([k, t]) => h('a', {
			href: `#/admin/${k}`, class: 'tab', 'aria-current': k === current ? 'page' : null,
		}, t))), body);
	if (current === 'tokens') return tokensTab(body, ctx);
	if (current === 'audit') return auditTab(body);
	return usersTab(body, ctx);
}

const roleSelect = (value, attrs = {}) => h('select', attrs, ROLES.map(([v, t]) => h('option', { value: v, selected: v === value }, t)));

async function usersTab(box, ctx) {
	const err = h('div');
	const list = h('div');
	const username = h('input', { name: 'username', autocomplete: 'off', required: true });
	const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 10 });
	const role = roleSelect('operator', { name: 'role' });
	const formErr = h('div', { class: 'form-error' });
	const addBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, '创建账号');
	const form = h('form', { novalidate: true },
		field('用户名', username), field('初始密码', password, '至少 10 位'), field('角色', role), formErr,
	h('div', { class: 'form-actions' }, addBtn));
	fill(box, h('div', { class: 'cols cols-2-1' }, card('账号', err, list), card('新建账号', form)));

	const load = async () => {
		try {
			const rows = itemsOf(await api.get('admin/users', { limit: 200 }));
			fill(list, table([
				{ title: '用户名', get: (u) => h('strong', {}, u.username || u.name) },
				{ title: '角色', get: (u) => label('role', u.role) },
				{ title: '状态', get: (u) => (u.disabled ? '已停用' : u.locked ? '已锁定' : '正常') },
				{ title: '最近登录', get: (u) => fmtTime(u.last_login_at || u.last_login) },
				{ title: '操作', get: (u) => userActions(u) },
			], rows, { empty: '没有账号。' }));
		} catch (e) {
			if (e.status !== 401) fill(err, notice('error', e.message));
		}
	};
	function userActions(u) {
		const name = u.username || u.name;
		if (name === ctx.session.user) return h('span', { class: 'muted small' }, '当前账号');
		const change = async (btn, bodyObj, done) => {
			try {
				await busy(btn, api.patch(`admin/users/${encodeURIComponent(name)}`, bodyObj));
				toast(done);
				load();
			} catch (e) {
				if (e.status !== 401) fill(err, notice('error', e.message));
			}
		};
		const sel = roleSelect(u.role, { 'aria-label': `${name} 的角色` });
		return h('div', { class: 'row-form' }, sel,
			button('改角色', (ev) => change(ev.currentTarget, { role: sel.value }, `${name} 的角色已改为${label('role', sel.value)}。`), 'btn-small'),
			button(u.disabled ? '启用' : '停用', (ev) => change(ev.currentTarget, { disabled: !u.disabled }, `${name} 已${u.disabled ? '启用' : '停用'}。`), 'btn-small btn-light'),
			button('重置密码', (ev) => {
				const pw = window.prompt(`为 ${name} 设置新密码（至少 10 位）：`);
				if (pw) change(ev.currentTarget, { password: pw }, `${name} 的密码已重置。`);
			}, 'btn-small btn-light'));
	}
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		formErr.replaceChildren();
		if (!username.value.trim() || !password.value) { showError(formErr, new Error('请填写用户名和初始密码。')); return; }
		try {
			await busy(addBtn, api.post('admin/users', { username: username.value.trim(), password: password.value, role: role.value }));
			toast(`账号 ${username.value.trim()} 已创建。`);
			form.reset();
			load();
		} catch (e) {
			if (e.status !== 401) showError(formErr, e);
		}
	});
	load();
}

async function tokensTab(box) {
	const err = h('div');
	const list = h('div');
	const name = h('input', { name: 'name', required: true, placeholder: '例如：人社业务系统对接' });
	const role = roleSelect('operator', { name: 'role' });
	const formErr = h('div', { class: 'form-error' });
	const shown = h('div', { 'aria-live': 'polite' });
	const addBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, '创建令牌');
	const form = h('form', { novalidate: true }, field('用途说明', name), field('权限', role), formErr,
		h('div', { class: 'form-actions' }, addBtn), shown);
	fill(box, h('div', { class: 'cols cols-2-1' }, card('API 令牌', err, list), card('新建令牌', form)));

	const load = async () => {
		try {
			const rows = itemsOf(await api.get('admin/tokens', { limit: 200 }));
			fill(list, table([
				{ title: '编号', class: 'num', get: (t) => t.id },
				{ title: '用途说明', get: (t) => t.name || t.label || '—' },
				{ title: '权限', get: (t) => label('role', t.role) },
				{ title: '令牌', get: (t) => h('code', {}, `sgw_${t.id}_…`) },
				{ title: '创建', get: (t) => `${fmtTime(t.created_at)}${t.created_by ? ` · ${t.created_by}` : ''}` },
				{ title: '最近使用', get: (t) => fmtTime(t.last_used_at) },
				{ title: '操作', get: (t) => (t.revoked_at || t.revoked ? h('span', { class: 'muted' }, `已吊销 ${fmtTime(t.revoked_at)}`) : button('吊销', async (ev) => {
					if (!window.confirm(`确定吊销令牌 ${t.name || t.id} 吗？使用它的系统将无法再访问。`)) return;
					try {
						await busy(ev.currentTarget, api.del(`admin/tokens/${encodeURIComponent(t.id)}`));
						toast('令牌已吊销。');
						load();
					} catch (e) {
						if (e.status !== 401) fill(err, notice('error', e.message));
					}
				}, 'btn-small btn-danger')) },
			], rows, { empty: '还没有 API 令牌。' }));
		} catch (e) {
			if (e.status !== 401) fill(err, notice('error', e.message));
		}
	};
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		formErr.replaceChildren();
		if (!name.value.trim()) { showError(formErr, new Error('请填写用途说明。')); name.focus(); return; }
		try {
			const t = await busy(addBtn, api.post('admin/tokens', { name: name.value.trim(), role: role.value }));
			fill(shown, notice('ok', '令牌已创建。请立即复制保存，关闭本页后将无法再次查看：'),
				h('pre', { class: 'token' }, t.token || t.secret || ''),
				h('p', { class: 'muted small' }, '调用 API 时在请求头中携带：Authorization: Bearer <令牌>'));
			form.reset();
			load();
		} catch (e) {
			if (e.status !== 401) showError(formErr, e);
		}
	});
	load();
}

const PAGE = 50;

async function auditTab(box) {
	const err = h('div');
	const list = h('div');
	const pager = h('div', { class: 'pager' });
	const actor = h('input', { name: 'actor', placeholder: '操作人' });
	const action = h('input', { name: 'action', placeholder: '操作类型' });
	const filter = h('form', { class: 'inline-form', novalidate: true }, field('操作人', actor), field('操作', action),
		h('button', { type: 'submit', class: 'btn' }, '筛选'));
	fill(box, card('审计日志', filter, err, list, pager));
	let offset = 0;
	const load = async () => {
		try {
			const r = await api.get('admin/audit', { limit: PAGE, offset, actor: actor.value.trim(), action: action.value.trim() });
			const rows = itemsOf(r);
			fill(list, table([
				{ title: '时间', get: (a) => fmtTime(a.at, { seconds: true }) },
				{ title: '操作人', get: (a) => a.actor },
				{ title: '操作', get: (a) => h('code', {}, a.action) },
				{ title: '详情', class: 'wrap', get: (a) => a.detail || '' },
			], rows, { empty: '没有记录。' }));
			const total = r.total ?? rows.length;
			fill(pager, [
				button('上一页', () => { if (offset > 0) { offset = Math.max(0, offset - PAGE); load(); } }, 'btn-light btn-small'),
				h('span', { class: 'muted' }, total ? `第 ${offset + 1}–${Math.min(offset + PAGE, total)} 条，共 ${total} 条` : ''),
				button('下一页', () => { if (offset + PAGE < total) { offset += PAGE; load(); } }, 'btn-light btn-small'),
			]);
		} catch (e) {
			if (e.status !== 401) fill(err, notice('error', e.message));
		}
	};
	filter.addEventListener('submit', (ev) => { ev.preventDefault(); offset = 0; load(); });
	load();
}
