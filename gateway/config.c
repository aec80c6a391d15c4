/*
 * config.c - read, validate and print the configuration of skillgw.
 *
 * Every setting is one row of a table: its path in the file, its type
 * (integer, boolean, string, one word of a list, or a list read by its own
 * setter), its default, its bounds and the offset of the field it fills.
 * There are two tables: config_items for the top-level groups (gateway,
 * queue, text, commands), whose paths are absolute ("gateway.vty.port"),
 * and link_items for the members of one group of the "links" list, whose
 * paths are relative to that group ("password"). One generic loop applies
 * the defaults of a table, another reads and checks each row, and a third
 * walks every group of the file and reports the members no row describes,
 * so a misspelt setting is an error instead of a silently ignored line. The
 * few rules that involve more than one setting (retry_min <= retry_max, one
 * default link, unique link names and prefixes ...) are small functions run
 * after the tables.
 *
 * Loading never stops at the first problem: each one is recorded as
 * "FILE:LINE: setting.path: what is wrong" and counted, and the setting
 * keeps its default. The messages are printed at the end, sorted by line
 * (the checks run table by table, not in file order), and config_load
 * returns their count. A setting that is missing is reported at the line of
 * the group that should contain it. Links are named in messages by their
 * name ("links.cmcc.port") when the name is usable and by their position
 * ("links.[2].port") otherwise.
 *
 * Known limit of libconfig 1.5: an integer literal beyond 32 bits without the
 * L suffix is silently truncated by the parser, so such a value is checked
 * against the bounds after truncation.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "gateway/text/charset.h"
#include "gateway/text/fmt.h"
#include "gateway/config.h"
#include "gateway/smpp/pdu.h"
#include "gateway/queue/quiet.h"
#include "gateway/text/msisdn.h"

#define PATH_LEN	128	/* longest setting path in a message */
#define QUOTE_LEN	72	/* longest quoted value in a message */
#define MSG_LEN		384	/* longest message after FILE:LINE: */
#define PREFIX_LEN	(sizeof(((struct config_link *)0)->prefixes[0]))

enum cfg_type {
	CT_INT,		/* unsigned field of 1, 2 or 4 bytes */
	CT_BOOL,
	CT_STR,		/* char array, NUL-terminated */
	CT_ENUM,	/* a word from .words, stored as its value */
	CT_LIST,	/* read and printed by .read_list / .dump_list */
};

struct cfg_word {
	const char *word;
	int value;
};

struct load;

struct cfg_item {
	const char *path;	/* relative to the table's base group */
	enum cfg_type type;
	size_t off, size;	/* the field in struct config / config_link */
	long long def;		/* default of INT, BOOL and ENUM */
	const char *def_str;	/* default of STR */
	long long min, max;	/* INT: value bounds; STR: min is the least length */
	bool required;		/* no default: missing is an error */
	bool secret;		/* printed as "***" */
	const struct cfg_word *words;			/* ENUM */
	const char *(*check_int)(long long v);		/* extra rule: why not */
	const char *(*check_str)(const char *s);	/* extra rule: why not */
	void (*read_list)(struct load *ld, const config_setting_t *s,
			  const char *path, void *obj);
	void (*dump_list)(FILE *out, const void *obj);
};

struct cfg_table {
	const struct cfg_item *items;
	size_t n;
	const char *skip;	/* member handled elsewhere ("links") */
};

/* One error, kept until the end of loading so that the report is in the
 * order of the file rather than in the order of the checks. */
struct report_line {
	const char *file;
	unsigned line;
	int seq;
	char text[MSG_LEN];	/* "setting.path: what is wrong" */
};

/* The state of one config_load. */
struct load {
	const char *file;		/* the path as given, for messages */
	FILE *err;
	int n_err;
	struct report_line *rep;	/* errors not yet printed */
	size_t n_rep, rep_cap;
	char dir[CONFIG_PATH_MAX];	/* directory of the file */
	struct config *cfg;
	unsigned cur;			/* index of the link being read */
	const config_setting_t *link_set[CONFIG_MAX_LINKS];
	char link_label[CONFIG_MAX_LINKS][PATH_LEN];
};

/* ------------------------------------------------------------------ */
/* Rules beyond type and bounds                                        */

/* One word of printable ASCII: the VTY's "enable password WORD". */
static const char *check_vty_password(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return "must be one word of printable ASCII (no spaces)";
	return NULL;
}

static const char *check_digits(const char *s)
{
	return s[strspn(s, "0123456789")] ? "is not a string of digits" : NULL;
}

/* A number people dial: digits, with '-' between groups (0663-12333). */
static const char *check_phone(const char *s)
{
	return s[strspn(s, "0123456789-")] || s[0] == '-' ?
	       "is not a telephone number (digits and -)" : NULL;
}

/* A local time of day, "21:00". */
static const char *check_hhmm(const char *s)
{
	return quiet_parse_hhmm(s) < 0 ? "is not a time of day HH:MM" : NULL;
}

static const char *check_hours(const char *s)
{
	int from, to;

	return fmt_hours_parse(s, &from, &to) < 0 ?
	       "is not hours of a day like \"08:30-17:30\"" : NULL;
}

static const char *check_timezone(const char *s)
{
	return quiet_tz_valid(s) ? NULL :
	       "is not a known time zone (e.g. \"Asia/Shanghai\" or \"CST-8\")";
}

static const char *check_name(const char *s)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789_-";

	return s[strspn(s, ok)] ? "may contain only A-Z a-z 0-9 _ -" : NULL;
}

static const char *check_log_level(const char *s)
{
	static const char *const levels[] = { "debug", "info", "notice", "error" };
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(s, levels[i]))
			return NULL;
	return "is not one of debug, info, notice, error";
}

/* Numbering plan indicators that SMPP 3.4 defines. */
static const char *check_npi(long long v)
{
	static const int npis[] = { 0, 1, 3, 4, 6, 8, 9, 10, 14, 18 };
	size_t i;

	for (i = 0; i < sizeof(npis) / sizeof(npis[0]); i++)
		if (v == npis[i])
			return NULL;
	return "is not an SMPP NPI (0, 1, 3, 4, 6, 8, 9, 10, 14, 18)";
}

static void read_prefixes(struct load *ld, const config_setting_t *s,
			  const char *path, void *obj);
static void dump_prefixes(FILE *out, const void *obj);
static const char *check_ussd_code(const char *s);
static const char *check_ip(const char *s);
static const char *check_host_ip(const char *s);
static const char *check_header(const char *s);
static void read_allow(struct load *ld, const config_setting_t *s,
		       const char *path, void *obj);
static void dump_allow(FILE *out, const void *obj);
static void read_release_ops(struct load *ld, const config_setting_t *s,
			     const char *path, void *obj);
static void dump_release_ops(FILE *out, const void *obj);
static void read_rounds(struct load *ld, const config_setting_t *s,
			const char *path, void *obj);
static void dump_rounds(FILE *out, const void *obj);
static void check_link_ussd(struct load *ld, const config_setting_t *g,
			    const char *label,
			    const struct config_link_ussd *u);

/* ------------------------------------------------------------------ */
/* The tables                                                          */

static const struct cfg_word bind_words[] = {
	{ "transceiver", CONFIG_BIND_TRX },
	{ "tx+rx", CONFIG_BIND_TX_RX },
	{ NULL, 0 }
};

static const struct cfg_word long_words[] = {
	{ "udh", CONFIG_LONG_UDH },
	{ "sar", CONFIG_LONG_SAR },
	{ "payload", CONFIG_LONG_PAYLOAD },
	{ NULL, 0 }
};

static const struct cfg_word durability_words[] = {
	{ "crash", 0 },		/* survives a crash of the process */
	{ "power-loss", 1 },	/* also a power cut: fsync at each commit */
	{ NULL, 0 }
};

