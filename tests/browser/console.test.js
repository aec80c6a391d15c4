'use strict';
// console.test.js - the web console in Debian's Chromium (headless, through
// playwright-core) against the real daemon and the SMSC simulator: log in,
// the dashboard shows the link bound, a campaign to one region is created
// with its live recipient count and watched to 100%, a CSV with one bad row
// shows that row's line, column and reason and the rest is applied, one SMS
// is sent and delivered, the admin makes an operator's account and sees the
// tokens and the audit log, logs out; the operator logs in and looks a
// worker up (masked) and approves a subsidy; a viewer is offered no
// change, and logging out ends the session. Every page
// is saved as a PNG under SCREENSHOT_DIR (run.sh: BUILD_DIR/screenshots)
// at 1366x768, and no page may log a script error.

const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { gwTest, until, ROOT } = require('../integration/lib/gw');
const { residentId: idNumber } = require('../integration/lib/roster');
const { launch, shot, haveChromium, CHROMIUM, SHOTS } = require('./lib/browser');

const SIG = '【揭阳人社】';
const HINT = '回TD退订';
const ADMIN = { user: 'admin', password: 'Console-Test-2026' };
const OPERATOR = { user: 'zhangsan', password: 'Operator-Test-2026' };
const VIEWER = { user: 'lisi', password: 'Viewer-Test-2026' };
const CONSOLE_DIR = path.join(ROOT, 'gateway', 'api', 'console');
const PUNING = 6;	// workers of the roster in 普宁市 (445281)

const NAMES = ['陈志明', '林秀英', '黄建华', '郑丽娟', '吴国强', '蔡少芬', '许文龙', '杨晓燕', '李永康', '王美玲'];

/** 10 workers bound to 86139000000NN, 6 in 普宁市 and 4 in 榕城区. */
function rosterSql() {
	const rows = NAMES.map((name, k) => {
		const i = k + 1;
		const region = i <= PUNING ? '445281' : '445202';
		const id = idNumber(`${region}19900101${100 + i}`);
		return `(${i}, '${id}', '${name}', '86139${String(i).padStart(8, '0')}', '${region}', 'migrant', '1990-01-01', 'roster', 0, 0)`;
	});
	return `INSERT INTO worker (id, id_number, name, msisdn, region, key_groups, birth_date, bound_by, created_at, updated_at) VALUES
${rows.join(',\n')};`;
}

/** Training quality as the trainees answered it: 电工初级培训班 (揭阳市技师学院)
 * ended two days ago after two check days, workers 1..6 (1-5 confirmed the
 * first day, 1-3 the second; 6 never, and its code came from another
 * number), five scores with two comments; 中式烹调师培训班 (普宁市职业技术学校)
 * ended 100 days ago, its 3-month follow-up answered by three of four. */
