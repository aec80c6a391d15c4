// labels.js - the Chinese words for the codes the API returns (states,
// glossary codes of conf/glossary.conf, the five regions of the schema),
// and label(kind, code) to look one up (the code itself when unknown).

export const LABELS = {
	link: {
		bound: '已连接', connecting: '连接中', binding: '登录中', unbinding: '断开中', down: '未连接',
		stopped: '已停用', throttled: '限流中',
	},
	mt: {
		queued: '排队中', sending: '发送中', submitted: '已提交', delivered: '已送达',
		failed: '失败', expired: '已过期', cancelled: '已取消',
	},
	campaign: {
		draft: '草稿', scheduled: '已排期', running: '发送中', paused: '已暂停', cancelled: '已取消',
		done: '已完成', expired: '已过期',
	},
	rcpt: { pending: '待发送', queued: '已入队', optout: '已退订', cancelled: '已取消', bad: '号码无效' },
	region: {
		445202: '榕城区', 445203: '揭东区', 445222: '揭西县', 445224: '惠来县', 445281: '普宁市',
	},
	key_group: {
		graduate: '高校毕业生', migrant: '农民工', unemployed: '失业人员', transfer: '转岗职工',
		veteran: '退役军人', farmer: '新型职业农民', poverty: '建档立卡贫困家庭', lowincome: '低保家庭',
		disabled: '残疾人', school_leaver: '未继续升学的初高中毕业生', employee: '企业在岗职工',
	},
	enrol_status: { enrolled: '已报名', cancelled: '已取消', completed: '已结业' },
	subsidy_status: { received: '已受理', reviewing: '审核中', approved: '已批准', paid: '已发放', rejected: '不予补贴' },
	cert_kind: { qualification: '职业资格证书', skill_level: '职业技能等级证书', special_ability: '专项职业能力证书', completion: '培训合格证书' },
	subsidy_kind: { training: '职业培训补贴', appraisal: '职业技能鉴定补贴', living: '生活费补贴', entrepreneurship: '创业培训补贴' },
	import_kind: {
		workers: '人员名册', institutions: '培训机构', occupations: '职业（工种）', courses: '培训课程',
		subsidies: '补贴记录', certificates: '证书', enrolments: '报名记录',
	},
	import_state: {
		queued: '排队中', validating: '校验中', applying: '导入中', done: '已完成', failed: '失败', cancelled: '已停止',
	},
	import_result: { valid: '全部正确', invalid: '有错误行', applied: '已导入', stopped: '导入中断' },
	preview_detail: {
		matched: '符合条件', opted_out: '已退订', no_number: '未绑定手机号', numbers: '号码数',
		duplicates: '重复号码', unknown: '不在名册中',
	},
	role: { admin: '管理员', operator: '操作员', viewer: '只读用户' },
	channel: { sms: '短信', ussd: 'USSD', import: '导入' },
	traffic: { mo: '上行短信', mt: '下行短信', dlr: '状态报告', ussd: 'USSD 会话' },
	notify_kind: {
		subsidy_approved: '补贴已批准', subsidy_paid: '补贴已发放', subsidy_rejected: '不予补贴',
		course_cancelled: '课程取消', course_closed: '课程截止报名', course_changed: '课程变更',
		enrolment_cancelled: '报名被取消', reminder: '开课提醒',
	},
	notify_state: { pending: '待处理', queued: '已生成短信', nonumber: '未绑定手机', optout: '已退订', bad: '无法生成' },
	notify_msg: { queued: '排队中', sent: '已提交', delivered: '已送达', failed: '失败', expired: '已过期' },
	notify_col: {
		events: '事件', delivered: '已送达', sent: '已提交', queued: '排队中', pending: '待处理', failed: '失败',
		nonumber: '未绑定手机', optout: '已退订',
	},
	quality_by: { institution: '按培训机构', occupation: '按职业（工种）', course: '按课程' },
	quality_col: {
		courses: '课程数', trainees: '学员数', pass_rate: '合格率', confirm_rate: '到课确认率', never: '从未确认',
		rated_rate: '评价回复率', score_avg: '平均分', reported_rate: '回访回复率', employed_rate: '就业率',
		business_rate: '创业率',
	},
};

/** The Chinese word for code in kind, or the code. */
export function label(kind, code) {
	const t = LABELS[kind];
	if (code === undefined || code === null || code === '') return '—';
	return (t && t[code]) || String(code);
}

/** The words of one kind: {code: word}. */
label.table = (kind) => LABELS[kind] || {};