static const struct cfg_word numbers_words[] = {
	{ "cn", MSISDN_PLAN_CN },	/* Chinese mobile numbers */
	{ "e164", MSISDN_PLAN_E164 },	/* and any international number */
	{ NULL, 0 }
};

static const struct cfg_word id_fmt_words[] = {
	{ "asis", CONFIG_ID_ASIS },
	{ "hex", CONFIG_ID_HEX },
	{ "dec", CONFIG_ID_DEC },
	{ NULL, 0 }
};

static const struct cfg_word ussd_key_words[] = {
	{ "msisdn", CONFIG_USSD_KEY_MSISDN },
	{ "msisdn+its", CONFIG_USSD_KEY_MSISDN_ITS },
	{ "umr", CONFIG_USSD_KEY_UMR },
	{ NULL, 0 }
};

#define FIELD(type, f)	.off = offsetof(type, f), .size = sizeof(((type *)0)->f)
#define G(f)		FIELD(struct config, f)
#define L(f)		FIELD(struct config_link, f)

/* Top-level settings. Keep the rows of one group together: config_dump
 * opens a group when the path changes. */
static const struct cfg_item config_items[] = {
	{ "gateway.database", CT_STR, G(db_path), .def_str = "var/skillgw.db",
	  .min = 1 },
	{ "gateway.log_level", CT_STR, G(log_level), .def_str = "notice",
	  .min = 1, .check_str = check_log_level },
	{ "gateway.log_file", CT_STR, G(log_file), .def_str = "" },
	{ "gateway.durability", CT_ENUM, G(durable_fsync), .def = 1,
	  .words = durability_words },
	{ "gateway.country_code", CT_STR, G(country_code), .def_str = "86",
	  .min = 1, .check_str = check_digits },
	{ "gateway.numbers", CT_ENUM, G(numbers), .def = MSISDN_PLAN_CN,
	  .words = numbers_words },
	{ "gateway.storage_reserve", CT_INT, G(storage_reserve_mb), .def = 16,
	  .min = 0, .max = 1024 },
	{ "gateway.shutdown_timeout", CT_INT, G(shutdown_timeout_s),
	  .def = 5, .min = 0, .max = 300 },
	{ "gateway.vty.address", CT_STR, G(vty_addr), .def_str = "127.0.0.1",
	  .min = 1 },
	{ "gateway.vty.port", CT_INT, G(vty_port), .def = 4260,
	  .min = 0, .max = 65535 },
	{ "gateway.vty.enable_password", CT_STR, G(vty_enable_password),
	  .def_str = "", .secret = true, .check_str = check_vty_password },
	{ "gateway.log_numbers", CT_BOOL, G(log_numbers), .def = 0 },
	{ "gateway.glossary", CT_STR, G(glossary_path),
	  .def_str = "glossary.conf", .min = 1 },
	{ "queue.max_attempts", CT_INT, G(max_attempts), .def = 8,
	  .min = 1, .max = 100 },
	{ "queue.retry_min", CT_INT, G(retry_min_s), .def = 2,
	  .min = 1, .max = 86400 },
	{ "queue.retry_max", CT_INT, G(retry_max_s), .def = 600,
	  .min = 1, .max = 86400 },
	{ "queue.validity", CT_INT, G(validity_s), .def = 86400,
	  .min = 60, .max = 7 * 86400 },
	{ "queue.batch", CT_INT, G(batch), .def = 512, .min = 1, .max = 65536 },
	{ "queue.poll_ms", CT_INT, G(poll_ms), .def = 500,
	  .min = 10, .max = 60000 },
	{ "queue.max_parts", CT_INT, G(max_parts), .def = 8,
	  .min = 1, .max = 255 },
	{ "text.concat_timeout", CT_INT, G(concat_timeout_s), .def = 120,
	  .min = 1, .max = 86400 },
	{ "commands.enabled", CT_BOOL, G(cmd_enabled), .def = 0 },
	{ "commands.messages", CT_STR, G(messages_path),
	  .def_str = "messages.conf", .min = 1 },
	{ "commands.rate_limit", CT_INT, G(rate_limit), .def = 10,
	  .min = 1, .max = 10000 },
	{ "commands.rate_window", CT_INT, G(rate_window_s), .def = 60,
	  .min = 1, .max = 86400 },
	{ "commands.register_max_failures", CT_INT, G(reg_max_failures),
	  .def = 5, .min = 1, .max = 100 },
	{ "commands.list_parts", CT_INT, G(list_parts), .def = 3,
	  .min = 1, .max = CHARSET_MAX_PARTS },
	{ "commands.hotline", CT_STR, G(hotline), .def_str = "12333",
	  .min = 1, .check_str = check_phone },
	/* no default text here: what workers read lives in conf/ */
	{ "commands.signature", CT_STR, G(signature), .def_str = "" },
	{ "ussd.enabled", CT_BOOL, G(ussd.enabled), .def = 0 },
	{ "ussd.menu", CT_STR, G(ussd.menu_path), .def_str = "ussd_menu.conf",
	  .min = 1 },
	{ "ussd.service_code", CT_STR, G(ussd.service_code),
	  .def_str = "*12333#", .min = 1, .check_str = check_ussd_code },
	{ "ussd.guard_timeout", CT_INT, G(ussd.guard_s), .def = 60,
	  .min = 1, .max = 3600 },
	{ "ussd.session_max", CT_INT, G(ussd.cap_s), .def = 180,
	  .min = 1, .max = 86400 },
	{ "ussd.max_sessions", CT_INT, G(ussd.max_sessions), .def = 10000,
	  .min = 1, .max = 1000000 },
	{ "ussd.screen_gsm", CT_INT, G(ussd.screen_gsm), .def = 182,
	  .min = 40, .max = SMPP_SM_MAX },
	{ "ussd.screen_ucs2", CT_INT, G(ussd.screen_ucs2), .def = 80,
	  .min = 20, .max = SMPP_SM_MAX / 2 },
	{ "ussd.notify_timeout", CT_BOOL, G(ussd.notify_timeout), .def = 1 },
	{ "ussd.http.enabled", CT_BOOL, G(ussd.http_enabled), .def = 0 },
	{ "ussd.http.address", CT_STR, G(ussd.http_addr),
	  .def_str = "127.0.0.1", .min = 1, .check_str = check_ip },
	{ "ussd.http.port", CT_INT, G(ussd.http_port), .def = 8090,
	  .min = 1, .max = 65535 },
	{ "ussd.http.allow", CT_LIST, .read_list = read_allow,
	  .dump_list = dump_allow },
	{ "ussd.http.secret", CT_STR, G(ussd.secret), .def_str = "",
	  .secret = true },
	{ "ussd.http.secret_header", CT_STR, G(ussd.secret_header),
	  .def_str = "X-USSD-Secret", .min = 1, .check_str = check_header },
	{ "ussd.http.max_body", CT_INT, G(ussd.max_body), .def = 4096,
	  .min = 256, .max = 65536 },
	{ "ussd.http.max_connections", CT_INT, G(ussd.http_max_conns),
	  .def = 256, .min = 1, .max = 10000 },
	{ "api.enabled", CT_BOOL, G(api.enabled), .def = 0 },
	{ "api.address", CT_STR, G(api.addr), .def_str = "127.0.0.1",
	  .min = 1, .check_str = check_host_ip },
	{ "api.port", CT_INT, G(api.port), .def = 8080, .min = 1,
	  .max = 65535 },
	{ "api.cert", CT_STR, G(api.cert), .def_str = "" },
	{ "api.key", CT_STR, G(api.key), .def_str = "" },
	{ "api.max_body", CT_INT, G(api.max_body), .def = 1048576,
	  .min = 1024, .max = 64 * 1048576 },
	{ "api.max_upload", CT_INT, G(api.max_upload), .def = 512 * 1048576,
	  .min = 1024, .max = 2047 * 1048576LL },
	{ "api.max_connections", CT_INT, G(api.max_conns), .def = 64,
	  .min = 1, .max = 10000 },
	{ "api.session_idle", CT_INT, G(api.session_idle_s), .def = 1800,
	  .min = 60, .max = 86400 },
	{ "api.lockout_failures", CT_INT, G(api.lockout_failures), .def = 5,
	  .min = 1, .max = 100 },
	{ "api.lockout_minutes", CT_INT, G(api.lockout_min), .def = 15,
	  .min = 1, .max = 1440 },
	{ "api.console_dir", CT_STR, G(api.console_dir),
	  .def_str = SKILLGW_DATADIR "/console" },
	/* no default text here either: the hint lives in conf/ */
	{ "notices.optout_hint", CT_STR, G(optout_hint), .def_str = "" },
	{ "notices.max_parts", CT_INT, G(notice_max_parts), .def = 3,
	  .min = 1, .max = CHARSET_MAX_PARTS },
	{ "notices.bulk_share", CT_INT, G(bulk_share), .def = 80,
	  .min = 1, .max = 100 },
	{ "notices.quiet_start", CT_STR, G(quiet_start), .def_str = "21:00",
	  .min = 1, .check_str = check_hhmm },
	{ "notices.quiet_end", CT_STR, G(quiet_end), .def_str = "08:00",
	  .min = 1, .check_str = check_hhmm },
	{ "notices.timezone", CT_STR, G(timezone), .def_str = "Asia/Shanghai",
	  .min = 1, .check_str = check_timezone },
	{ "notices.batch", CT_INT, G(notice_batch), .def = 500,
	  .min = 1, .max = 100000 },
	{ "notices.ahead", CT_INT, G(notice_ahead), .def = 2000,
	  .min = 1, .max = 10000000 },
	{ "notices.scan", CT_INT, G(notice_scan), .def = 1000,
	  .min = 100, .max = 1000000 },
	{ "notices.tick_ms", CT_INT, G(notice_tick_ms), .def = 50,
	  .min = 10, .max = 10000 },
	{ "notify.enabled", CT_BOOL, G(notify.enabled), .def = 1 },
	{ "notify.share", CT_INT, G(notify_share), .def = 15,
	  .min = 1, .max = 100 },
	{ "notify.reminder_days", CT_INT, G(notify.reminder_days), .def = 1,
	  .min = 0, .max = 30 },
	{ "notify.reminder_at", CT_STR, G(notify.reminder_at),
	  .def_str = "09:00", .min = 1, .check_str = check_hhmm },
	{ "notify.respect_optout", CT_BOOL, G(notify.respect_optout),
	  .def = 0 },
	{ "notify.batch", CT_INT, G(notify.batch), .def = 200,
	  .min = 1, .max = 100000 },
	{ "quality.enabled", CT_BOOL, G(quality.enabled), .def = 1 },
	{ "quality.class_hours", CT_STR, G(quality.class_hours),
	  .def_str = "08:30-17:30", .min = 1, .check_str = check_hours },
	{ "quality.check_delay", CT_INT, G(quality.check_delay_min),
	  .def = 30, .min = 0, .max = 240 },
	{ "quality.answer_days", CT_INT, G(quality.answer_days), .def = 30,
	  .min = 1, .max = 90 },
	{ "quality.change_days", CT_INT, G(quality.change_days), .def = 7,
	  .min = 0, .max = 30 },
	{ "quality.late_days", CT_INT, G(quality.late_days), .def = 14,
	  .min = 1, .max = 60 },
	{ "quality.followup_months", CT_LIST, .read_list = read_rounds,
	  .dump_list = dump_rounds },
	{ "quality.respect_optout", CT_BOOL, G(quality.respect_optout),
	  .def = 1 },
	{ "quality.batch", CT_INT, G(quality.batch), .def = 200,
	  .min = 1, .max = 100000 },
};

