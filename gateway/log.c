/*
 * log.c - the table of logging categories, the stderr and file targets,
 * and how a mobile number appears in a log line.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>

#include "gateway/log.h"
#include "gateway/text/msisdn.h"

static const struct log_info_cat sgw_log_cats[] = {
	[DMAIN]   = { .name = "DMAIN",   .description = "Start-up and shutdown",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DLINK]   = { .name = "DLINK",   .description = "SMPP link state",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DPDU]    = { .name = "DPDU",    .description = "SMPP PDU coding",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DROUTER] = { .name = "DROUTER", .description = "MO routing and receipts",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DQUEUE]  = { .name = "DQUEUE",  .description = "Durable MT queue",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DDB]     = { .name = "DDB",     .description = "SQLite database",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DUSSD]   = { .name = "DUSSD",   .description = "USSD sessions",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DSCHED]  = { .name = "DSCHED",  .description = "Campaign scheduler",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DHAND]   = { .name = "DHAND",   .description = "Domain handlers",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DAPI]    = { .name = "DAPI",    .description = "HTTP API and console",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DNOTIFY] = { .name = "DNOTIFY", .description = "Notifications",
		      .enabled = 1, .loglevel = LOGL_NOTICE },
	[DQUALITY] = { .name = "DQUALITY",
		       .description = "Training quality: questions, answers",
		       .enabled = 1, .loglevel = LOGL_NOTICE },
};

const struct log_info sgw_log_info = {
	.cat = sgw_log_cats,
	.num_cat = ARRAY_SIZE(sgw_log_cats),
};

static const struct value_string sgw_log_levels[] = {
	{ LOGL_DEBUG,	"debug" },
	{ LOGL_INFO,	"info" },
	{ LOGL_NOTICE,	"notice" },
	{ LOGL_ERROR,	"error" },
	{ LOGL_FATAL,	"fatal" },
	{ 0, NULL }
};

static void sgw_log_target_setup(struct log_target *t, int lvl)
{
	unsigned i;

	for (i = 0; i < sgw_log_info.num_cat; i++)
		log_set_category_filter(t, i, 1, lvl);
	log_set_print_category(t, 1);
	log_set_print_category_hex(t, 0);
	log_set_print_level(t, 1);
	log_set_print_timestamp(t, 0);
	log_set_print_extended_timestamp(t, 1);
	log_set_use_color(t, 0);
}

static struct log_target *sgw_log_file;

void sgw_log_enable_threads(void)
{
	log_enable_multithread();
	if (sgw_log_file)
		log_target_file_switch_to_stream(sgw_log_file);
}

int sgw_log_init(void *ctx, const char *level, const char *file)
{
	int lvl = get_string_value(sgw_log_levels, level ? level : "notice");
	struct log_target *t;

	if (osmo_init_logging2(ctx, &sgw_log_info) < 0)
		return -EIO;
	if (lvl < 0)
		lvl = LOGL_NOTICE;
	sgw_log_target_setup(osmo_stderr_target, lvl);
	if (!file || !file[0])
		return 0;
	t = log_target_create_file(file);
	if (!t)
		return -EIO;
	sgw_log_target_setup(t, lvl);
	log_add_target(t);
	sgw_log_file = t;
	return 0;
}

static bool log_full_numbers;

void sgw_log_set_numbers(bool full)
{
	log_full_numbers = full;
}

#define LOG_NUM_MAX	32

/* 8613800138000 -> 138****8000 (msisdn_mask), unless full numbers. */
const char *log_num(const char *msisdn)
{
	static __thread char slot[LOG_NUM_SLOTS][LOG_NUM_MAX];
	static __thread unsigned next;
	char *out = slot[next++ % LOG_NUM_SLOTS];
	size_t n;

	if (!msisdn)
		return "-";
	n = strlen(msisdn);
	if (log_full_numbers || n == 0)
		osmo_strlcpy(out, msisdn, LOG_NUM_MAX);
	else
		msisdn_mask(msisdn, out, LOG_NUM_MAX);
	return out;
}
