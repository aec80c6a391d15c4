/*
 * config.h - the configuration of skillgw, read from one libconfig file.
 *
 * gateway/config.c describes every setting in a table (path, type, default,
 * bounds, where it lands in these structs) and validates in one place. Errors
 * are reported as "FILE:LINE: setting: what is wrong", one per line, all of
 * them, not just the first.
 */
#ifndef SGW_CONFIG_H
#define SGW_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>


#define CONFIG_MAX_LINKS	8
#define CONFIG_MAX_PREFIXES	64
#define CONFIG_NAME_MAX		32
#define CONFIG_PATH_MAX		256

enum config_bind {
	CONFIG_BIND_TRX,	/* one transceiver session */
	CONFIG_BIND_TX_RX,	/* a transmitter + receiver pair */
};

/* How a USSD dialogue is recognised on a link (gateway/ussd/dialogue.c). */
enum config_ussd_key {
	CONFIG_USSD_KEY_MSISDN,		/* the subscriber's number */
	CONFIG_USSD_KEY_MSISDN_ITS,	/* number + its_session_info session */
	CONFIG_USSD_KEY_UMR,		/* number + user_message_reference */
};

#define CONFIG_USSD_RELEASE_MAX	8	/* release/abort ops of a link */
#define CONFIG_HTTP_ALLOW_MAX	16	/* client addresses of ussd.http */

/* USSD over SMPP on one link: vendors differ in the ops and the key. */
struct config_link_ussd {
	enum config_ussd_key key;
	uint8_t op_begin;		/* PSSR indication: the user dialled (1) */
	uint8_t op_continue;		/* USSR confirm: the user's answer (18) */
	uint8_t op_show;		/* USSR request: a screen, wait (2) */
	uint8_t op_end;			/* PSSR response: the final screen (17) */
	unsigned n_release;		/* ops that end a dialogue at once */
	uint8_t release[CONFIG_USSD_RELEASE_MAX];
};

/* USSD sessions, menus and the HTTP callback (gateway/ussd*.c, menu.c). */
struct config_ussd {
	bool enabled;
	char menu_path[CONFIG_PATH_MAX];	/* conf/ussd_menu.conf */
	char service_code[24];		/* "*12333#", {code} in texts */
	unsigned guard_s;		/* user silence before the end */
	unsigned cap_s;			/* longest dialogue */
	unsigned max_sessions;
	unsigned screen_gsm;		/* characters of a GSM 7-bit screen */
	unsigned screen_ucs2;		/* ... of a UCS-2 screen */
	bool notify_timeout;		/* SMPP: an end screen on expiry */
	bool http_enabled;
	char http_addr[64];
	uint16_t http_port;
	unsigned n_allow;		/* client addresses (CIDR allowed) */
	char allow[CONFIG_HTTP_ALLOW_MAX][48];
	char secret[65];		/* "" = no shared secret */
	char secret_header[48];		/* header that carries it */
	unsigned max_body;		/* octets of a request body */
	unsigned http_max_conns;
};

/* The bureau's HTTP API and web console (gateway/api/). */
struct config_api {
	bool enabled;
	char addr[64];			/* IPv4 or IPv6 literal */
	uint16_t port;
	char cert[CONFIG_PATH_MAX];	/* PEM; "" with key "": plain HTTP */
	char key[CONFIG_PATH_MAX];
	unsigned max_body;		/* octets of a JSON request body */
	unsigned max_upload;		/* octets of an import file */
	unsigned max_conns;
	unsigned session_idle_s;	/* a console session ends after this */
	unsigned lockout_failures;	/* failed logins before a lock-out */
	unsigned lockout_min;		/* ... within this; also its length */
	char console_dir[CONFIG_PATH_MAX];	/* "" = no console */
};

/* How a link carries a message longer than one SMS. */
enum config_long {
	CONFIG_LONG_UDH,	/* parts with a concatenation UDH */
	CONFIG_LONG_SAR,	/* parts with sar_* TLVs */
	CONFIG_LONG_PAYLOAD,	/* the whole text in message_payload */
};

/* How an SMSC writes message ids (in submit_sm_resp, in receipts). */
enum config_id_fmt {
	CONFIG_ID_ASIS,		/* compare as given */
	CONFIG_ID_HEX,		/* hexadecimal: normalised to decimal */
	CONFIG_ID_DEC,		/* decimal: leading zeros dropped */
};

struct config_link {
	char name[CONFIG_NAME_MAX];	/* [A-Za-z0-9_-], unique */
	char host[64];
	uint16_t port;
	char system_id[16];
	char password[9];		/* required, 1..8 characters */
	char system_type[13];
	enum config_bind bind;
	char address_range[41];
	char source_addr[21];		/* default sender, e.g. "12333" */
	uint8_t source_ton, source_npi;
	uint8_t dest_ton, dest_npi;
	unsigned window;		/* outstanding submit_sm, 1..1000 */
	unsigned max_tps;		/* submit_sm per second, 0 = unlimited */
	unsigned enquire_link_s;	/* idle time before enquire_link */
	unsigned inactivity_s;		/* no PDU for this long: drop link */
	unsigned response_timeout_s;	/* per-PDU response timer */
	unsigned reconnect_min_s;	/* back-off start */
	unsigned reconnect_max_s;	/* back-off cap */
	unsigned throttle_pause_ms;	/* first pause after ESME_RTHROTTLED */
	uint8_t gsm_data_coding;	/* data_coding for GSM text, default 0 */
	enum config_long long_method;
	enum config_id_fmt submit_id_fmt;	/* ids in submit_sm_resp */
	enum config_id_fmt dlr_id_fmt;	/* ids in receipts */
	bool registered_delivery;	/* ask for receipts */
	bool is_default;		/* takes numbers no prefix matches */
	unsigned n_prefixes;
	char prefixes[CONFIG_MAX_PREFIXES][12];	/* MSISDN prefixes, e.g. "86134" */
	struct config_link_ussd ussd;
};