/* The members of one group of the links list. */
static const struct cfg_item link_items[] = {
	{ "name", CT_STR, L(name), .min = 1, .required = true,
	  .check_str = check_name },
	{ "host", CT_STR, L(host), .min = 1, .required = true },
	{ "port", CT_INT, L(port), .def = 2775, .min = 1, .max = 65535 },
	{ "system_id", CT_STR, L(system_id), .def_str = "skillgw", .min = 1 },
	{ "password", CT_STR, L(password), .min = 1, .required = true,
	  .secret = true },
	{ "system_type", CT_STR, L(system_type), .def_str = "" },
	{ "bind", CT_ENUM, L(bind), .def = CONFIG_BIND_TRX,
	  .words = bind_words },
	{ "address_range", CT_STR, L(address_range), .def_str = "" },
	{ "source_addr", CT_STR, L(source_addr), .def_str = "12333" },
	{ "source_ton", CT_INT, L(source_ton), .def = 0, .min = 0, .max = 6 },
	{ "source_npi", CT_INT, L(source_npi), .def = 1, .min = 0, .max = 255,
	  .check_int = check_npi },
	{ "dest_ton", CT_INT, L(dest_ton), .def = 1, .min = 0, .max = 6 },
	{ "dest_npi", CT_INT, L(dest_npi), .def = 1, .min = 0, .max = 255,
	  .check_int = check_npi },
	{ "window", CT_INT, L(window), .def = 10, .min = 1, .max = 1000 },
	{ "max_tps", CT_INT, L(max_tps), .def = 200, .min = 0, .max = 100000 },
	{ "enquire_link", CT_INT, L(enquire_link_s), .def = 30,
	  .min = 1, .max = 3600 },
	{ "inactivity", CT_INT, L(inactivity_s), .def = 120,
	  .min = 1, .max = 86400 },
	{ "response_timeout", CT_INT, L(response_timeout_s), .def = 10,
	  .min = 1, .max = 300 },
	{ "reconnect_min", CT_INT, L(reconnect_min_s), .def = 1,
	  .min = 1, .max = 3600 },
	{ "reconnect_max", CT_INT, L(reconnect_max_s), .def = 60,
	  .min = 1, .max = 86400 },
	{ "throttle_pause_ms", CT_INT, L(throttle_pause_ms), .def = 500,
	  .min = 10, .max = 60000 },
	{ "gsm_data_coding", CT_INT, L(gsm_data_coding), .def = 0,
	  .min = 0, .max = 255 },
	{ "long_messages", CT_ENUM, L(long_method), .def = CONFIG_LONG_UDH,
	  .words = long_words },
	{ "submit_id_format", CT_ENUM, L(submit_id_fmt), .def = CONFIG_ID_ASIS,
	  .words = id_fmt_words },
	{ "dlr_id_format", CT_ENUM, L(dlr_id_fmt), .def = CONFIG_ID_ASIS,
	  .words = id_fmt_words },
	{ "registered_delivery", CT_BOOL, L(registered_delivery), .def = 1 },
	{ "default", CT_BOOL, L(is_default), .def = 0 },
	{ "prefixes", CT_LIST, .read_list = read_prefixes,
	  .dump_list = dump_prefixes },
	{ "ussd.session_key", CT_ENUM, L(ussd.key),
	  .def = CONFIG_USSD_KEY_MSISDN, .words = ussd_key_words },
	{ "ussd.op_begin", CT_INT, L(ussd.op_begin), .def = 1,
	  .min = 0, .max = 255 },
	{ "ussd.op_continue", CT_INT, L(ussd.op_continue), .def = 18,
	  .min = 0, .max = 255 },
	{ "ussd.op_show", CT_INT, L(ussd.op_show), .def = 2,
	  .min = 0, .max = 255 },
	{ "ussd.op_end", CT_INT, L(ussd.op_end), .def = 17,
	  .min = 0, .max = 255 },
	{ "ussd.release_ops", CT_LIST, .read_list = read_release_ops,
	  .dump_list = dump_release_ops },
};

