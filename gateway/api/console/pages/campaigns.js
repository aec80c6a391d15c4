// pages/campaigns.js - 群发通知: the list of campaigns, and the routes to a
// new campaign's form (#/campaigns/new, campaign_form.js) and to one
// campaign's progress (#/campaigns/ID, campaign_view.js).

import * as api from '../api.js';
import { label } from '../labels.js';
import { badge, button, canWrite, card, fill, fmtTime, h, itemsOf, notice, pageHead, poll, readOnlyNotice, table } from '../ui.js';
import { campaignForm } from './campaign_form.js';
import { campaignView } from './campaign_view.js';

export async function campaignsPage(main, ctx) {
	const [sub] = ctx.params;
	if (sub === 'new') {
		if (!canWrite(ctx.session)) return main.append(pageHead('新建群发'), readOnlyNotice());
		return campaignForm(main, ctx);
	}
	if (sub) return campaignView(main, ctx, sub);
	return campaignList(main, ctx);
}

const PAGE = 20;

async function campaignList(main, ctx) {
	const err = h('div');
	const list = h('div');
	const pager = h('div', { class: 'pager' });
	let offset = 0;
	main.append(pageHead('群发通知', canWrite(ctx.session) ? button('新建群发', () => ctx.go('campaigns', 'new'), 'btn-primary') : null),
		err, card('群发任务', list, pager));
	const load = async () => {
		try {
			const r = await api.get('campaigns', { limit: PAGE, offset });
			const rows = itemsOf(r);
			fill(list, table([
				{ title: '编号', class: 'num', get: (c) => c.id },
				{ title: '名称', get: (c) => h('a', { href: `#/campaigns/${c.id}` }, c.name || `群发 ${c.id}`) },
				{ title: '状态', get: (c) => badge(c.state, label('campaign', c.state)) },
				{ title: '创建时间', get: (c) => fmtTime(c.created_at) },
				{ title: '开始时间', get: (c) => fmtTime(c.started_at || c.start_at) },
				{ title: '完成时间', get: (c) => fmtTime(c.finished_at) },
				{ title: '截止时间', get: (c) => fmtTime(c.end_at) },
				{ title: '创建人', get: (c) => c.created_by || '—' },
			], rows, { empty: '还没有群发任务。点击“新建群发”创建。' }));
			const total = r.total ?? rows.length;
			fill(pager, total > PAGE ? [
				button('上一页', () => { offset = Math.max(0, offset - PAGE); load(); }, 'btn-light'),
				h('span', { class: 'muted' }, `第 ${offset + 1}–${Math.min(offset + PAGE, total)} 条，共 ${total} 条`),
				button('下一页', () => { if (offset + PAGE < total) { offset += PAGE; load(); } }, 'btn-light'),
			] : null);
			err.replaceChildren();
		} catch (e) {
			if (e.status !== 401) fill(err, notice('error', e.message));
		}
	};
	poll(load, 5000);
}