function qualitySql() {
	const now = Date.now();
	const D = 86400e3;
	const H8 = 8 * 3600e3;
	const iso = (ms) => new Date(ms + H8).toISOString().slice(0, 10);
	const tel = (w) => `'86139${String(w).padStart(8, '0')}'`;
	const rows = [];	// quality_question: kind, round, enrolment = worker, course, check, ...
	const row = (kind, round, w, course, check, code, asked, answer, comment) => rows.push(`('${kind}', ${round}, ${w},` +
		` ${w}, ${course}, ${check || 'NULL'}, ${tel(w)}, ${code ? `'${code}'` : 'NULL'}, 'queued', ${asked},` +
		` ${asked + 30 * D}, ${answer || 'NULL'}, ${comment ? `'${comment}'` : 'NULL'}, ${answer ? asked + 3600e3 : 'NULL'})`);
	for (let w = 1; w <= 6; w++) {
		row('attendance', 1, w, 1, 1, 100100 + w, now - 3 * D, w <= 5 ? 1 : 0);
		row('attendance', 2, w, 1, 2, 100200 + w, now - 2 * D, w <= 3 ? 1 : 0);
	}
	const words = { 1: '老师讲得很细，实操时间充足', 5: '希望增加夜班课程' };
	[5, 4, 5, 3, 2, 0].forEach((sc, k) => row('survey', 0, k + 1, 1, 0, '', now - D, sc, words[k + 1]));
	[1, 2, 1, 0].forEach((a, k) => row('employment', 3, k + 7, 2, 0, '', now - 10 * D, a));
	const enrol = [];
	for (let w = 1; w <= 10; w++) {
		enrol.push(`(${w}, ${w}, ${w <= 6 ? 1 : 2}, 'completed', 'sms', '${w === 6 || w === 10 ? 'failed' : 'passed'}', 0, 0)`);
	}
	return `INSERT INTO occupation VALUES ('E01', '电工', '制造', 0, 0), ('C01', '中式烹调师', '服务', 0, 0);
INSERT INTO institution VALUES ('I01', '揭阳市技师学院', '445202', 1, 0, 0), ('I02', '普宁市职业技术学校', '445281', 1, 0, 0);
INSERT INTO course (id, code, name, occupation, level, training_type, institution, region, start_date, end_date,
 enrol_deadline, capacity, subsidy_fen, status, checks, class_hours, created_at, updated_at) VALUES
 (1, '5001', '电工初级培训班', 'E01', 5, 'employment', 'I01', '445202', '${iso(now - 20 * D)}', '${iso(now - 2 * D)}',
  '${iso(now - 25 * D)}', 40, 120000, 'finished', '2', '08:30-17:30', 0, 0),
 (2, '5002', '中式烹调师培训班', 'C01', 5, 'employment', 'I02', '445281', '${iso(now - 130 * D)}', '${iso(now - 100 * D)}',
  '${iso(now - 135 * D)}', 30, 100000, 'finished', NULL, NULL, 0, 0);
INSERT INTO enrolment (id, worker_id, course_id, status, channel, result, created_at, updated_at) VALUES
${enrol.join(',\n')};
INSERT INTO quality_check (id, course_id, day, ask_at, ends_at, created_at) VALUES
 (1, 1, '${iso(now - 3 * D)}', ${now - 3 * D}, ${now - 3 * D + H8}, 0),
 (2, 1, '${iso(now - 2 * D)}', ${now - 2 * D}, ${now - 2 * D + H8}, 0);
INSERT INTO quality_question (kind, round, enrolment_id, worker_id, course_id, check_id, msisdn, code, state,
 asked_at, expires_at, answer, comment, answered_at) VALUES
${rows.join(',\n')};
INSERT INTO quality_refusal (at, msisdn, kind, reason, question_id) SELECT ${now - 3 * D + 7200e3}, '8613900000009',
 'attendance', 'other', id FROM quality_question WHERE worker_id = 6 AND kind = 'attendance' AND round = 1;`;
}

/** A roster CSV: two good rows and, on line 3, a resident ID whose check character is wrong. */
function rosterCsv() {
	const good1 = idNumber('44528119900101123');
	const good2 = idNumber('44520219850615234');
	const bad = idNumber('44528119920202345');
	const wrong = bad.slice(0, 17) + (bad[17] === '1' ? '2' : '1');
	return {
		wrong,
		text: `身份证号,姓名,手机号,区县\n${good1},陈小明,13800138001,普宁市\n${wrong},林晓红,13800138002,普宁市\n${good2},黄志强,13800138003,榕城区\n`,
	};
}

const saveShot = (p, name) => shot(p, name);

async function login(p, who) {
	await p.getByLabel('用户名').fill(who.user);
	await p.getByLabel('密码').fill(who.password);
	await p.getByRole('button', { name: '登 录' }).click();
}

async function logout(p) {
	await p.getByRole('button', { name: '退出登录' }).click();
	await p.getByLabel('用户名').waitFor();
}

/** The daemon with the API and the console (the harness's api option), a roster, a subsidy
 * and an admin made with skillctl user add; the simulator sends receipts. */
