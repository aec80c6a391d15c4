/*
 * test_config.c - unit tests of gateway/config.c.
 *
 * The fixtures in tests/unit/conf/ carry their own expectations: a comment
 * "# expect: setting.path: message" on a line says that config_load must
 * report exactly that error at that line ("FILE:LINE: " + the text, which
 * may stop early). check_fixture() loads the file with the errors written to
 * an in-memory FILE*, and fails on any expected line that is missing and on
 * any reported line that no comment expects. A fixture can thus grow without
 * renumbering the test. Other tests compare exact texts and loaded values.
 *
 * Fixtures are found in $SRCDIR (the tests/unit directory, or the project
 * root), else next to this file, else in ./ or tests/unit/ of the current
 * directory.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gateway/config.h"

#define MARK		"# expect: "
#define MAX_EXPECT	64

static char unit_dir[PATH_MAX];

/* snprintf that fails the test instead of truncating */
static void fmt(char *buf, size_t cap, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

static void fmt(char *buf, size_t cap, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, cap, f, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < cap);
}

static int has_fixtures(const char *dir)
{
	char probe[PATH_MAX];

	if (snprintf(probe, sizeof(probe), "%s/conf/minimal.conf", dir)
	    >= (int)sizeof(probe))
		return 0;
	return access(probe, R_OK) == 0;
}

static int find_unit_dir(void **state)
{
	const char *slash = strrchr(__FILE__, '/');
	char here[PATH_MAX], cand[PATH_MAX];
	const char *tries[] = { getenv("SRCDIR"), here, ".", "tests/unit" };
	size_t i;

	snprintf(here, sizeof(here), "%.*s",
		 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if (!tries[i])
			continue;
		snprintf(cand, sizeof(cand), "%s/tests/unit", tries[i]);
		if (has_fixtures(tries[i]) || has_fixtures(cand)) {
			snprintf(unit_dir, sizeof(unit_dir), "%s",
				 has_fixtures(tries[i]) ? tries[i] : cand);
			return 0;
		}
	}
	fprintf(stderr, "test_config: fixtures not found; set SRCDIR\n");
	return -1;
}

/* tests/unit/conf/NAME */
static const char *fixture(const char *name)
{
	static char path[PATH_MAX];

	fmt(path, sizeof(path), "%s/conf/%s", unit_dir, name);
	return path;
}

/* conf/NAME of the project */
static const char *project_conf(const char *name)
{
	static char path[PATH_MAX];

	fmt(path, sizeof(path), "%s/../../conf/%s", unit_dir, name);
	return path;
}

/* Load path into a fresh config; *out gets what was reported (free it). */
static int load(const char *path, struct config **cfg, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	int rc;

	assert_non_null(f);
	*cfg = calloc(1, sizeof(**cfg));
	assert_non_null(*cfg);
	rc = config_load(*cfg, path, f);
	fclose(f);
	return rc;
}

static void done(struct config *cfg, char *out)
{
	free(cfg);
	free(out);
}

/* The directory of a file, made absolute, + "/" + rel. */
static void expect_path(char *buf, size_t cap, const char *file,
			const char *rel)
{
	char dir[PATH_MAX], *abs;
	const char *slash = strrchr(file, '/');

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file), file);
	abs = realpath(dir, NULL);
	assert_non_null(abs);
	snprintf(buf, cap, "%s/%s", abs, rel);
	free(abs);
}

/* ------------------------------------------------------------------ */
/* Fixtures with "# expect:" comments                                  */

struct expect {
	char text[512];
	int seen;
};

/* Every "# expect: ..." of the file, as "PATH:LINE: ...". */
static int read_expectations(const char *path, struct expect *ex)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0, lineno = 0;

	assert_non_null(f);
	while (getline(&line, &cap, f) >= 0) {
		char *p = strstr(line, MARK);

		lineno++;
		while (p) {
			char *text = p + strlen(MARK), *next = strstr(text, MARK);
			size_t len = next ? (size_t)(next - text) : strlen(text);

			while (len && strchr(" \t\r\n", text[len - 1]))
				len--;
			assert_true(n < MAX_EXPECT);
			fmt(ex[n].text, sizeof(ex[n].text), "%s:%d: %.*s",
			    path, lineno, (int)len, text);
			ex[n++].seen = 0;
			p = next;
		}
	}
	free(line);
	fclose(f);
	return n;
}