static const struct cfg_table config_table = {
	config_items, sizeof(config_items) / sizeof(config_items[0]), "links"
};

static const struct cfg_table link_table = {
	link_items, sizeof(link_items) / sizeof(link_items[0]), NULL
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

/* "a" + "b" -> "a.b"; either may be empty. Too long ends in "...". */
static void path_join(char *buf, size_t cap, const char *a, const char *b)
{
	if (snprintf(buf, cap, "%s%s%s", a, *a && *b ? "." : "", b)
	    >= (int)cap)
		memcpy(buf + cap - 4, "...", 4);
}

/* s in double quotes with libconfig escapes, cut with "..." to fit cap. */
static const char *quote(char *buf, size_t cap, const char *s)
{
	size_t o = 0;

	/* a character takes up to 4, then "..." and '"' and NUL: 9 */
	assert(cap >= 16);
	buf[o++] = '"';
	for (; *s && o + 9 < cap; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			o += snprintf(buf + o, cap - o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			o += snprintf(buf + o, cap - o, "\\x%02x", c);
		else
			buf[o++] = c;
	}
	if (*s)
		o += snprintf(buf + o, cap - o, "...");
	snprintf(buf + o, cap - o, "\"");
	return buf;
}

static void words_list(char *buf, size_t cap, const struct cfg_word *w)
{
	size_t o = 0;

	buf[0] = '\0';
	for (; w->word && o < cap; w++)
		o += snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", w->word);
}

static const char *word_of(const struct cfg_word *w, int value)
{
	for (; w->word; w++)
		if (w->value == value)
			return w->word;
	return "?";
}

static void put_uint(void *p, size_t size, long long v)
{
	uint8_t u8 = v;
	uint16_t u16 = v;
	uint32_t u32 = v;

	switch (size) {
	case 1: memcpy(p, &u8, 1); break;
	case 2: memcpy(p, &u16, 2); break;
	case 4: memcpy(p, &u32, 4); break;
	default: assert(!"field size");
	}
}

static long long get_uint(const void *p, size_t size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	switch (size) {
	case 1: memcpy(&u8, p, 1); return u8;
	case 2: memcpy(&u16, p, 2); return u16;
	case 4: memcpy(&u32, p, 4); return u32;
	default: assert(!"field size"); return 0;
	}
}

/* The deepest existing group on the way from base to rel: where a missing
 * setting is reported. */
static const config_setting_t *enclosing(const config_setting_t *base,
					 const char *rel)
{
	const config_setting_t *g = base;
	char part[PATH_LEN];
	size_t n;

	while ((n = strcspn(rel, ".")) && rel[n] == '.' && n < sizeof(part)) {
		const config_setting_t *c;

		memcpy(part, rel, n);
		part[n] = '\0';
		c = config_setting_get_member(g, part);
		if (!c || !config_setting_is_group(c))
			break;
		g = c;
		rel += n + 1;
	}
	return g;
}

static const config_setting_t *lookup(const config_setting_t *base,
				      const char *rel)
{
	return config_setting_lookup((config_setting_t *)base, rel);
}

/* ------------------------------------------------------------------ */
/* Reporting                                                           */

static void report(struct load *ld, const config_setting_t *s,
		   const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A free slot in ld->rep, or NULL when memory is short. */
static struct report_line *report_slot(struct load *ld)
{
	struct report_line *r;
	size_t cap;

	if (ld->n_rep < ld->rep_cap)
		return &ld->rep[ld->n_rep++];
	cap = ld->rep_cap ? 2 * ld->rep_cap : 16;
	r = realloc(ld->rep, cap * sizeof(*r));
	if (!r)
		return NULL;
	ld->rep = r;
	ld->rep_cap = cap;
	return &ld->rep[ld->n_rep++];
}

/* Count one error at the line of s; it is printed by report_flush() as
 * "FILE:LINE: path: message". */
static void report(struct load *ld, const config_setting_t *s,
		   const char *path, const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	struct report_line *r = ld->err ? report_slot(ld) : NULL;
	char text[MSG_LEN];
	size_t n;
	va_list ap;

	n = snprintf(text, sizeof(text), "%s: ", path);
	va_start(ap, fmt);
	if (n < sizeof(text))
		vsnprintf(text + n, sizeof(text) - n, fmt, ap);
	va_end(ap);
	file = file ? file : ld->file;
	if (r) {
		r->file = file;
		r->line = s ? config_setting_source_line(s) : 0;
		r->seq = ld->n_err;
		memcpy(r->text, text, sizeof(text));
	} else if (ld->err) {
		fprintf(ld->err, "%s:%u: %s\n", file,
			s ? config_setting_source_line(s) : 0, text);
	}
	ld->n_err++;
}

static int report_cmp(const void *a, const void *b)
{
	const struct report_line *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq - y->seq;
}

/* Print the errors in file and line order; before config_destroy(), which
 * frees the file names. */
static void report_flush(struct load *ld)
{
	size_t i;

	if (ld->n_rep)
		qsort(ld->rep, ld->n_rep, sizeof(*ld->rep), report_cmp);
	for (i = 0; i < ld->n_rep; i++)
		fprintf(ld->err, "%s:%u: %s\n", ld->rep[i].file,
			ld->rep[i].line, ld->rep[i].text);
	free(ld->rep);
	ld->rep = NULL;
	ld->n_rep = ld->rep_cap = 0;
}

/* ------------------------------------------------------------------ */
/* The generic loops: defaults, unknown members, reading               */

static void apply_defaults(const struct cfg_table *t, void *obj)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct cfg_item *it = &t->items[i];
		char *field = (char *)obj + it->off;

		switch (it->type) {
		case CT_INT:
		case CT_ENUM:
			put_uint(field, it->size, it->def);
			break;
		case CT_BOOL:
			*(bool *)field = it->def;
			break;
		case CT_STR:
			snprintf(field, it->size, "%s",
				 it->def_str ? it->def_str : "");
			break;
		case CT_LIST:
			break;	/* empty: the struct was zeroed */
		}
	}
}

enum key_kind { KEY_UNKNOWN, KEY_LEAF, KEY_GROUP };

/* Is rel a setting of t, a group that contains settings of t, or neither? */
static enum key_kind key_kind(const struct cfg_table *t, const char *rel)
{
	size_t i, n = strlen(rel);

	for (i = 0; i < t->n; i++) {
		const char *p = t->items[i].path;

		if (!strcmp(p, rel))
			return KEY_LEAF;
		if (!strncmp(p, rel, n) && p[n] == '.')
			return KEY_GROUP;
	}
	return KEY_UNKNOWN;
}

/* Report every member of group (at path rel below the table's base) that the
 * table does not describe, and every group that is not a group. */
static void check_keys(struct load *ld, const config_setting_t *group,
		       const char *label, const char *rel,
		       const struct cfg_table *t)
{
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		char crel[PATH_LEN], full[PATH_LEN];

		path_join(crel, sizeof(crel), rel, config_setting_name(s));
		path_join(full, sizeof(full), label, crel);
		if (t->skip && !strcmp(crel, t->skip))
			continue;
		switch (key_kind(t, crel)) {
		case KEY_LEAF:
			break;	/* its type is checked when it is read */
		case KEY_GROUP:
			if (config_setting_is_group(s))
				check_keys(ld, s, label, crel, t);
			else
				report(ld, s, full, "must be a group { ... }");
			break;
		case KEY_UNKNOWN:
			report(ld, s, full, "unknown setting");
			break;
		}
	}
}