async function consoleGateway(h) {
	assert.ok(haveChromium(), `no browser: ${CHROMIUM} and the npm package playwright-core are needed (make deps)`);
	const sim = await h.smsc({ behaviour: { dlr: { delayMs: 0 } } });
	const gw = await h.gateway({
		sim, start: false, api: { console_dir: CONSOLE_DIR },
		extra: {
			commands: { enabled: true, messages: path.join(ROOT, 'conf', 'messages.conf'), signature: SIG },
			notices: { optout_hint: HINT, max_parts: 3, quiet_start: '00:00', quiet_end: '00:00', timezone: 'Asia/Shanghai', tick_ms: 50 },
		},
	});
	assert.equal(gw.ctl(['queue']).code, 0, 'skillctl makes the database');
	gw.db(rosterSql());
	gw.db(qualitySql());
	// one subsidy application of the first worker, for the back office's change
	gw.db(`INSERT INTO subsidy (reference, worker_id, kind, amount_fen, status, applied_date, year, created_at, updated_at)
VALUES ('BT2026-0001', 1, 'living', 120000, 'received', '2026-03-02', 2026, 0, 0)`);
	gw.addUser(ADMIN.user, 'admin', ADMIN.password);
	gw.start();
	await gw.waitBound();
	await gw.waitApi();
	return { gw, sim, base: `${gw.apiUrl}/` };
}

/** Chromium on the console; a screenshot named failed-NAME when the test did not get to its end. */
async function browser(t, name) {
	const b = await launch();
	b.page.setDefaultTimeout(20000);
	b.done = false;
	t.after(async () => {
		if (!b.done) await shot(b.page, `failed-${name}`).then((f) => t.diagnostic(`screenshot of the failure: ${f}`)).catch(() => {});
		await b.close();
	});
	return b;
}

