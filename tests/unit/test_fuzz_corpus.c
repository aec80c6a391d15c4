/*
 * test_fuzz_corpus.c - replays the committed fuzz inputs without libFuzzer.
 *
 * Every file of tests/fuzz/corpus/NAME/ (the seeds) and of
 * tests/fuzz/crashes/NAME/ (inputs that once crashed a target, kept once the
 * bug is fixed) is fed to the fuzz target NAME, compiled into this program
 * by gcc: the target files are included below (tests/fuzz/fuzz.h explains
 * why that works). Each input is given in a heap buffer of exactly its size,
 * so under ASan a read past the end is caught as it is under libFuzzer; a
 * broken contract is an assert() in the target and aborts the program.
 *
 * One cmocka test per target. A target must have at least one seed, and a
 * directory under corpus/ or crashes/ that names no target is an error (a
 * target renamed without its corpus would otherwise be silently skipped).
 * When an input kills the program (a failed assert, an ASan report) its
 * path is printed last. Run from the project root, as tests/run.sh does.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#endif

#include "../fuzz/fuzz_codec.c"
#include "../fuzz/fuzz_command.c"
#include "../fuzz/fuzz_config.c"
#include "../fuzz/fuzz_csv.c"
#include "../fuzz/fuzz_decode.c"
#include "../fuzz/fuzz_dlr.c"
#include "../fuzz/fuzz_json.c"
#include "../fuzz/fuzz_pdu.c"
#include "../fuzz/fuzz_split.c"
#include "../fuzz/fuzz_ussd_form.c"

/* after the targets: cmocka's own assert macros are not wanted in them */
#include <cmocka.h>

#define REPLAY_CORPUS	"tests/fuzz/corpus"
#define REPLAY_CRASHES	"tests/fuzz/crashes"
#define REPLAY_PATH_MAX	512

struct replay_target {
	const char *name;
	int (*fn)(const uint8_t *data, size_t size);
};

#define REPLAY_TARGET(n)	{ #n, fuzz_##n }
static const struct replay_target replay_targets[] = {
	REPLAY_TARGET(codec),
	REPLAY_TARGET(command),
	REPLAY_TARGET(config),
	REPLAY_TARGET(csv),
	REPLAY_TARGET(decode),
	REPLAY_TARGET(dlr),
	REPLAY_TARGET(json),
	REPLAY_TARGET(pdu),
	REPLAY_TARGET(split),
	REPLAY_TARGET(ussd_form),
};
#undef REPLAY_TARGET

#define REPLAY_N_TARGETS \
	(sizeof(replay_targets) / sizeof(replay_targets[0]))

/* The input being replayed, for the death message. */
static char replay_current[REPLAY_PATH_MAX];

/* Async-signal-safe: only write(2). */
static void replay_died(void)
{
	static const char msg[] = "\nreplay: the input that failed: ";
	ssize_t rc;

	if (!replay_current[0])
		return;
	rc = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	rc = write(STDERR_FILENO, replay_current, strlen(replay_current));
	rc = write(STDERR_FILENO, "\n", 1);
	(void)rc;
}

static void replay_sigabrt(int sig)
{
	replay_died();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The contents of path in a malloc'd buffer of exactly its size (one octet
 * for an empty file, never read). */
static uint8_t *replay_read(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	*size = st.st_size;
	buf = malloc(*size ? *size : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *size, f), *size);
	fclose(f);
	return buf;
}

/* Feed every regular file of dir to fn; the number fed. A missing dir is
 * no files. */
static unsigned replay_dir(const char *dir,
			   int (*fn)(const uint8_t *, size_t))
{
	char path[REPLAY_PATH_MAX];
	struct dirent *e;
	unsigned n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct stat st;
		uint8_t *buf;
		size_t size;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		buf = replay_read(path, &size);
		memcpy(replay_current, path, sizeof(path));
		fn(buf, size);
		replay_current[0] = '\0';
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void test_replay(void **state)
{
	const struct replay_target *t = *state;
	char dir[REPLAY_PATH_MAX];
	unsigned seeds;

	snprintf(dir, sizeof(dir), "%s/%s", REPLAY_CORPUS, t->name);
	seeds = replay_dir(dir, t->fn);
	if (seeds == 0)
		fail_msg("%s: no seed inputs", dir);
	snprintf(dir, sizeof(dir), "%s/%s", REPLAY_CRASHES, t->name);
	replay_dir(dir, t->fn);
}

/* Every directory under root must name a target. */
static void replay_check_dirs(const char *root)
{
	struct dirent *e;
	DIR *d = opendir(root);
	unsigned i;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		for (i = 0; i < REPLAY_N_TARGETS; i++)
			if (!strcmp(e->d_name, replay_targets[i].name))
				break;
		if (i == REPLAY_N_TARGETS)
			fail_msg("%s/%s: no fuzz target of that name", root,
				 e->d_name);
	}
	closedir(d);
}

static void test_dirs_name_targets(void **state)
{
	struct stat st;

	assert_int_equal(stat(REPLAY_CORPUS, &st), 0);
	replay_check_dirs(REPLAY_CORPUS);
	replay_check_dirs(REPLAY_CRASHES);
}

int main(void)
{
	struct CMUnitTest tests[1 + REPLAY_N_TARGETS] = {
		cmocka_unit_test(test_dirs_name_targets),
	};
	unsigned i;

	for (i = 0; i < REPLAY_N_TARGETS; i++)
		tests[1 + i] = (struct CMUnitTest){
			.name = replay_targets[i].name,
			.test_func = test_replay,
			.initial_state = (void *)&replay_targets[i],
		};
	signal(SIGABRT, replay_sigabrt);
#ifdef __SANITIZE_ADDRESS__
	__sanitizer_set_death_callback(replay_died);
#endif
	return cmocka_run_group_tests(tests, NULL, NULL);
}