static void read_int(struct load *ld, const config_setting_t *s,
		     const char *path, const struct cfg_item *it, void *field)
{
	const char *why;
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		report(ld, s, path, "must be an integer");
		return;
	}
	v = config_setting_get_int64(s);
	if (v < it->min || v > it->max) {
		report(ld, s, path, "%lld is out of range %lld..%lld",
		       v, it->min, it->max);
		return;
	}
	if (it->check_int && (why = it->check_int(v))) {
		report(ld, s, path, "%lld %s", v, why);
		return;
	}
	put_uint(field, it->size, v);
}

static void read_bool(struct load *ld, const config_setting_t *s,
		      const char *path, void *field)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		report(ld, s, path, "must be true or false");
		return;
	}
	*(bool *)field = config_setting_get_bool(s);
}

/* A string value as an error message shows it: quoted, or not at all for
 * a secret (passwords never reach a terminal or a log). */
static const char *shown(char *q, size_t cap, const struct cfg_item *it,
			 const char *v)
{
	return it->secret ? "the value" : quote(q, cap, v);
}

static void read_str(struct load *ld, const config_setting_t *s,
		     const char *path, const struct cfg_item *it, void *field)
{
	char q[QUOTE_LEN];
	const char *v, *why;
	size_t len;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report(ld, s, path, "must be a string in double quotes");
		return;
	}
	v = config_setting_get_string(s);
	len = strlen(v);
	if (len >= it->size) {
		report(ld, s, path, "%s is longer than %zu characters",
		       shown(q, sizeof(q), it, v), it->size - 1);
	} else if (len < (size_t)it->min) {
		report(ld, s, path, "must not be empty");
	} else if (it->check_str && (why = it->check_str(v))) {
		report(ld, s, path, "%s %s", shown(q, sizeof(q), it, v), why);
	} else {
		memcpy(field, v, len + 1);
	}
}

static void read_enum(struct load *ld, const config_setting_t *s,
		      const char *path, const struct cfg_item *it, void *field)
{
	char words[128], q[QUOTE_LEN];
	const struct cfg_word *w;
	const char *v;

	words_list(words, sizeof(words), it->words);
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		report(ld, s, path, "must be one of %s, in double quotes",
		       words);
		return;
	}
	v = config_setting_get_string(s);
	for (w = it->words; w->word; w++) {
		if (!strcmp(w->word, v)) {
			put_uint(field, it->size, w->value);
			return;
		}
	}
	report(ld, s, path, "%s is not one of %s", quote(q, sizeof(q), v),
	       words);
}

/* One row of a table: find it below base, check it, store it into obj. */
static void read_item(struct load *ld, const config_setting_t *base,
		      const char *label, const struct cfg_item *it, void *obj)
{
	const config_setting_t *s = lookup(base, it->path);
	char *field = (char *)obj + it->off;
	char path[PATH_LEN];

	path_join(path, sizeof(path), label, it->path);
	if (!s) {
		if (it->required)
			report(ld, enclosing(base, it->path), path,
			       "required setting is missing");
		return;
	}
	switch (it->type) {
	case CT_INT:
		read_int(ld, s, path, it, field);
		break;
	case CT_BOOL:
		read_bool(ld, s, path, field);
		break;
	case CT_STR:
		read_str(ld, s, path, it, field);
		break;
	case CT_ENUM:
		read_enum(ld, s, path, it, field);
		break;
	case CT_LIST:
		it->read_list(ld, s, path, obj);
		break;
	}
}

static void read_table(struct load *ld, const config_setting_t *base,
		       const char *label, const struct cfg_table *t, void *obj)
{
	size_t i;

	check_keys(ld, base, label, "", t);
	for (i = 0; i < t->n; i++)
		read_item(ld, base, label, &t->items[i], obj);
}

/* lo <= hi for two settings of one table; reported at whichever is given. */
static void check_order(struct load *ld, const config_setting_t *base,
			const char *label, const char *lo_path, unsigned lo,
			const char *hi_path, unsigned hi)
{
	const config_setting_t *s = lookup(base, lo_path);
	char path[PATH_LEN];

	if (lo <= hi)
		return;
	if (!s)
		s = lookup(base, hi_path);
	if (!s)
		s = enclosing(base, lo_path);
	path_join(path, sizeof(path), label, lo_path);
	report(ld, s, path, "%u is greater than %s (%u)", lo, hi_path, hi);
}

/* ------------------------------------------------------------------ */
/* Links                                                               */

/* Do two prefixes take the same international numbers? "134" and "86134"
 * do when the country code is "86". */
static bool same_route(const char *cc, const char *p, const char *q)
{
	size_t lc = strlen(cc);

	return !strcmp(p, q) ||
	       (lc && !strncmp(p, cc, lc) && !strcmp(p + lc, q)) ||
	       (lc && !strncmp(q, cc, lc) && !strcmp(q + lc, p));
}

/* The link that already routes what prefix p routes: the same string in any
 * link, or its equivalent with or without the country code in another
 * link (routing would depend on the order of the links). *other gets the
 * prefix found. NULL when p is new. */
static const char *prefix_owner(struct load *ld, const char *p,
				const char **other)
{
	const char *cc = ld->cfg->country_code;
	unsigned i, j;

	for (i = 0; i <= ld->cur; i++) {
		const struct config_link *l = &ld->cfg->link[i];

		for (j = 0; j < l->n_prefixes; j++) {
			*other = l->prefixes[j];
			if (!strcmp(*other, p) ||
			    (i < ld->cur && same_route(cc, *other, p)))
				return ld->link_label[i];
		}
	}
	return NULL;
}

static void read_prefix(struct load *ld, const config_setting_t *el,
			const char *path, struct config_link *l)
{
	const char *p, *owner, *other;
	char q[QUOTE_LEN];

	if (config_setting_type(el) != CONFIG_TYPE_STRING) {
		report(ld, el, path, "must be a string of digits in quotes");
		return;
	}
	p = config_setting_get_string(el);
	quote(q, sizeof(q), p);
	if (!*p || check_digits(p))
		report(ld, el, path, "%s is not a string of digits", q);
	else if (strlen(p) >= PREFIX_LEN)
		report(ld, el, path, "%s is longer than %zu digits", q,
		       PREFIX_LEN - 1);
	else if ((owner = prefix_owner(ld, p, &other)) && !strcmp(p, other))
		report(ld, el, path, "%s is already a prefix of %s", q, owner);
	else if (owner)
		report(ld, el, path, "%s takes the same numbers as \"%s\" of %s",
		       q, other, owner);
	else
		memcpy(l->prefixes[l->n_prefixes++], p, strlen(p) + 1);
}

/* prefixes = [ "134", "135" ]: digit strings, unique over all links. */
static void read_prefixes(struct load *ld, const config_setting_t *s,
			  const char *path, void *obj)
{
	char epath[PATH_LEN];
	int i, n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		report(ld, s, path, "must be a list of digit strings, "
		       "e.g. [ \"134\", \"135\" ]");
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(s, i);

		snprintf(epath, sizeof(epath), "%s.[%d]", path, i);
		if (i >= CONFIG_MAX_PREFIXES) {
			report(ld, el, path, "more than %d prefixes",
			       CONFIG_MAX_PREFIXES);
			return;
		}
		read_prefix(ld, el, epath, obj);
	}
}

/* "links.NAME" when the name is valid and not taken, else "links.[i]". */
static void link_label(struct load *ld, const config_setting_t *g,
		       unsigned idx, char *label, size_t cap)
{
	const char *name;
	unsigned j;

	if (!config_setting_lookup_string(g, "name", &name) ||
	    !*name || strlen(name) >= CONFIG_NAME_MAX || check_name(name))
		goto by_index;
	for (j = 0; j < idx; j++)
		if (!strcmp(ld->cfg->link[j].name, name))
			goto by_index;
	snprintf(label, cap, "links.%s", name);
	return;
by_index:
	snprintf(label, cap, "links.[%u]", idx);
}

