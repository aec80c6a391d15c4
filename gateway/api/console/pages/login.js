// pages/login.js - the login form: POST /api/v1/session with the user name
// and password; on success hands the session ({user, role, csrf}) to the
// app, on failure shows the server's message (wrong password, locked).

import * as api from '../api.js';
import { field, fill, h, showError } from '../ui.js';

export function loginPage(main, { onLogin }) {
	main.className = 'page-login';
	const user = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' });
	const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
	const err = h('div', { class: 'form-error', 'aria-live': 'assertive' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, '登 录');
	const form = h('form', { class: 'login-form', novalidate: true, 'aria-labelledby': 'login-title' },
		h('h1', { id: 'login-title' }, '管理控制台登录'),
		h('p', { class: 'muted' }, '请使用本局分配的账号登录。'),
		field('用户名', user), field('密码', pass), err, submit);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.replaceChildren();
		if (!user.value.trim() || !pass.value) {
			showError(err, new Error('请输入用户名和密码。'));
			(user.value.trim() ? pass : user).focus();
			return;
		}
		submit.disabled = true;
		try {
			const s = await api.post('session', { username: user.value.trim(), password: pass.value }, { noAuthRedirect: true });
			onLogin(s);
		} catch (e) {
			showError(err, e.status === 401 && !e.message ? new Error('用户名或密码错误。') : e);
			pass.select();
		} finally {
			submit.disabled = false;
		}
	});
	fill(main, h('div', { class: 'login-wrap' }, form,
		h('p', { class: 'login-foot muted' }, '揭阳市人力资源和社会保障局 · 职业技能培训补贴项目')));
	user.focus();
}