/* Match each reported line with one expectation; complain about the rest
 * and show the whole report when anything is wrong. */
static void match_output(const char *out, struct expect *ex, int n)
{
	char *copy = strdup(out), *save = NULL, *l;
	int i, bad = 0;

	assert_non_null(copy);
	for (l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < n; i++) {
			if (!ex[i].seen &&
			    !strncmp(l, ex[i].text, strlen(ex[i].text))) {
				ex[i].seen = 1;
				break;
			}
		}
		if (i == n && ++bad)
			print_error("unexpected error: %s\n", l);
	}
	for (i = 0; i < n; i++)
		if (!ex[i].seen && ++bad)
			print_error("not reported: %s\n", ex[i].text);
	free(copy);
	if (bad)
		fail_msg("%d mismatches; the report was:\n%s", bad, out);
}

/* The report is in line order. */
static void check_sorted(const char *out, const char *path)
{
	size_t plen = strlen(path);
	const char *l;
	long prev = 0;

	for (l = out; *l; l = strchr(l, '\n') + 1) {
		long line;

		assert_memory_equal(l, path, plen);
		line = strtol(l + plen + 1, NULL, 10);
		assert_true(line >= prev);
		prev = line;
	}
}

static void check_fixture(const char *name)
{
	static struct expect ex[MAX_EXPECT];
	const char *path = fixture(name);
	struct config *cfg;
	char *out;
	int n = read_expectations(path, ex);
	int rc = load(path, &cfg, &out);

	assert_true(n > 0);
	match_output(out, ex, n);
	check_sorted(out, path);
	assert_int_equal(rc, n);
	done(cfg, out);
}

static void test_unknown_settings(void **state)
{
	check_fixture("err_unknown.conf");
}

static void test_wrong_types(void **state)
{
	check_fixture("err_types.conf");
}

static void test_out_of_range(void **state)
{
	check_fixture("err_range.conf");
}

static void test_commands_rules(void **state)
{
	check_fixture("err_commands.conf");
}

static void test_link_rules(void **state)
{
	check_fixture("err_links.conf");
}

static void test_too_many_links(void **state)
{
	check_fixture("err_toomany.conf");
}

static void test_links_not_a_list(void **state)
{
	check_fixture("err_links_type.conf");
}

/* ------------------------------------------------------------------ */
/* Exact texts                                                         */

static void test_two_errors_exact(void **state)
{
	const char *path = fixture("err_two.conf");
	struct config *cfg;
	char *out, want[2 * PATH_MAX];
	int rc = load(path, &cfg, &out);

	fmt(want, sizeof(want),
	    "%s:2: queue.batch: 0 is out of range 1..65536\n"
	    "%s:3: queue.colour: unknown setting\n", path, path);
	assert_string_equal(out, want);
	assert_int_equal(rc, 2);
	assert_int_equal(cfg->batch, 512);	/* kept its default */
	done(cfg, out);
}

static void test_no_error_stream(void **state)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	assert_int_equal(config_load(cfg, fixture("err_two.conf"), NULL), 2);
	assert_int_equal(config_load(cfg, fixture("err_syntax.conf"), NULL),
			 -EIO);
	assert_int_equal(config_load(cfg, fixture("nope.conf"), NULL),
			 -ENOENT);
	free(cfg);
}

static void test_syntax_error(void **state)
{
	const char *path = fixture("err_syntax.conf");
	struct config *cfg;
	char *out, want[PATH_MAX + 64];
	int rc = load(path, &cfg, &out);

	fmt(want, sizeof(want), "%s:3: syntax: syntax error\n", path);
	assert_int_equal(rc, -EIO);
	assert_string_equal(out, want);
	done(cfg, out);
}