/* Notifications: decisions on a worker's own case, and reminders. */
struct config_notify {
	bool enabled;
	unsigned reminder_days;		/* before a course starts; 0: none */
	char reminder_at[6];		/* local time of day, "09:00" */
	bool respect_optout;		/* TD stops them too */
	unsigned batch;			/* events made into messages per tick */
};

#define CONFIG_ROUNDS_MAX	4	/* employment follow-up rounds */

/* Training quality: attendance checks, surveys, employment follow-up
 * (handlers/quality). Questions go as notifications do (priority notify,
 * notify.share, quiet hours). */
struct config_quality {
	bool enabled;
	char class_hours[12];		/* a course's default, "08:30-17:30" */
	unsigned check_delay_min;	/* after class starts: the questions */
	unsigned answer_days;		/* a survey, a follow-up: answered within */
	unsigned change_days;		/* a second answer replaces the first */
	unsigned late_days;		/* due longer ago: not asked any more */
	unsigned n_rounds;
	unsigned rounds[CONFIG_ROUNDS_MAX];	/* months after the end, rising */
	bool respect_optout;		/* TD stops them */
	unsigned batch;			/* questions made per step */
};

struct config {
	char file[CONFIG_PATH_MAX];
	/* gateway */
	char db_path[CONFIG_PATH_MAX];
	char log_level[16];		/* debug, info, notice, error */
	char log_file[CONFIG_PATH_MAX];	/* "" = stderr only; HUP reopens */
	bool durable_fsync;		/* durability "power-loss": fsync per commit */
	char vty_addr[64];
	uint16_t vty_port;		/* 0 = no VTY */
	char vty_enable_password[64];	/* "" = enable asks for none */
	bool log_numbers;		/* full numbers in NOTICE lines */
	char glossary_path[CONFIG_PATH_MAX];	/* the codes' words */
	unsigned shutdown_timeout_s;	/* wait for responses on stop */
	char country_code[4];		/* "86": numbers are normalised with it */
	uint8_t numbers;		/* enum msisdn_plan: what operators
					 * may type (gateway.numbers) */
	unsigned storage_reserve_mb;	/* kept against a full disk */
	/* queue */
	unsigned max_attempts;		/* temporary errors before failing */
	unsigned retry_min_s, retry_max_s;
	unsigned validity_s;		/* default MT validity */
	unsigned batch;			/* rows fetched per loop tick */
	unsigned poll_ms;		/* look for new rows from skillctl */
	unsigned max_parts;		/* longest MT, parts */
	/* text */
	unsigned concat_timeout_s;	/* deliver incomplete MO after this */
	/* SMS commands (handlers/sms/sms.c) */
	bool cmd_enabled;		/* answer MOs as commands */
	char messages_path[CONFIG_PATH_MAX];	/* reply texts (texts.h) */
	unsigned rate_limit;		/* commands per number per window */
	unsigned rate_window_s;
	unsigned reg_max_failures;	/* failed registrations a day: lock */
	unsigned list_parts;		/* SMS parts a list reply may take */
	char hotline[24];		/* {hotline} in texts */
	char signature[64];		/* {signature} in texts, e.g. 【揭阳人社】 */
	/* USSD */
	struct config_ussd ussd;
	/* the API (gateway/api/) */
	struct config_api api;
	/* notice campaigns (handlers/notice/scheduler.c, gateway/queue/pace.c); the
	 * signature of a notice is commands.signature */
	char optout_hint[64];		/* appended to every notice: 回TD退订 */
	unsigned notice_max_parts;	/* longest notice, SMS parts */
	unsigned bulk_share;		/* percent of each link's max_tps */
	char quiet_start[6];		/* "21:00" local time */
	char quiet_end[6];		/* "08:00"; equal to start: none */
	char timezone[64];		/* of quiet hours and notice times */
	unsigned notice_batch;		/* recipients queued per step */
	unsigned notice_ahead;		/* queued rows per campaign, at most */
	unsigned notice_scan;		/* roster rows looked at per step */
	unsigned notice_tick_ms;	/* scheduler period when idle */
	/* notifications (handlers/notice/notify.c); quiet hours and the
	 * zone are those of notices */
	struct config_notify notify;
	unsigned notify_share;		/* percent of each link's max_tps */
	/* training quality (handlers/quality/) */
	struct config_quality quality;
	/* links */
	unsigned n_links;
	struct config_link link[CONFIG_MAX_LINKS];
};

/* Fill cfg with the built-in defaults (no links). */
void config_defaults(struct config *cfg);

/* Load and validate path into cfg. Every problem is printed to err as
 * "FILE:LINE: setting: what is wrong". Returns 0, or the number of errors
 * (> 0), or -ENOENT/-EIO when the file cannot be read or parsed. */
int config_load(struct config *cfg, const char *path, FILE *err);

/* The link for an MSISDN by prefix (longest match), else the default link,
 * else none. Returns an index into cfg->link, or -1 for none. */
int config_route(const struct config *cfg, const char *msisdn);

/* Is addr ("127.0.0.1", "::1", "localhost") a loopback address? */
bool config_addr_is_loopback(const char *addr);

/* Print the effective configuration (for skillgw -t -v and the VTY). */
void config_dump(const struct config *cfg, FILE *out);

#endif
