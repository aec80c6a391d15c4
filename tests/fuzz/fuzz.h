/*
 * fuzz.h - what every fuzz target of tests/fuzz shares.
 *
 * A target is one function, fuzz_NAME(data, size), written with
 * FUZZ_TARGET(NAME) { ... }: it feeds arbitrary bytes to the code under
 * test and checks the contract with assert(), so a broken promise is a
 * crash the fuzzer keeps. The same function runs in two builds:
 *
 *   - libFuzzer (make fuzz, clang, -DFUZZ_LIBFUZZER): the macro also
 *     defines LLVMFuzzerTestOneInput, which calls it;
 *   - the replay test (tests/unit/test_fuzz_corpus.c, gcc, part of make
 *     test), which includes every target file into one program and feeds it
 *     each file of tests/fuzz/corpus/NAME/ and tests/fuzz/crashes/NAME/.
 *
 * Because of the second build, every static name in a target file carries
 * the target's name as prefix (pdu_, csv_, ...), and a target initialises
 * what it needs itself, on its first call, through the idempotent helpers
 * below. The input is never NUL-terminated: a target that needs a C string
 * makes one with fuzz_str().
 */
#ifndef SGW_FUZZ_H
#define SGW_FUZZ_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>

#include "gateway/log.h"

#ifdef FUZZ_LIBFUZZER
#define FUZZ_TARGET(name)						\
	int fuzz_##name(const uint8_t *data, size_t size);		\
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);	\
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)	\
	{								\
		return fuzz_##name(data, size);				\
	}								\
	int fuzz_##name(const uint8_t *data, size_t size)
#else
#define FUZZ_TARGET(name)						\
	int fuzz_##name(const uint8_t *data, size_t size);		\
	int fuzz_##name(const uint8_t *data, size_t size)
#endif

/* libosmocore logging with our categories, every message formatted (the
 * log lines of malformed input are code under test too) and written to
 * /dev/null, nothing to stderr. Once per process. */
static inline void fuzz_log_init(void)
{
	static bool done;
	struct log_target *t;
	unsigned i;

	if (done)
		return;
	done = true;
	if (osmo_init_logging2(NULL, &sgw_log_info) < 0)
		abort();
	/* nothing on stderr: a fuzzer prints its own progress there */
	log_target_destroy(osmo_stderr_target);
	osmo_stderr_target = NULL;
	t = log_target_create_file("/dev/null");
	if (!t)
		abort();
	log_set_all_filter(t, 1);
	for (i = 0; i < sgw_log_info.num_cat; i++)
		log_set_category_filter(t, i, 1, LOGL_DEBUG);
	log_add_target(t);
}

/* A NUL-terminated heap copy of the input (free() it). An embedded NUL
 * simply ends the string early, as it would for the caller in the
 * product. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* True when s/len is well-formed UTF-8 (Unicode table 3-7: no overlongs,
 * no surrogates, nothing above U+10FFFF). Written here, independently of
 * the product's decoders, so it can check them. */
static inline bool fuzz_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t b = s[i];
		unsigned n, k;
		uint8_t lo = 0x80, hi = 0xBF;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xC2 && b <= 0xDF)
			n = 1;
		else if (b >= 0xE0 && b <= 0xEF)
			n = 2;
		else if (b >= 0xF0 && b <= 0xF4)
			n = 3;
		else
			return false;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
		else if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || s[i + k] < lo || s[i + k] > hi)
				return false;
			lo = 0x80;
			hi = 0xBF;
		}
		i += n + 1;
	}
	return true;
}

#endif
