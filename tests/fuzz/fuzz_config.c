/*
 * fuzz_config.c - fuzz target for the configuration loader, config_load
 * (gateway/config.c): arbitrary text as skillgw.conf, parsed by libconfig
 * and then validated setting by setting against the table. Whatever the
 * text, the result is 0, a count of errors or -EIO, and a loaded
 * configuration can be routed and dumped.
 *
 * libconfig reads a file, so the input is written to a file in a private
 * temporary directory, made for each input and removed after it (so that
 * a run killed by a finding leaves at most one behind); the loader sets
 * that directory as the include directory, so an @include the fuzzer
 * writes finds nothing but the file itself (libconfig stops at its
 * include depth limit).
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "gateway/config.h"
#include "fuzz.h"

#define CONFIG_FUZZ_MSISDN	"8613800138000"
#define CONFIG_FUZZ_TEMPLATE	"/tmp/sgw-fuzz-config.XXXXXX"
#define CONFIG_FUZZ_FILE	"/skillgw.conf"

static FILE *config_fuzz_null;

static void config_fuzz_init(void)
{
	if (config_fuzz_null)
		return;
	fuzz_log_init();
	config_fuzz_null = fopen("/dev/null", "w");
	if (!config_fuzz_null)
		abort();
}

/* The input as dir/skillgw.conf, dir a new temporary directory. */
static void config_fuzz_write(const uint8_t *data, size_t size, char *dir,
			      char *path, size_t cap)
{
	FILE *f;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, cap, "%s" CONFIG_FUZZ_FILE, dir);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

FUZZ_TARGET(config)
{
	static struct config cfg;
	char dir[] = CONFIG_FUZZ_TEMPLATE;
	char path[sizeof(dir) + sizeof(CONFIG_FUZZ_FILE)];
	int rc;

	config_fuzz_init();
	config_fuzz_write(data, size, dir, path, sizeof(path));
	rc = config_load(&cfg, path, config_fuzz_null);
	unlink(path);
	rmdir(dir);
	assert(rc >= 0 || rc == -EIO);
	if (rc == 0) {
		assert(cfg.n_links <= CONFIG_MAX_LINKS);
		rc = config_route(&cfg, CONFIG_FUZZ_MSISDN);
		assert(rc >= -1 && rc < (int)cfg.n_links);
		config_dump(&cfg, config_fuzz_null);
	}
	return 0;
}
