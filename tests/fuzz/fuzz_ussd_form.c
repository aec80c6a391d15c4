/*
 * fuzz_ussd_form.c - fuzz target for the form reader of the USSD HTTP
 * callback, ussd_http_form (gateway/ussd/http.c): an arbitrary request
 * body, searched for each field the callback reads, into buffers of
 * several sizes (one octet, a short one, a roomy one). The result is one
 * of the four documented values, a found value is NUL-terminated within
 * the buffer, and a value that fits a small buffer is found the same in a
 * large one.
 */
#include <errno.h>

#include "fuzz.h"
#include "gateway/ussd/http.h"

#define USSD_FORM_SMALL		8
#define USSD_FORM_LARGE		1024

static const char *const ussd_form_names[] = {
	"sessionId", "serviceCode", "phoneNumber", "text", "",
};

FUZZ_TARGET(ussd_form)
{
	char *body = fuzz_str(data, size);
	char tiny[1], small[USSD_FORM_SMALL], large[USSD_FORM_LARGE];
	unsigned i;
	int rs, rl;

	for (i = 0; i < sizeof(ussd_form_names) / sizeof(ussd_form_names[0]);
	     i++) {
		const char *name = ussd_form_names[i];
		int rt = ussd_http_form(body, name, tiny, sizeof(tiny));

		rs = ussd_http_form(body, name, small, sizeof(small));
		rl = ussd_http_form(body, name, large, sizeof(large));
		assert(rl == 1 || rl == 0 || rl == -EINVAL || rl == -ENOSPC);
		assert(rt == 0 ? rl == 0 : rl != 0);
		if (rl == 1)
			assert(strnlen(large, sizeof(large)) < sizeof(large));
		if (rs == 1) {
			assert(rl == 1);
			assert(strcmp(small, large) == 0);
		}
	}
	free(body);
	return 0;
}
