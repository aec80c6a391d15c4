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

#include "dlr.h"
#include "smpp_pdu.h"

#define CONFIG_MAX_LINKS	8
#define CONFIG_MAX_PREFIXES	64
#define CONFIG_NAME_MAX		32
#define CONFIG_PATH_MAX		256

enum config_bind {
	CONFIG_BIND_TRX,	/* one transceiver session */
	CONFIG_BIND_TX_RX,	/* a transmitter + receiver pair */
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
	enum smpp_long long_method;	/* UDH, SAR or PAYLOAD */
	enum dlr_id_fmt submit_id_fmt;	/* ids in submit_sm_resp */
	enum dlr_id_fmt dlr_id_fmt;	/* ids in receipts */
	bool registered_delivery;	/* ask for receipts */
	bool is_default;		/* takes numbers no prefix matches */
	unsigned n_prefixes;
	char prefixes[CONFIG_MAX_PREFIXES][12];	/* MSISDN prefixes, e.g. "86134" */
};

struct config {
	char file[CONFIG_PATH_MAX];
	/* gateway */
	char db_path[CONFIG_PATH_MAX];
	char log_level[16];		/* debug, info, notice, error */
	char vty_addr[64];
	uint16_t vty_port;		/* 0 = no VTY */
	unsigned shutdown_timeout_s;	/* wait for responses on stop */
	char country_code[4];		/* "86": numbers are normalised with it */
	/* queue */
	unsigned max_attempts;		/* temporary errors before failing */
	unsigned retry_min_s, retry_max_s;
	unsigned validity_s;		/* default MT validity */
	unsigned batch;			/* rows fetched per loop tick */
	unsigned poll_ms;		/* look for new rows from skillctl */
	unsigned max_parts;		/* longest MT, parts */
	/* text */
	unsigned concat_timeout_s;	/* deliver incomplete MO after this */
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

/* Print the effective configuration (for skillgw -t -v and the VTY). */
void config_dump(const struct config *cfg, FILE *out);

#endif
