/*
 * dlr.c - delivery receipts: parse them, name their states, and normalise
 * SMSC message ids so a receipt can be matched to the submit it answers.
 *
 * A receipt arrives as a deliver_sm with the receipt bit in esm_class. The
 * id and state come from the receipted_message_id and message_state TLVs
 * when the SMSC sends them, else from the text of the de-facto format of
 * SMPP 3.4 Appendix B:
 *
 *   id:IIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm
 *   stat:DDDDDDD err:E text:...
 *
 * The text parser scans the octets it is given and never past len (the text
 * is not NUL-terminated). At each token it tries the known keys, case
 * insensitively; a value runs to the next space, except text: which runs to
 * the end. Fields may come in any order, unknown words are skipped. Only
 * id, stat and err are kept.
 *
 * Some SMSCs answer submit_sm with a hexadecimal id and put the same id in
 * decimal into receipts; dlr_id_normalise turns both into one canonical
 * form, chosen per link.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <osmocom/core/utils.h>

#include "gateway/smpp/dlr.h"

#define HEX_BASE	16
#define DEC_BASE	10

enum dlr_key {
	KEY_ID,
	KEY_SUB,
	KEY_DLVRD,
	KEY_SUBMIT_DATE,
	KEY_DONE_DATE,
	KEY_STAT,
	KEY_ERR,
	KEY_TEXT,
	KEY_NONE,
};

static const char *const dlr_keys[] = {
	[KEY_ID]		= "id:",
	[KEY_SUB]		= "sub:",
	[KEY_DLVRD]		= "dlvrd:",
	[KEY_SUBMIT_DATE]	= "submit date:",
	[KEY_DONE_DATE]		= "done date:",
	[KEY_STAT]		= "stat:",
	[KEY_ERR]		= "err:",
	[KEY_TEXT]		= "text:",
};

/* stat: words. The first entry of each state is its canonical name; the
 * long forms are spellings some SMSCs use. */
static const struct {
	const char *word;
	enum mtq_rcpt state;
} dlr_words[] = {
	{ "ENROUTE",	MTQ_RCPT_ENROUTE },
	{ "DELIVRD",	MTQ_RCPT_DELIVERED },
	{ "EXPIRED",	MTQ_RCPT_EXPIRED },
	{ "DELETED",	MTQ_RCPT_DELETED },
	{ "UNDELIV",	MTQ_RCPT_UNDELIVERABLE },
	{ "ACCEPTD",	MTQ_RCPT_ACCEPTED },
	{ "UNKNOWN",	MTQ_RCPT_UNKNOWN },
	{ "REJECTD",	MTQ_RCPT_REJECTED },
	{ "DELIVERED",	MTQ_RCPT_DELIVERED },
	{ "UNDELIVERABLE", MTQ_RCPT_UNDELIVERABLE },
	{ "UNDELIVERED", MTQ_RCPT_UNDELIVERABLE },
	{ "ACCEPTED",	MTQ_RCPT_ACCEPTED },
	{ "REJECTED",	MTQ_RCPT_REJECTED },
};

/* The fields we keep while scanning; a NULL value means "not seen". */
struct dlr_fields {
	const char *id, *stat, *err;
	size_t id_len, stat_len, err_len;
};

static bool is_space(char c)
{
	return c == ' ';
}

/* Does s[0..len) start with key (case-insensitively)? */
static bool has_prefix(const char *s, size_t len, const char *key)
{
	size_t n = strlen(key);

	return n <= len && strncasecmp(s, key, n) == 0;
}

static enum dlr_key key_at(const char *s, size_t len)
{
	size_t k;

	for (k = 0; k < KEY_NONE; k++)
		if (has_prefix(s, len, dlr_keys[k]))
			return k;
	return KEY_NONE;
}

static size_t word_len(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && !is_space(s[n]))
		n++;
	return n;
}

/* Value of a key starting at s: spaces after the colon are skipped unless
 * the next word is itself a key (then the value is empty). */
static size_t value_start(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && is_space(s[n]))
		n++;
	return n < len && key_at(s + n, len - n) != KEY_NONE ? 0 : n;
}

static void field_keep(struct dlr_fields *f, enum dlr_key k, const char *v,
		       size_t n)
{
	switch (k) {
	case KEY_ID:
		f->id = v;
		f->id_len = n;
		break;
	case KEY_STAT:
		f->stat = v;
		f->stat_len = n;
		break;
	case KEY_ERR:
		f->err = v;
		f->err_len = n;
		break;
	default:
		break;
	}
}

static void dlr_scan(const char *s, size_t len, struct dlr_fields *f)
{
	size_t pos = 0;

	while (pos < len) {
		enum dlr_key k;
		size_t n;

		if (is_space(s[pos])) {
			pos++;
			continue;
		}
		k = key_at(s + pos, len - pos);
		if (k == KEY_NONE) {
			pos += word_len(s + pos, len - pos);
			continue;
		}
		if (k == KEY_TEXT)
			return;	/* free text to the end: nothing we keep */
		pos += strlen(dlr_keys[k]);
		pos += value_start(s + pos, len - pos);
		n = word_len(s + pos, len - pos);
		field_keep(f, k, s + pos, n);
		pos += n;
	}
}