static void load_link(struct load *ld, const config_setting_t *g,
		      unsigned idx)
{
	struct config_link *l = &ld->cfg->link[idx];
	char *label = ld->link_label[idx];

	ld->cur = idx;
	ld->link_set[idx] = g;
	link_label(ld, g, idx, label, sizeof(ld->link_label[idx]));
	apply_defaults(&link_table, l);
	read_table(ld, g, label, &link_table, l);
	check_order(ld, g, label, "reconnect_min", l->reconnect_min_s,
		    "reconnect_max", l->reconnect_max_s);
	check_link_ussd(ld, g, label, &l->ussd);
	if (l->inactivity_s <= l->enquire_link_s) {
		const config_setting_t *s = lookup(g, "inactivity");
		char path[PATH_LEN];

		path_join(path, sizeof(path), label, "inactivity");
		report(ld, s ? s : g, path, "%u must be greater than "
		       "enquire_link (%u)", l->inactivity_s, l->enquire_link_s);
	}
}

/* Link names are unique: a clash is reported at the later name. */
static void check_link_names(struct load *ld)
{
	const struct config *cfg = ld->cfg;
	unsigned i, j;

	for (i = 1; i < cfg->n_links; i++) {
		for (j = 0; j < i; j++) {
			const config_setting_t *s;
			char path[PATH_LEN];

			if (!cfg->link[i].name[0] ||
			    strcmp(cfg->link[i].name, cfg->link[j].name))
				continue;
			s = lookup(ld->link_set[i], "name");
			path_join(path, sizeof(path), ld->link_label[i], "name");
			report(ld, s, path, "duplicate link name \"%s\" "
			       "(first at line %u)", cfg->link[i].name,
			       config_setting_source_line(ld->link_set[j]));
			break;
		}
	}
}

/* At most one link is the default. */
static void check_link_default(struct load *ld)
{
	const struct config *cfg = ld->cfg;
	int first = -1;
	unsigned i;

	for (i = 0; i < cfg->n_links; i++) {
		char path[PATH_LEN];

		if (!cfg->link[i].is_default)
			continue;
		if (first < 0) {
			first = i;
			continue;
		}
		path_join(path, sizeof(path), ld->link_label[i], "default");
		report(ld, lookup(ld->link_set[i], "default"), path,
		       "%s is already the default link",
		       ld->link_label[first]);
	}
}

static void load_links(struct load *ld, const config_setting_t *root)
{
	const config_setting_t *list = config_setting_get_member(root, "links");
	int i, n;

	if (!list)
		return;
	n = config_setting_length(list);
	if (!config_setting_is_list(list) &&
	    !(config_setting_is_array(list) && n == 0)) {
		report(ld, list, "links", "must be a list ( { ... }, ... )");
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		char path[PATH_LEN];

		snprintf(path, sizeof(path), "links.[%d]", i);
		if (i >= CONFIG_MAX_LINKS) {
			report(ld, g, path, "more than %d links",
			       CONFIG_MAX_LINKS);
			break;
		}
		if (!config_setting_is_group(g)) {
			report(ld, g, path, "must be a group { ... }");
			continue;
		}
		load_link(ld, g, ld->cfg->n_links++);
	}
	check_link_names(ld);
	check_link_default(ld);
}

/* ------------------------------------------------------------------ */
/* USSD                                                                */

/* What a subscriber dials: digits, '*' and '#' (*12333#). */
static const char *check_ussd_code(const char *s)
{
	return s[strspn(s, "0123456789*#")] ?
	       "is not a USSD code (digits, * and #)" : NULL;
}

/* An IPv4 or IPv6 address, optionally with a /prefix length. */
static const char *check_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char addr[48];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int max = strchr(s, ':') ? 128 : 32;
	char *end;
	long bits;

	if (n >= sizeof(addr))
		return "is not an IP address";
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(max == 32 ? AF_INET : AF_INET6, addr, buf) != 1)
		return "is not an IP address";
	if (!slash)
		return NULL;
	bits = strtol(slash + 1, &end, 10);
	return *end || end == slash + 1 || bits < 0 || bits > max ?
	       "has a bad /prefix length" : NULL;
}

/* An IPv4 or IPv6 address to listen on (no /prefix). */
static const char *check_host_ip(const char *s)
{
	return strchr(s, '/') ? "is not an IP address" : check_ip(s);
}

/* An HTTP header name (RFC 9110 token characters). */
static const char *check_header(const char *s)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789!#$%&'*+-.^_`|~";

	return s[strspn(s, ok)] ? "is not an HTTP header name" : NULL;
}

/* allow = [ "127.0.0.1", "10.0.0.0/8" ]: who may call the HTTP endpoint.
 * Missing or empty: the loopback addresses only (gateway/ussd/http.c). */
static void read_allow(struct load *ld, const config_setting_t *s,
		       const char *path, void *obj)
{
	struct config_ussd *u = &((struct config *)obj)->ussd;
	char epath[PATH_LEN], q[QUOTE_LEN];
	int i, n = config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		report(ld, s, path, "must be a list of addresses, "
		       "e.g. [ \"127.0.0.1\", \"10.0.0.0/8\" ]");
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(el);

		snprintf(epath, sizeof(epath), "%s.[%d]", path, i);
		if (i >= CONFIG_HTTP_ALLOW_MAX)
			report(ld, el, path, "more than %d addresses",
			       CONFIG_HTTP_ALLOW_MAX);
		else if (!v)
			report(ld, el, epath, "must be an address in quotes");
		else if (check_ip(v) || strlen(v) >= sizeof(u->allow[0]))
			report(ld, el, epath, "%s %s", quote(q, sizeof(q), v),
			       check_ip(v) ? check_ip(v) : "is too long");
		else
			memcpy(u->allow[u->n_allow++], v, strlen(v) + 1);
		if (i >= CONFIG_HTTP_ALLOW_MAX)
			return;
	}
}

static void dump_allow(FILE *out, const void *obj)
{
	const struct config_ussd *u = &((const struct config *)obj)->ussd;
	unsigned i;

	fputc('[', out);
	for (i = 0; i < u->n_allow; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : " ", u->allow[i]);
	fputs(u->n_allow ? " ]" : "]", out);
}

/* release_ops = [ 32 ]: ussd_service_op values that end a dialogue at once
 * (a user abort, a network release), whatever the vendor calls them. */
static void read_release_ops(struct load *ld, const config_setting_t *s,
			     const char *path, void *obj)
{
	struct config_link_ussd *u = &((struct config_link *)obj)->ussd;
	char epath[PATH_LEN];
	int i, n = config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		report(ld, s, path, "must be a list of numbers, e.g. [ 32 ]");
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(s, i);
		int t = config_setting_type(el);
		long long v = config_setting_get_int64(el);

		snprintf(epath, sizeof(epath), "%s.[%d]", path, i);
		if (i >= CONFIG_USSD_RELEASE_MAX) {
			report(ld, el, path, "more than %d ops",
			       CONFIG_USSD_RELEASE_MAX);
			return;
		}
		if ((t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) ||
		    v < 0 || v > 255)
			report(ld, el, epath, "must be an integer 0..255");
		else
			u->release[u->n_release++] = v;
	}
}

static void dump_release_ops(FILE *out, const void *obj)
{
	const struct config_link_ussd *u = &((const struct config_link *)obj)->ussd;
	unsigned i;

	fputc('[', out);
	for (i = 0; i < u->n_release; i++)
		fprintf(out, "%s%u", i ? ", " : " ", u->release[i]);
	fputs(u->n_release ? " ]" : "]", out);
}

/* followup_months = [ 3, 6 ]: the employment follow-up rounds, months
 * after a course ends, rising; [] asks none. Missing: the default. */