gwTest('the console in Chromium: log in, campaign to 100%, import with a bad row, log out', { timeout: 150000 }, async (t, h) => {
	const { gw, sim, base } = await consoleGateway(h);

	const b = await browser(t, 'tour');
	const p = b.page;
	const shots = [];
	const save = async (name) => shots.push(await shot(p, name));

	// ---- log in
	await p.goto(base);
	await p.getByLabel('用户名').waitFor();
	await save('01-login');
	await login(p, { user: ADMIN.user, password: 'wrong password' });
	await p.locator('.login-form [role=alert]').waitFor();
	await login(p, ADMIN);

	// ---- dashboard: the link is bound
	await p.locator('.page-dashboard .links td', { hasText: 'sim' }).waitFor();
	await p.locator('.page-dashboard .links .badge', { hasText: '已连接' }).waitFor();
	await save('02-dashboard');

	// ---- a campaign to 普宁市, watched to 100%
	await p.getByRole('link', { name: '群发通知' }).click();
	await p.locator('.page-campaigns table.grid').waitFor();
	await p.getByRole('button', { name: '新建群发' }).click();
	await p.getByLabel('群发名称').fill('普宁市电工班开班通知');
	await p.getByLabel('普宁市').check();
	await p.getByLabel('通知正文').fill('{name}您好，{region}电工班将于下周开班，请按时报到。');
	await p.locator('.live-count .count-num', { hasText: String(PUNING) }).waitFor();
	await p.locator('.samples .sample-text').first().waitFor();
	const sample = await p.locator('.samples .sample-text').first().textContent();
	assert.ok(sample.startsWith(SIG) && sample.endsWith(HINT), `a sample has the signature and the hint: ${sample}`);
	assert.match(sample, /普宁市电工班/);
	await p.locator('.count-server strong').waitFor();
	await save('03-campaign-new');
	await p.getByRole('button', { name: '保存并开始发送' }).click();
	await p.waitForURL(/#\/campaigns\/\d+$/);
	await p.locator('.big-progress .progress-text', { hasText: '100%' }).waitFor({ timeout: 60000 });
	await p.locator('.page-campaigns .badge', { hasText: '已完成' }).waitFor({ timeout: 30000 });
	await p.locator('.chart-box svg').waitFor();
	await save('04-campaign-done');
	const got = sim.messages.filter((m) => m.text.includes('电工班将于下周开班'));
	assert.equal(new Set(got.map((m) => m.to)).size, PUNING, 'every worker of 普宁市 got the notice once');
	await p.getByRole('link', { name: '返回列表' }).click();
	await p.locator('.page-campaigns table.grid td a', { hasText: '普宁市电工班开班通知' }).waitFor();
	await save('05-campaigns');

	// ---- import: the bad row's line, column and reason; then apply the rest
	const csv = rosterCsv();
	const csvPath = path.join(gw.dir, 'roster.csv');
	fs.writeFileSync(csvPath, csv.text);
	await p.getByRole('link', { name: '数据导入' }).click();
	await p.getByLabel('数据类型').selectOption('workers');
	await p.getByLabel('CSV 文件').setInputFiles(csvPath);
	await p.getByRole('button', { name: '上传并校验' }).click();
	const badRow = p.locator('.import-result table.grid tbody tr').first();
	await badRow.waitFor();
	const cells = await badRow.locator('td').allTextContents();
	assert.equal(cells[0], '3', `the bad row is line 3: ${cells}`);
	assert.match(cells[1], /身份证|id/i, `the column is the resident ID: ${cells}`);
	assert.ok(cells[2].length > 0, 'a reason is given');
	assert.equal(await p.locator('.import-result table.grid tbody tr').count(), 1, 'only that row is bad');
	await save('06-import-validated');
	await p.getByLabel('跳过错误行，导入其余行').check();
	await p.getByRole('button', { name: '确认导入' }).click();
	await p.locator('.import-result .badge', { hasText: /已导入|已完成/ }).waitFor({ timeout: 30000 });
	await save('07-import-applied');
	const [exp] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: '导出报名记录（CSV）' }).click()]);
	const expFile = path.join(gw.dir, 'enrolments.csv');
	await exp.saveAs(expFile);
	assert.match(fs.readFileSync(expFile, 'utf8'), /^\ufeff/, 'the export is UTF-8 with a BOM');
	assert.equal(gw.dbValue("SELECT count(*) FROM worker WHERE name IN ('陈小明', '黄志强')"), 2, 'the good rows are in the roster');
	assert.equal(gw.dbValue("SELECT count(*) FROM worker WHERE name = '林晓红'"), 0, 'the bad row is not');

	// ---- one SMS, delivered
	await p.getByRole('link', { name: '单条短信' }).click();
	await p.getByLabel('手机号码').fill('8613800138000');
	await p.getByLabel('短信内容').fill('控制台测试短信');
	await p.locator('.sms-counter', { hasText: '1 条' }).waitFor();
	await p.getByRole('button', { name: '发送', exact: true }).click();
	await p.locator('.message .badge', { hasText: '已送达' }).waitFor({ timeout: 30000 });
	await save('08-send');
	assert.ok(sim.messages.some((m) => m.text === '控制台测试短信'), 'the simulator got the SMS');

	// ---- the dashboard again: today's traffic has the campaign and the SMS
	await p.getByRole('link', { name: '运行概况' }).click();
	await p.locator('.page-dashboard .stat-mt .stat-value', { hasText: String(PUNING + 1) }).waitFor();
	await p.locator('.page-dashboard .chart-box svg polyline').first().waitFor();
	await save('09-dashboard-traffic');

	// ---- admin: accounts, tokens, audit log
	await p.getByRole('link', { name: '系统管理' }).click();
	await p.locator('.page-admin table.grid td', { hasText: ADMIN.user }).first().waitFor();
	await p.getByLabel('用户名').fill(OPERATOR.user);
	await p.getByLabel('初始密码').fill(OPERATOR.password);
	await p.getByLabel('角色', { exact: true }).selectOption('operator');
	await p.getByRole('button', { name: '创建账号' }).click();
	await p.locator('.page-admin table.grid td', { hasText: OPERATOR.user }).waitFor();
	await save('10-admin-users');
	await p.getByRole('link', { name: 'API 令牌' }).click();
	await p.getByLabel('用途说明').fill('人社业务系统对接');
	await p.getByRole('button', { name: '创建令牌' }).click();
	const token = await p.locator('pre.token').textContent();
	assert.match(token, /^sgw_\d+_\S+$/, 'the token is shown once');
	await p.locator('.page-admin table.grid td', { hasText: '人社业务系统对接' }).waitFor();
	await save('11-admin-tokens');
	await p.getByRole('link', { name: '审计日志' }).click();
	await p.locator('.page-admin table.grid tbody tr td', { hasText: ADMIN.user }).first().waitFor();
	await save('12-admin-audit');

	// ---- log out; the operator logs in and looks a worker up, masked
	await logout(p);
	await login(p, OPERATOR);
	await p.locator('.page-dashboard').waitFor();
	assert.equal(await p.getByRole('link', { name: '系统管理' }).isVisible(), false, 'no admin pages for an operator');
	await p.getByRole('link', { name: '人员查询' }).click();
	await p.getByLabel('查询人员').fill('8613900000001');
	await p.getByRole('button', { name: '查询' }).click();
	await p.locator('.facts dd').first().waitFor();
	const facts = await p.locator('.facts').first().textContent();
	assert.ok(!facts.includes(NAMES[0]), `the name is masked: ${facts}`);
	assert.ok(facts.includes(NAMES[0][0]), `the surname shows: ${facts}`);
	assert.ok(!facts.includes('19900101'), `the resident ID is masked: ${facts}`);
	// the back office approves the subsidy
	await p.getByLabel('补贴 BT2026-0001 的新状态').selectOption('approved');
	await p.getByRole('button', { name: '修改' }).click();
	await p.locator('.page-worker .badge', { hasText: '已批准' }).waitFor();
	assert.equal(gw.dbValue("SELECT status FROM subsidy WHERE reference = 'BT2026-0001'"), 'approved');
	// ... and the worker is told, once, without asking
	const told = await sim.waitMessage((m) => m.to === '8613900000001' && /审核通过/.test(m.text), 15000,
		'the approval texted to the worker');
	assert.match(told.text, /生活费补贴1200\.00元已于/);
	await save('13-worker');
	// ... and the bureau sees it among the notifications, delivered
	await p.getByRole('link', { name: '业务提醒' }).click();
	await p.locator('.page-notifications table.grid td', { hasText: '补贴已批准' }).first().waitFor();
	await p.locator('.page-notifications td', { hasText: '139****0001' }).first().waitFor();
	await p.locator('.page-notifications .badge', { hasText: '已送达' }).first().waitFor({ timeout: 20000 });
	await save('13b-notifications');

	// ---- a viewer reads and is offered no change
	await logout(p);
	gw.addUser(VIEWER.user, 'viewer', VIEWER.password);
	await login(p, VIEWER);
	await p.locator('.page-dashboard').waitFor();
	await p.getByRole('link', { name: '群发通知' }).click();
	await p.locator('.page-campaigns table.grid td a', { hasText: '普宁市电工班开班通知' }).click();
	await p.locator('.page-campaigns .badge', { hasText: '已完成' }).waitFor();
	assert.equal(await p.getByRole('button', { name: '新建群发' }).count(), 0);
	await p.getByRole('link', { name: '单条短信' }).click();
	await p.locator('.page-send .notice-info', { hasText: '只读用户' }).waitFor();
	assert.equal(await p.getByRole('button', { name: '发送', exact: true }).count(), 0, 'no send button for a viewer');
	// ... and the training quality: per institution, then one course
	await p.getByRole('link', { name: '培训质量' }).click();
	const inst = p.locator('.page-quality table.grid tbody tr', { hasText: '揭阳市技师学院' });
	await inst.waitFor();
	const fig = await inst.locator('td').allTextContents();
	assert.deepEqual(fig.slice(1, 6), ['1', '6', '83.3%', '66.7%', '1'], `courses, trainees, pass, confirmed, never: ${fig}`);
	assert.equal(fig[7], '3.80', `the average score: ${fig}`);
	await p.locator('.page-quality table.grid tbody tr', { hasText: '普宁市职业技术学校' }).waitFor();
	await save('14-quality');
	await p.getByLabel('统计维度').selectOption('course');
	await p.locator('.page-quality table.grid td a', { hasText: '电工初级培训班' }).click();
	await p.waitForURL(/#\/quality\/course\/5001$/);
	const never = p.locator('.page-quality section', { hasText: '从未确认到课的学员（1 人）' });
	await never.locator('td', { hasText: '蔡*芬' }).waitFor();
	assert.ok(!(await never.textContent()).includes('蔡少芬'), 'the name is masked');
	await p.locator('.page-quality .notice-error', { hasText: '可能存在代签到' }).waitFor();
	await p.locator('.page-quality td', { hasText: '老师讲得很细' }).waitFor();
	await save('15-quality-course');

	// ---- log out: the login again, and the session is gone
	await logout(p);
	const after = await p.evaluate(async () => (await fetch('/api/v1/session')).status);
	assert.equal(after, 401, 'no session after logging out');
	await p.goto(`${base}#/dashboard`);
	await p.getByLabel('用户名').waitFor();

	assert.deepEqual(b.errors, [], 'no script errors in the pages');
	t.diagnostic(`screenshots: ${SHOTS}`);
	for (const f of shots) assert.ok(fs.statSync(f).size > 5000, `${f} is a real picture`);
	b.done = true;
	await gw.stopClean();
});