static int stat_parse(const char *s, size_t n, enum mtq_rcpt *state)
{
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(dlr_words); i++) {
		if (strlen(dlr_words[i].word) == n &&
		    strncasecmp(s, dlr_words[i].word, n) == 0) {
			*state = dlr_words[i].state;
			return 0;
		}
	}
	/* a stat: we do not know is still a receipt, of unknown state */
	*state = MTQ_RCPT_UNKNOWN;
	return 0;
}

/* Decimal err: value, -1 when absent, not decimal or too large. */
static int err_parse(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	if (!s || n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) ||
		    v > (INT_MAX - (DEC_BASE - 1)) / DEC_BASE)
			return -1;
		v = v * DEC_BASE + (s[i] - '0');
	}
	return v;
}

int dlr_parse_text(const char *text, size_t len, struct dlr *d)
{
	struct dlr_fields f = { 0 };

	memset(d, 0, sizeof(*d));
	d->err = -1;
	if (!text)
		return -EINVAL;
	/* some SMSCs end short_message with NUL: the text ends there, and an
	 * id must not carry one (it would match a shorter id) */
	len = strnlen(text, len);
	dlr_scan(text, len, &f);
	if (!f.id || f.id_len == 0 || f.id_len >= sizeof(d->id) || !f.stat)
		return -EINVAL;
	if (stat_parse(f.stat, f.stat_len, &d->state) < 0)
		return -EINVAL;
	memcpy(d->id, f.id, f.id_len);
	d->id[f.id_len] = '\0';
	d->err = err_parse(f.err, f.err_len);
	return 0;
}

static bool state_valid(int s)
{
	return s >= MTQ_RCPT_ENROUTE && s <= MTQ_RCPT_REJECTED;
}

/* TLVs first, field by field; the text fills what they leave out and
 * is the only source of err. */
int dlr_from_deliver(const struct smpp_deliver *dl, struct dlr *d)
{
	const char *text = (const char *)dl->text;
	struct dlr txt;
	bool have_txt;

	memset(d, 0, sizeof(*d));
	d->err = -1;
	if (!dl->is_receipt)
		return -EINVAL;
	have_txt = dlr_parse_text(text, text ? dl->text_len : 0, &txt) == 0;
	if (dl->has_receipted_id)
		memcpy(d->id, dl->receipted_id, sizeof(d->id));
	else if (have_txt)
		memcpy(d->id, txt.id, sizeof(d->id));
	else
		return -EINVAL;
	if (state_valid(dl->msg_state))
		d->state = dl->msg_state;
	else if (have_txt)
		d->state = txt.state;
	else
		return -EINVAL;
	d->err = have_txt ? txt.err : -1;
	return 0;
}

const char *dlr_state_str(enum mtq_rcpt s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dlr_words); i++)
		if (dlr_words[i].state == s)
			return dlr_words[i].word;
	return "INVALID";
}

void dlr_why(enum mtq_state state, uint32_t status, int dlr_state,
	     int dlr_err, char *out, size_t cap)
{
	if (dlr_state >= 0)
		snprintf(out, cap, "receipt %s, error %d",
			 dlr_state_str(dlr_state), dlr_err);
	else if (status)
		snprintf(out, cap, "SMSC refused: %s (0x%02x)",
			 smpp_pdu_status_str(status), status);
	else if (state == MTQ_EXPIRED)
		snprintf(out, cap, "expired: validity or end time passed");
	else
		snprintf(out, cap, "failed: no answer from the SMSC");
}

/* -- id normalisation --------------------------------------------------- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + DEC_BASE;
	return -1;
}

/* Whole string as a 64-bit hexadecimal number; false if it is not one. */
static bool hex_parse(const char *s, uint64_t *v)
{
	*v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		int x = hex_digit(*s);

		if (x < 0 || *v > (UINT64_MAX >> 4))
			return false;
		*v = *v * HEX_BASE + (unsigned)x;
	}
	return true;
}

static int out_copy(const char *s, size_t n, char *out, size_t cap)
{
	if (n >= cap) {
		if (cap)
			out[0] = '\0';
		return -ENOSPC;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int dlr_id_normalise(const char *in, enum config_id_fmt fmt, char *out,
		     size_t cap)
{
	char dec[sizeof("18446744073709551615")];
	uint64_t v;

	if (!in)
		in = "";
	switch (fmt) {
	case CONFIG_ID_HEX:
		if (!hex_parse(in, &v))
			break;
		snprintf(dec, sizeof(dec), "%" PRIu64, v);
		return out_copy(dec, strlen(dec), out, cap);
	case CONFIG_ID_DEC:
		if (!all_digits(in))
			break;
		while (in[0] == '0' && in[1] != '\0')
			in++;
		break;
	case CONFIG_ID_ASIS:
		break;
	}
	return out_copy(in, strlen(in), out, cap);
}