static void read_rounds(struct load *ld, const config_setting_t *s,
			const char *path, void *obj)
{
	struct config_quality *qc = &((struct config *)obj)->quality;
	char epath[PATH_LEN];
	int i, n = config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		report(ld, s, path, "must be a list of months, e.g. [ 3, 6 ]");
		return;
	}
	qc->n_rounds = 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(s, i);
		int t = config_setting_type(el);
		long long v = config_setting_get_int64(el);

		snprintf(epath, sizeof(epath), "%s.[%d]", path, i);
		if (i >= CONFIG_ROUNDS_MAX) {
			report(ld, el, path, "more than %d rounds",
			       CONFIG_ROUNDS_MAX);
			return;
		}
		if ((t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) ||
		    v < 1 || v > 36)
			report(ld, el, epath, "must be a number of months 1..36");
		else if (qc->n_rounds && v <= qc->rounds[qc->n_rounds - 1])
			report(ld, el, epath, "must be more than the round "
			       "before it");
		else
			qc->rounds[qc->n_rounds++] = v;
	}
}

static void dump_rounds(FILE *out, const void *obj)
{
	const struct config_quality *qc = &((const struct config *)obj)->quality;
	unsigned i;

	fputc('[', out);
	for (i = 0; i < qc->n_rounds; i++)
		fprintf(out, "%s%u", i ? ", " : " ", qc->rounds[i]);
	fputs(qc->n_rounds ? " ]" : "]", out);
}

/* Privileged VTY commands (link stop/start) reachable from other hosts
 * must ask for a password. */
static void check_vty_access(struct load *ld, const config_setting_t *root)
{
	const struct config *c = ld->cfg;

	if (c->vty_port == 0 || c->vty_enable_password[0] ||
	    config_addr_is_loopback(c->vty_addr))
		return;
	report(ld, lookup(root, "gateway.vty"), "gateway.vty.enable_password",
	       "a password is required when vty.address (%s) is not a "
	       "loopback address", c->vty_addr);
}

/* Chinese mobile numbers are those of country code 86. */
static void check_numbers(struct load *ld, const config_setting_t *root)
{
	const config_setting_t *s = lookup(root, "gateway.numbers");
	const struct config *c = ld->cfg;

	if (c->numbers == MSISDN_PLAN_CN && strcmp(c->country_code, "86"))
		report(ld, s ? s : enclosing(root, "gateway.numbers"),
		       "gateway.numbers",
		       "\"cn\" (Chinese mobile numbers) needs country_code "
		       "\"86\", not \"%s\"; give \"e164\"", c->country_code);
}

/* The HTTP callback serves the USSD menus: it needs them on. */
static void check_ussd_http(struct load *ld, const config_setting_t *root)
{
	const config_setting_t *s = lookup(root, "ussd.http.enabled");

	if (ld->cfg->ussd.http_enabled && !ld->cfg->ussd.enabled)
		report(ld, s, "ussd.http.enabled", "true needs ussd.enabled");
}

/* The ops that arrive (begin, continue, release) must be told apart, and
 * so must the two that leave (show, end). */
static void check_link_ussd(struct load *ld, const config_setting_t *g,
			    const char *label,
			    const struct config_link_ussd *u)
{
	const config_setting_t *s = lookup(g, "ussd");
	char path[PATH_LEN];
	unsigned i;

	path_join(path, sizeof(path), label, "ussd");
	if (u->op_begin == u->op_continue)
		report(ld, s ? s : g, path, "op_begin and op_continue are "
		       "both %u", u->op_begin);
	if (u->op_show == u->op_end)
		report(ld, s ? s : g, path, "op_show and op_end are both %u",
		       u->op_show);
	for (i = 0; i < u->n_release; i++)
		if (u->release[i] == u->op_begin ||
		    u->release[i] == u->op_continue)
			report(ld, s ? s : g, path, "release op %u is also "
			       "op_begin or op_continue", u->release[i]);
}

bool config_addr_is_loopback(const char *addr)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!strcmp(addr, "localhost"))
		return true;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, addr, &a6) == 1 &&
	       IN6_IS_ADDR_LOOPBACK(&a6);
}

/* A file the API reads at start (certificate, key): readable? */
static void check_readable(struct load *ld, const config_setting_t *root,
			   const char *setting, const char *path)
{
	const config_setting_t *s = lookup(root, setting);
	FILE *f;

	if (!*path)
		return;
	f = fopen(path, "r");
	if (f) {
		fclose(f);
		return;
	}
	report(ld, s ? s : enclosing(root, setting), setting,
	       "cannot read %s: %s", path, strerror(errno));
}