gwTest('the console steers a campaign: pause, resume, cancel, report; an expired session goes to the login', { timeout: 90000 }, async (t, h) => {
	const { gw, sim, base } = await consoleGateway(h);
	const b = await browser(t, 'steer');
	const p = b.page;
	await p.goto(base);
	await login(p, ADMIN);
	await p.locator('.page-dashboard').waitFor();

	// a campaign to everyone at 1 message a second, saved as a draft
	await p.goto(`${base}#/campaigns/new`);
	await p.getByLabel('群发名称').fill('全员补贴政策提醒');
	await p.getByLabel('速率（条/秒）').fill('1');
	await p.getByLabel('通知正文').fill('{name}您好，职业培训补贴申请将于月底截止。');
	await p.locator('.live-count .count-num', { hasText: '10' }).waitFor();
	await p.getByRole('button', { name: '保存草稿' }).click();
	await p.locator('.page-campaigns .badge', { hasText: '草稿' }).waitFor();
	await p.getByRole('button', { name: '开始发送' }).click();
	await p.locator('.page-campaigns .badge', { hasText: '发送中' }).waitFor();
	await until(() => sim.messages.some((m) => m.text.includes('月底截止')), { timeout: 15000, what: 'the first notice' });
	await p.getByRole('button', { name: '暂停' }).click();
	await p.locator('.page-campaigns .badge', { hasText: '已暂停' }).waitFor();
	const paused = sim.messages.filter((m) => m.text.includes('月底截止')).length;
	await p.getByRole('button', { name: '继续发送' }).click();
	await p.locator('.page-campaigns .badge', { hasText: '发送中' }).waitFor();
	p.once('dialog', (d) => d.accept());
	await p.getByRole('button', { name: '取消群发' }).click();
	await p.locator('.page-campaigns .badge', { hasText: '已取消' }).waitFor();
	await saveShot(p, '14-campaign-cancelled');
	const sent = sim.messages.filter((m) => m.text.includes('月底截止')).length;
	assert.ok(sent >= paused && sent < 10, `cancelled before the end: ${sent} of 10 sent`);

	// the report, a CSV download
	const [download] = await Promise.all([
		p.waitForEvent('download'),
		p.getByRole('button', { name: '下载发送报告' }).click(),
	]);
	const file = path.join(gw.dir, 'report.csv');
	await download.saveAs(file);
	const csv = fs.readFileSync(file, 'utf8').replace(/^\ufeff/, '');
	assert.ok(csv.split(/\r?\n/).filter(Boolean).length >= 2, `a header and rows: ${csv.slice(0, 200)}`);

	// the session ends behind the page's back: its next call gets a 401, and the login shows
	await p.context().clearCookies();
	await p.getByRole('link', { name: '运行概况' }).click();
	await p.getByLabel('用户名').waitFor({ timeout: 15000 });
	assert.deepEqual(b.errors, [], 'no script errors in the pages');
	b.done = true;
	await gw.stopClean();
});