static void test_duplicate_setting(void **state)
{
	const char *path = fixture("err_duplicate.conf");
	struct config *cfg;
	char *out, want[PATH_MAX + 64];
	int rc = load(path, &cfg, &out);

	fmt(want, sizeof(want), "%s:4: syntax: duplicate setting name\n", path);
	assert_int_equal(rc, -EIO);
	assert_string_equal(out, want);
	done(cfg, out);
}

static void test_missing_file(void **state)
{
	const char *path = fixture("nope.conf");
	struct config *cfg;
	char *out, want[PATH_MAX + 64];
	int rc = load(path, &cfg, &out);

	fmt(want, sizeof(want), "%s: cannot read: %s\n", path, strerror(ENOENT));
	assert_int_equal(rc, -ENOENT);
	assert_string_equal(out, want);
	done(cfg, out);
}

/* ------------------------------------------------------------------ */
/* Valid files                                                         */

static void test_demo_config(void **state)
{
	const char *path = project_conf("skillgw.conf");
	struct config *cfg;
	char *out, db[PATH_MAX];
	int rc = load(path, &cfg, &out);

	assert_string_equal(out, "");
	assert_int_equal(rc, 0);
	assert_string_equal(cfg->file, path);
	expect_path(db, sizeof(db), path, "../var/skillgw.db");
	assert_string_equal(cfg->db_path, db);
	assert_string_equal(cfg->log_level, "notice");
	assert_string_equal(cfg->country_code, "86");
	assert_string_equal(cfg->vty_addr, "127.0.0.1");
	assert_int_equal(cfg->vty_port, 4260);
	assert_int_equal(cfg->n_links, 1);
	assert_string_equal(cfg->link[0].name, "sim");
	assert_string_equal(cfg->link[0].host, "127.0.0.1");
	assert_int_equal(cfg->link[0].port, 2775);
	assert_true(cfg->link[0].is_default);
	assert_int_equal(cfg->link[0].n_prefixes, 0);
	assert_int_equal(config_route(cfg, "8613800138000"), 0);
	assert_true(cfg->cmd_enabled);
	expect_path(db, sizeof(db), path, "messages.conf");
	assert_string_equal(cfg->messages_path, db);
	assert_int_equal(cfg->rate_limit, 10);
	assert_int_equal(cfg->rate_window_s, 60);
	assert_int_equal(cfg->reg_max_failures, 5);
	assert_int_equal(cfg->list_parts, 3);
	assert_string_equal(cfg->hotline, "12333");
	assert_string_equal(cfg->signature, "\u3010\u63ed\u9633\u4eba\u793e\u3011");
	done(cfg, out);
}

