/*
 * idcard.c - checking and masking resident identity numbers (GB 11643-1999).
 *
 * The check character is ISO 7064 MOD 11-2: digit i (1-based, i = 1..17)
 * has the weight 2^(18-i) mod 11, the weighted sum is taken mod 11, and
 * that remainder r gives the character "10X98765432"[r]. The province codes
 * are those of GB/T 2260 (11..65 with gaps) plus 71 Taiwan, 81 Hong Kong and
 * 82 Macao; the rest of the region code is not checked (old codes stay on
 * old cards, and a county code list would be out of date by next year).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/text/fmt.h"
#include "handlers/domain/idcard.h"

#define IDCARD_DIGITS		17	/* before the check character */
#define IDCARD_MOD		11
#define IDCARD_MIN_YEAR		1900
#define IDCARD_MASK_HEAD	3
#define IDCARD_MASK_TAIL	4

static const unsigned char idcard_weight[IDCARD_DIGITS] = {
	7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
};

static const char idcard_check_chars[IDCARD_MOD + 1] = "10X98765432";

static const unsigned char idcard_provinces[] = {
	11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
	41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65,
	71, 81, 82,
};

char idcard_check_char(const char *d)
{
	unsigned sum = 0, i;

	for (i = 0; i < IDCARD_DIGITS; i++) {
		if (d[i] < '0' || d[i] > '9')
			return 0;
		sum += (d[i] - '0') * idcard_weight[i];
	}
	return idcard_check_chars[sum % IDCARD_MOD];
}

static bool idcard_province_ok(const char *id)
{
	unsigned code = (id[0] - '0') * 10 + (id[1] - '0');
	size_t i;

	for (i = 0; i < sizeof(idcard_provinces); i++)
		if (idcard_provinces[i] == code)
			return true;
	return false;
}

/* Copy in without surrounding spaces into c->id (if it fits), 'x' -> 'X'. */
static void idcard_normalise(const char *in, struct idcard *c)
{
	const char *e;

	while (*in == ' ' || *in == '\t')
		in++;
	e = in + strlen(in);
	while (e > in && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	c->len = e - in;
	if (c->len != IDCARD_LEN)
		return;
	memcpy(c->id, in, IDCARD_LEN);
	c->id[IDCARD_LEN] = '\0';
	if (c->id[IDCARD_LEN - 1] == 'x')
		c->id[IDCARD_LEN - 1] = 'X';
}

static enum idcard_status idcard_chars_ok(struct idcard *c)
{
	unsigned i;

	for (i = 0; i < IDCARD_LEN; i++) {
		char ch = c->id[i];

		if ((ch >= '0' && ch <= '9') ||
		    (i == IDCARD_LEN - 1 && ch == 'X'))
			continue;
		c->bad_pos = i + 1;
		return IDCARD_EDIGIT;
	}
	return IDCARD_OK;
}

/* Digits 7..14: a real date, not before 1900 and not after today. */
static enum idcard_status idcard_birth_ok(struct idcard *c, const char *today)
{
	const char *b = c->id + 6;
	int y = atoi((char[5]){ b[0], b[1], b[2], b[3], 0 });
	int m = (b[4] - '0') * 10 + (b[5] - '0');
	int d = (b[6] - '0') * 10 + (b[7] - '0');

	snprintf(c->birth, sizeof(c->birth), "%.4s-%.2s-%.2s", b, b + 4,
		 b + 6);
	if (y < IDCARD_MIN_YEAR || !fmt_date_valid(y, m, d))
		return IDCARD_EDATE;
	if (today && strcmp(c->birth, today) > 0)
		return IDCARD_EFUTURE;
	return IDCARD_OK;
}

enum idcard_status idcard_check(const char *in, const char *today,
				struct idcard *c)
{
	enum idcard_status st;

	memset(c, 0, sizeof(*c));
	idcard_normalise(in ? in : "", c);
	if (c->len != IDCARD_LEN)
		return IDCARD_ELEN;
	if ((st = idcard_chars_ok(c)) != IDCARD_OK)
		return st;
	memcpy(c->region, c->id, 6);
	c->male = (c->id[16] - '0') % 2;
	if (!idcard_province_ok(c->id))
		return IDCARD_EPROVINCE;
	if ((st = idcard_birth_ok(c, today)) != IDCARD_OK)
		return st;
	c->check_want = idcard_check_char(c->id);
	if (c->id[IDCARD_LEN - 1] != c->check_want)
		return IDCARD_ECHECK;
	return IDCARD_OK;
}

void idcard_explain(enum idcard_status st, const struct idcard *c,
		    char *buf, size_t cap)
{
	switch (st) {
	case IDCARD_OK:
		snprintf(buf, cap, "valid");
		break;
	case IDCARD_ELEN:
		snprintf(buf, cap, "resident ID is %zu characters, not %d",
			 c->len, IDCARD_LEN);
		break;
	case IDCARD_EDIGIT:
		snprintf(buf, cap, "resident ID has '%c' at position %u "
			 "(digits only, and X as the last character)",
			 c->id[c->bad_pos - 1], c->bad_pos);
		break;
	case IDCARD_EPROVINCE:
		snprintf(buf, cap, "resident ID starts with %.2s, which is no "
			 "province code", c->id);
		break;
	case IDCARD_EDATE:
		snprintf(buf, cap, "resident ID has birth date %.8s, which is "
			 "not a date", c->id + 6);
		break;
	case IDCARD_EFUTURE:
		snprintf(buf, cap, "resident ID has birth date %s, which is in "
			 "the future", c->birth);
		break;
	case IDCARD_ECHECK:
		snprintf(buf, cap, "checksum digit should be %c",
			 c->check_want);
		break;
	}
}

void idcard_mask(const char *id, char *out)
{
	size_t n = id ? strlen(id) : 0;

	memset(out, '*', IDCARD_LEN);
	out[IDCARD_LEN] = '\0';
	if (n != IDCARD_LEN)
		return;
	memcpy(out, id, IDCARD_MASK_HEAD);
	memcpy(out + IDCARD_LEN - IDCARD_MASK_TAIL,
	       id + IDCARD_LEN - IDCARD_MASK_TAIL, IDCARD_MASK_TAIL);
}
