/*
 * fuzz_csv.c - fuzz target for the CSV reader (handlers/data/csv.c) and
 * the field parsers the import applies to every field (resident IDs,
 * dates, yuan, key groups, skill levels, name masking): any bytes, in any
 * encoding or none, must be read without a crash, an overrun, a leak or
 * undefined behaviour; records come out NUL-terminated, within the limits,
 * with line numbers that never go back.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "handlers/domain/codes.h"
#include "handlers/data/csv.h"
#include "gateway/text/fmt.h"
#include "fuzz.h"
#include "handlers/domain/idcard.h"

static const struct csv_column csv_fuzz_cols[] = {
	{ "身份证号|id_number", CSV_COL_REQUIRED },
	{ "姓名|name", 0 },
	{ "课程名称|course_name", CSV_COL_IGNORED },
};

/* What the import does with a field, minus the database. */
static void csv_fuzz_field(const char *s)
{
	char iso[FMT_ISO_DATE], out[CODES_GROUPS_MAX], bad[32], mask[64];
	struct idcard id;
	int64_t fen;

	idcard_check(s, "2026-11-30", &id);
	assert(strlen(id.id) <= IDCARD_LEN);
	if (fmt_date_parse(s, iso) == 0)
		assert(strlen(iso) == 10);
	fmt_yuan_parse(s, &fen);
	codes_key_groups(s, out, sizeof(out), bad, sizeof(bad));
	codes_level(s);
	if (fmt_name_mask(s, mask, sizeof(mask)) == 0)
		assert(strlen(mask) < sizeof(mask));
}

FUZZ_TARGET(csv)
{
	FILE *f = fmemopen((void *)data, size, "r"), *err;
	char msg[CSV_ERR_MAX + 64];
	struct csv_record r;
	unsigned last = 0, i;
	struct csv *c;
	int idx[3], rc;

	if (!f)
		return 0;
	c = csv_open(NULL, f, "fuzz.csv", msg, sizeof(msg));
	err = fopen("/dev/null", "w");
	while (c && (rc = csv_next(c, &r)) != 0) {
		assert(r.line >= last);
		last = r.line;
		assert(strlen(csv_error(c)) < CSV_ERR_MAX);
		if (rc < 0 && rc != -EINVAL)
			break;
		if (rc < 0)
			continue;
		assert(r.n >= 1 && r.n <= CSV_FIELDS_MAX);
		for (i = 0; i < r.n; i++) {
			assert(strlen(r.field[i]) <= CSV_RECORD_MAX);
			csv_fuzz_field(r.field[i]);
		}
		csv_map_header(&r, csv_fuzz_cols, 3, idx, err, "fuzz.csv");
	}
	if (c)
		assert(csv_pos(c) <= csv_size(c));
	csv_close(c);
	fclose(err);
	fclose(f);
	return 0;
}