static void test_defaults(void **state)
{
	const char *path = fixture("minimal.conf");
	struct config *cfg;
	char *out;
	int rc = load(path, &cfg, &out);
	const struct config_link *l = &cfg->link[0];

	assert_int_equal(rc, 0);
	assert_string_equal(cfg->log_level, "notice");
	assert_int_equal(cfg->shutdown_timeout_s, 5);
	assert_int_equal(cfg->max_attempts, 8);
	assert_int_equal(cfg->retry_min_s, 2);
	assert_int_equal(cfg->retry_max_s, 600);
	assert_int_equal(cfg->validity_s, 86400);
	assert_int_equal(cfg->batch, 512);
	assert_int_equal(cfg->poll_ms, 500);
	assert_int_equal(cfg->max_parts, 8);
	assert_int_equal(cfg->concat_timeout_s, 120);
	assert_false(cfg->cmd_enabled);
	assert_int_equal(cfg->rate_limit, 10);
	assert_int_equal(cfg->rate_window_s, 60);
	assert_int_equal(cfg->reg_max_failures, 5);
	assert_int_equal(cfg->list_parts, 3);
	assert_string_equal(cfg->hotline, "12333");
	assert_string_equal(cfg->signature, "");
	assert_true(strlen(cfg->messages_path) > strlen("messages.conf"));
	assert_string_equal(cfg->messages_path + strlen(cfg->messages_path) -
			    strlen("/messages.conf"), "/messages.conf");
	assert_int_equal(cfg->n_links, 1);
	assert_string_equal(l->host, "smsc.example.net");
	assert_string_equal(l->password, "pw");
	assert_int_equal(l->port, 2775);
	assert_string_equal(l->system_id, "skillgw");
	assert_string_equal(l->system_type, "");
	assert_int_equal(l->bind, CONFIG_BIND_TRX);
	assert_string_equal(l->source_addr, "12333");
	assert_int_equal(l->source_ton, 0);
	assert_int_equal(l->source_npi, 1);
	assert_int_equal(l->dest_ton, 1);
	assert_int_equal(l->dest_npi, 1);
	assert_int_equal(l->window, 10);
	assert_int_equal(l->max_tps, 200);
	assert_int_equal(l->enquire_link_s, 30);
	assert_int_equal(l->inactivity_s, 120);
	assert_int_equal(l->response_timeout_s, 10);
	assert_int_equal(l->reconnect_min_s, 1);
	assert_int_equal(l->reconnect_max_s, 60);
	assert_int_equal(l->throttle_pause_ms, 500);
	assert_int_equal(l->gsm_data_coding, 0);
	assert_int_equal(l->long_method, CONFIG_LONG_UDH);
	assert_int_equal(l->submit_id_fmt, CONFIG_ID_ASIS);
	assert_int_equal(l->dlr_id_fmt, CONFIG_ID_ASIS);
	assert_true(l->registered_delivery);
	assert_false(l->is_default);
	assert_int_equal(l->n_prefixes, 0);
	assert_int_equal(config_route(cfg, "8613800138000"), -1);
	done(cfg, out);
}

static void test_empty_file(void **state)
{
	const char *path = fixture("empty.conf");
	struct config *cfg, def;
	char *out, db[PATH_MAX];
	int rc = load(path, &cfg, &out);

	config_defaults(&def);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg->n_links, 0);
	assert_string_equal(def.db_path, "var/skillgw.db");
	expect_path(db, sizeof(db), path, "var/skillgw.db");
	assert_string_equal(cfg->db_path, db);
	assert_int_equal(cfg->vty_port, def.vty_port);
	done(cfg, out);
}

static void test_db_path(void **state)
{
	struct config *cfg;
	char *out, db[PATH_MAX];
	const char *rel = fixture("db_rel.conf");

	assert_int_equal(load(rel, &cfg, &out), 0);
	expect_path(db, sizeof(db), rel, "data/test.db");
	assert_string_equal(cfg->db_path, db);
	assert_true(cfg->db_path[0] == '/');
	done(cfg, out);

	assert_int_equal(load(fixture("db_abs.conf"), &cfg, &out), 0);
	assert_string_equal(cfg->db_path, "/tmp/skillgw-test.db");
	done(cfg, out);
}

