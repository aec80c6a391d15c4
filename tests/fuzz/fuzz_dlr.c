/*
 * fuzz_dlr.c - fuzz target for the textual delivery receipt
 * (gateway/smpp/dlr.c): dlr_parse_text on arbitrary octets that are not
 * NUL-terminated (it must never read past len), and id normalisation in
 * every format on the id it found and on the whole input as a string.
 * A parsed receipt has a non-empty id that fits, a known state, and an
 * err that is -1 or not negative.
 */
#include <errno.h>

#include "gateway/smpp/dlr.h"
#include "fuzz.h"

static const enum config_id_fmt dlr_fmts[] = {
	CONFIG_ID_ASIS, CONFIG_ID_HEX, CONFIG_ID_DEC,
};

/* Normalise in every format into a buffer that fits and one that may not. */
static void dlr_normalise_all(const char *in)
{
	char out[SMPP_MSGID_MAX], small[4];
	unsigned i;
	int rc;

	for (i = 0; i < sizeof(dlr_fmts) / sizeof(dlr_fmts[0]); i++) {
		rc = dlr_id_normalise(in, dlr_fmts[i], out, sizeof(out));
		assert(rc == 0 || rc == -ENOSPC);
		if (rc == 0)
			assert(strlen(out) < sizeof(out));
		rc = dlr_id_normalise(in, dlr_fmts[i], small, sizeof(small));
		assert(rc == 0 || rc == -ENOSPC);
		if (rc == 0)
			assert(strlen(small) < sizeof(small));
	}
}

FUZZ_TARGET(dlr)
{
	struct dlr d;
	char *s;
	int rc;

	rc = dlr_parse_text((const char *)data, size, &d);
	assert(rc == 0 || rc == -EINVAL);
	if (rc == 0) {
		assert(d.id[0] != '\0');
		assert(strnlen(d.id, sizeof(d.id)) < sizeof(d.id));
		assert(d.state >= MTQ_RCPT_ENROUTE && d.state <= MTQ_RCPT_REJECTED);
		assert(d.err >= -1);
		dlr_state_str(d.state);
		mtq_rcpt_final(d.state);
		dlr_normalise_all(d.id);
	}
	s = fuzz_str(data, size);
	dlr_normalise_all(s);
	free(s);
	return 0;
}