/* TLS needs both files; the console directory must be one. */
static void check_api(struct load *ld, const config_setting_t *root)
{
	const struct config_api *a = &ld->cfg->api;
	const config_setting_t *g = lookup(root, "api");
	struct stat sb;

	if (!a->enabled)
		return;
	if (!*a->cert != !*a->key)
		report(ld, g, "api.cert", "TLS needs both api.cert and api.key "
		       "(or neither, for plain HTTP)");
	check_readable(ld, root, "api.cert", a->cert);
	check_readable(ld, root, "api.key", a->key);
	if (*a->console_dir && (stat(a->console_dir, &sb) < 0 ||
				!S_ISDIR(sb.st_mode)))
		report(ld, lookup(root, "api.console_dir") ?
		       lookup(root, "api.console_dir") : g, "api.console_dir",
		       "%s is not a directory (\"\" serves no console)",
		       a->console_dir);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

/* The database path is relative to the directory of the file. */
/* A relative path setting (field of CONFIG_PATH_MAX bytes) made relative
 * to the directory of the configuration file. */
static void resolve_path(struct load *ld, const config_setting_t *root,
			 const char *setting, char *field)
{
	char buf[CONFIG_PATH_MAX] = "";	/* all zero: the struct compares */
	const config_setting_t *s;

	if (field[0] == '/')
		return;
	if (snprintf(buf, sizeof(buf), "%s/%s", ld->dir, field)
	    < (int)sizeof(buf)) {
		memcpy(field, buf, sizeof(buf));
		return;
	}
	s = lookup(root, setting);
	report(ld, s ? s : enclosing(root, setting), setting,
	       "longer than %d characters once put below %s",
	       CONFIG_PATH_MAX - 1, ld->dir);
}

static void load_root(struct load *ld, const config_setting_t *root)
{
	struct config *cfg = ld->cfg;

	read_table(ld, root, "", &config_table, cfg);
	check_order(ld, root, "", "queue.retry_min", cfg->retry_min_s,
		    "queue.retry_max", cfg->retry_max_s);
	check_order(ld, root, "", "commands.list_parts", cfg->list_parts,
		    "queue.max_parts", cfg->max_parts);
	resolve_path(ld, root, "gateway.database", cfg->db_path);
	resolve_path(ld, root, "gateway.glossary", cfg->glossary_path);
	if (cfg->log_file[0])
		resolve_path(ld, root, "gateway.log_file", cfg->log_file);
	resolve_path(ld, root, "commands.messages", cfg->messages_path);
	check_order(ld, root, "", "ussd.guard_timeout", cfg->ussd.guard_s,
		    "ussd.session_max", cfg->ussd.cap_s);
	check_ussd_http(ld, root);
	check_vty_access(ld, root);
	check_numbers(ld, root);
	resolve_path(ld, root, "ussd.menu", cfg->ussd.menu_path);
	if (cfg->api.cert[0])
		resolve_path(ld, root, "api.cert", cfg->api.cert);
	if (cfg->api.key[0])
		resolve_path(ld, root, "api.key", cfg->api.key);
	if (cfg->api.console_dir[0])
		resolve_path(ld, root, "api.console_dir", cfg->api.console_dir);
	check_api(ld, root);
	check_order(ld, root, "", "notices.max_parts", cfg->notice_max_parts,
		    "queue.max_parts", cfg->max_parts);
	load_links(ld, root);
}

/* The absolute directory of path when it can be found, else its dirname. */
static void file_dir(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');
	char raw[CONFIG_PATH_MAX], *abs;

	if (!slash)
		snprintf(raw, sizeof(raw), ".");
	else if (slash == path)
		snprintf(raw, sizeof(raw), "/");
	else
		snprintf(raw, sizeof(raw), "%.*s", (int)(slash - path), path);
	abs = realpath(raw, NULL);
	snprintf(dir, cap, "%s", abs && strlen(abs) < cap ? abs : raw);
	free(abs);
	if (!strcmp(dir, "/"))
		dir[0] = '\0';	/* so that "/" + "x" is "/x" */
}

/* The file exists and can be read; else a message and -ENOENT. */
static int open_check(struct load *ld, const char *path)
{
	FILE *f;

	if (strlen(path) >= CONFIG_PATH_MAX) {
		if (ld->err)
			fprintf(ld->err, "%s: path longer than %d characters\n",
				path, CONFIG_PATH_MAX - 1);
		return -ENOENT;
	}
	f = fopen(path, "r");
	if (!f) {
		if (ld->err)
			fprintf(ld->err, "%s: cannot read: %s\n", path,
				strerror(errno));
		return -ENOENT;
	}
	fclose(f);
	return 0;
}

static int parse_error(struct load *ld, const config_t *cf)
{
	const char *file = config_error_file(cf);

	if (config_error_type(cf) == CONFIG_ERR_FILE_IO) {
		if (ld->err)
			fprintf(ld->err, "%s: cannot read: %s\n",
				file ? file : ld->file, config_error_text(cf));
		return -ENOENT;
	}
	if (ld->err)
		fprintf(ld->err, "%s:%d: syntax: %s\n", file ? file : ld->file,
			config_error_line(cf), config_error_text(cf));
	return -EIO;
}

void config_defaults(struct config *cfg)
{
	static const unsigned rounds[] = { 3, 6 };	/* months */

	memset(cfg, 0, sizeof(*cfg));
	apply_defaults(&config_table, cfg);
	cfg->quality.n_rounds = sizeof(rounds) / sizeof(rounds[0]);
	memcpy(cfg->quality.rounds, rounds, sizeof(rounds));
}

int config_load(struct config *cfg, const char *path, FILE *err)
{
	struct load ld = { .file = path, .err = err, .cfg = cfg };
	config_t cf;
	int rc;

	config_defaults(cfg);
	rc = open_check(&ld, path);
	if (rc < 0)
		return rc;
	snprintf(cfg->file, sizeof(cfg->file), "%s", path);
	file_dir(path, ld.dir, sizeof(ld.dir));

	config_init(&cf);
	config_set_include_dir(&cf, ld.dir[0] ? ld.dir : "/");
	if (!config_read_file(&cf, path)) {
		rc = parse_error(&ld, &cf);
	} else {
		load_root(&ld, config_root_setting(&cf));
		report_flush(&ld);
		rc = ld.n_err;
	}
	config_destroy(&cf);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */

/* How many characters of msisdn a prefix covers: directly, or after the
 * country code. 0 when it does not match. */
static size_t prefix_cover(const char *msisdn, const char *cc,
			   const char *prefix)
{
	size_t lp = strlen(prefix), lc = strlen(cc), best = 0;

	if (!strncmp(msisdn, prefix, lp))
		best = lp;
	if (lc && !strncmp(msisdn, cc, lc) &&
	    !strncmp(msisdn + lc, prefix, lp) && lc + lp > best)
		best = lc + lp;
	return best;
}

int config_route(const struct config *cfg, const char *msisdn)
{
	size_t best_len = 0;
	int best = -1;
	unsigned i, j;

	if (!msisdn)
		return -1;
	if (*msisdn == '+')
		msisdn++;
	for (i = 0; i < cfg->n_links; i++) {
		const struct config_link *l = &cfg->link[i];

		for (j = 0; j < l->n_prefixes; j++) {
			size_t n = prefix_cover(msisdn, cfg->country_code,
						l->prefixes[j]);

			if (n > best_len) {
				best_len = n;
				best = i;
			}
		}
	}
	for (i = 0; best < 0 && i < cfg->n_links; i++)
		if (cfg->link[i].is_default)
			best = i;
	return best;
}

/* ------------------------------------------------------------------ */
/* Printing                                                            */

static size_t path_depth(const char *p)
{
	size_t n = *p ? 1 : 0;

	for (; *p; p++)
		n += *p == '.';
	return n;
}

/* How many leading groups two dotted paths share. */
static size_t common_depth(const char *a, const char *b)
{
	size_t n = 0;

	for (;;) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");

		if (!la || la != lb || strncmp(a, b, la))
			return n;
		n++;
		a += la;
		b += lb;
		if (*a != '.' || *b != '.')
			return n;
		a++;
		b++;
	}
}

/* Close and open groups so that the output moves from group cur to group
 * dir (dotted paths below the table's base). */
static void dump_move(FILE *out, int indent, const char *cur, const char *dir)
{
	size_t common = common_depth(cur, dir), d, k;

	for (d = path_depth(cur); d > common; d--)
		fprintf(out, "%*s};\n", (int)(indent + 2 * (d - 1)), "");
	for (k = 0; *dir; k++) {
		size_t n = strcspn(dir, ".");

		if (k >= common)
			fprintf(out, "%*s%.*s: {\n", (int)(indent + 2 * k), "",
				(int)n, dir);
		dir += n + (dir[n] == '.');
	}
}

static void dump_value(FILE *out, const struct cfg_item *it, const void *obj)
{
	const char *field = (const char *)obj + it->off;
	char q[4 * CONFIG_PATH_MAX + 16];

	switch (it->type) {
	case CT_INT:
		fprintf(out, "%lld", get_uint(field, it->size));
		break;
	case CT_BOOL:
		fputs(*(const bool *)field ? "true" : "false", out);
		break;
	case CT_STR:
		/* an empty secret (none set) is shown as such */
		fputs(it->secret && *field ? "\"***\"" :
		      quote(q, sizeof(q), field), out);
		break;
	case CT_ENUM:
		fprintf(out, "\"%s\"",
			word_of(it->words, get_uint(field, it->size)));
		break;
	case CT_LIST:
		it->dump_list(out, obj);
		break;
	}
}

static void dump_table(FILE *out, const struct cfg_table *t, const void *obj,
		       int indent)
{
	char cur[PATH_LEN] = "", dir[PATH_LEN];
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct cfg_item *it = &t->items[i];
		const char *leaf = strrchr(it->path, '.');

		snprintf(dir, sizeof(dir), "%.*s",
			 leaf ? (int)(leaf - it->path) : 0, it->path);
		leaf = leaf ? leaf + 1 : it->path;
		dump_move(out, indent, cur, dir);
		memcpy(cur, dir, sizeof(cur));
		fprintf(out, "%*s%s = ", (int)(indent + 2 * path_depth(dir)),
			"", leaf);
		dump_value(out, it, obj);
		fputs(";\n", out);
	}
	dump_move(out, indent, cur, "");
}

static void dump_prefixes(FILE *out, const void *obj)
{
	const struct config_link *l = obj;
	unsigned i;

	fputc('[', out);
	for (i = 0; i < l->n_prefixes; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : " ", l->prefixes[i]);
	fputs(l->n_prefixes ? " ]" : "]", out);
}

void config_dump(const struct config *cfg, FILE *out)
{
	unsigned i;

	fprintf(out, "# effective configuration of %s\n",
		cfg->file[0] ? cfg->file : "(defaults)");
	dump_table(out, &config_table, cfg, 0);
	fputs("links = (", out);
	for (i = 0; i < cfg->n_links; i++) {
		fputs(i ? ",\n  {\n" : "\n  {\n", out);
		dump_table(out, &link_table, &cfg->link[i], 4);
		fputs("  }", out);
	}
	fputs(cfg->n_links ? "\n);\n" : ");\n", out);
}