static void test_carriers_example(void **state)
{
	struct config *cfg;
	char *out;
	int rc = load(project_conf("carriers.conf.example"), &cfg, &out);

	assert_string_equal(out, "");
	assert_int_equal(rc, 0);
	assert_int_equal(cfg->n_links, 3);
	assert_string_equal(cfg->link[0].name, "cmcc");
	assert_true(cfg->link[0].is_default);
	assert_int_equal(cfg->link[0].n_prefixes, 24);
	assert_int_equal(cfg->link[1].bind, CONFIG_BIND_TX_RX);
	assert_int_equal(cfg->link[1].long_method, CONFIG_LONG_SAR);
	assert_int_equal(cfg->link[1].submit_id_fmt, CONFIG_ID_HEX);
	assert_int_equal(cfg->link[1].dlr_id_fmt, CONFIG_ID_DEC);
	assert_int_equal(cfg->link[2].long_method, CONFIG_LONG_PAYLOAD);
	assert_string_equal(cfg->db_path, "/var/lib/skillgw/skillgw.db");
	assert_int_equal(config_route(cfg, "8613800138000"), 0);
	assert_int_equal(config_route(cfg, "8613012345678"), 1);
	assert_int_equal(config_route(cfg, "18912345678"), 2);
	assert_int_equal(config_route(cfg, "8619912345678"), 2);
	assert_int_equal(config_route(cfg, "8619212345678"), 0); /* Broadnet */
	done(cfg, out);
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */

static void test_route(void **state)
{
	struct config *cfg;
	char *out;

	assert_int_equal(load(fixture("route.conf"), &cfg, &out), 0);
	/* a: "13" "1340"   b: "134" "8615" default   c: "86135" */
	assert_int_equal(config_route(cfg, "8613400000000"), 0); /* 86+1340 */
	assert_int_equal(config_route(cfg, "8613412345678"), 1); /* 86+134 */
	assert_int_equal(config_route(cfg, "13412345678"), 1);   /* national */
	assert_int_equal(config_route(cfg, "13400001111"), 0);   /* 1340 */
	assert_int_equal(config_route(cfg, "8613512345678"), 2); /* 86135 */
	assert_int_equal(config_route(cfg, "13512345678"), 0);   /* 13 */
	assert_int_equal(config_route(cfg, "8615012345678"), 1); /* 8615 */
	assert_int_equal(config_route(cfg, "+8613400000000"), 0);
	assert_int_equal(config_route(cfg, "8618012345678"), 1); /* default */
	assert_int_equal(config_route(cfg, "4420794600000"), 1); /* default */
	assert_int_equal(config_route(cfg, ""), 1);
	cfg->link[1].is_default = false;
	assert_int_equal(config_route(cfg, "8618012345678"), -1);
	assert_int_equal(config_route(cfg, "8613412345678"), 1);
	assert_int_equal(config_route(cfg, NULL), -1);
	done(cfg, out);
}

static void test_route_no_links(void **state)
{
	struct config cfg;

	config_defaults(&cfg);
	assert_int_equal(config_route(&cfg, "8613800138000"), -1);
}

/* ------------------------------------------------------------------ */
/* Printing                                                            */

/* The dump is valid configuration that loads back to the same values. */
static void test_dump_round_trip(void **state)
{
	struct config *cfg, *again;
	char *out, *dump, tmp[] = "/tmp/test_config.XXXXXX";
	size_t len;
	FILE *f;
	int fd, i;

	assert_int_equal(load(project_conf("carriers.conf.example"), &cfg,
			      &out), 0);
	free(out);
	f = open_memstream(&dump, &len);
	config_dump(cfg, f);
	fclose(f);
	assert_non_null(strstr(dump, "password = \"***\";"));
	assert_null(strstr(dump, "secret1"));
	assert_non_null(strstr(dump, "  vty: {\n    address = \"127.0.0.1\";"));

	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, dump, len), (ssize_t)len);
	close(fd);
	assert_int_equal(load(tmp, &again, &out), 0);
	unlink(tmp);
	for (i = 0; i < 3; i++) {
		assert_string_equal(again->link[i].password, "***");
		memcpy(again->link[i].password, cfg->link[i].password,
		       sizeof(cfg->link[i].password));
	}
	memcpy(again->file, cfg->file, sizeof(cfg->file));
	assert_memory_equal(again, cfg, sizeof(*cfg));
	done(again, out);
	free(cfg);
	free(dump);
}

static void test_dump_no_links(void **state)
{
	struct config cfg;
	char *dump;
	size_t len;
	FILE *f = open_memstream(&dump, &len);

	config_defaults(&cfg);
	config_dump(&cfg, f);
	fclose(f);
	assert_non_null(strstr(dump, "queue: {\n  max_attempts = 8;\n"));
	assert_non_null(strstr(dump, "links = ();\n"));
	free(dump);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_config),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_db_path),
		cmocka_unit_test(test_carriers_example),
		cmocka_unit_test(test_unknown_settings),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_commands_rules),
		cmocka_unit_test(test_link_rules),
		cmocka_unit_test(test_too_many_links),
		cmocka_unit_test(test_links_not_a_list),
		cmocka_unit_test(test_two_errors_exact),
		cmocka_unit_test(test_no_error_stream),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_duplicate_setting),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_route_no_links),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_dump_no_links),
	};

	return cmocka_run_group_tests_name("config", tests, find_unit_dir,
					   NULL);
}
