/*
 * csv.c - a streaming CSV reader with encoding detection, header mapping,
 * and a writer (see csv.h for the format and the conventions).
 *
 * The reader has three stages. csv_open() scans the whole input once with a
 * UTF-8 validator and rewinds: valid UTF-8 is passed through unchanged,
 * anything else goes through iconv from GB18030. The decoding stage fills
 * dec[] with UTF-8 (raw bytes for UTF-8 input, iconv output otherwise). The
 * parser takes bytes from dec[] one at a time through csv_getc() and builds
 * a record in buf[], each field NUL-terminated, with the start offsets in
 * start[]; the record's field pointers are set only when it is complete,
 * because buf[] may move while it grows.
 *
 * A decoding error is held back until the parser has used every byte
 * decoded before it, so the line number in its message is right.
 * Malformed records (an unclosed quote, text after a closing quote, a NUL
 * byte, too long, too many fields) are reported one at a time and the
 * parser carries on at the next line; only decoding and read errors end the
 * input.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "handlers/data/csv.h"

#define CSV_RAW_BUF	(64 * 1024)
#define CSV_DEC_BUF	(256 * 1024)	/* GB18030 -> UTF-8 grows <= 1.5x */
#define CSV_BOM		"\xef\xbb\xbf"
#define CSV_BOM_LEN	3
#define CSV_BUF_MAX	(CSV_RECORD_MAX + CSV_FIELDS_MAX)
#define CSV_EOF		(-1)
#define CSV_ERR		(-2)

struct csv {
	FILE *f;
	char *name;
	enum csv_enc enc;
	iconv_t cd;
	uint64_t size, pos;		/* raw bytes: all, read */
	char raw[CSV_RAW_BUF];		/* GB18030 input waiting for iconv */
	size_t raw_len;
	char dec[CSV_DEC_BUF];		/* UTF-8 for the parser */
	size_t dec_len, dec_off;
	bool raw_eof, started;
	int dec_err;			/* held-back decoding error */
	int back;			/* pushed-back byte or CSV_EOF */
	unsigned line;			/* physical line of the next byte */
	unsigned rec_line;		/* where the current record starts */
	/* the record being built */
	char *buf;			/* CSV_BUF_MAX bytes */
	size_t len;
	size_t start[CSV_FIELDS_MAX];	/* offsets of finished fields */
	size_t field_at;		/* offset of the field being read */
	char *fields[CSV_FIELDS_MAX];
	unsigned nf;
	bool bad;			/* a problem was found in it */
	char err[CSV_ERR_MAX];
};

/* ---- encoding detection ---- */

/* Incremental UTF-8 validation: need = continuation bytes still expected,
 * lo..hi the range the next one must be in (narrower after E0, ED, F0, F4,
 * which excludes overlong forms, surrogates and code points > U+10FFFF). */
struct csv_utf8 {
	unsigned need;
	unsigned char lo, hi;
};

static bool csv_utf8_lead(struct csv_utf8 *s, unsigned char b)
{
	s->lo = 0x80;
	s->hi = 0xbf;
	if (b >= 0xc2 && b <= 0xdf)
		s->need = 1;
	else if (b >= 0xe0 && b <= 0xef)
		s->need = 2;
	else if (b >= 0xf0 && b <= 0xf4)
		s->need = 3;
	else
		return false;
	if (b == 0xe0)
		s->lo = 0xa0;
	else if (b == 0xed)
		s->hi = 0x9f;
	else if (b == 0xf0)
		s->lo = 0x90;
	else if (b == 0xf4)
		s->hi = 0x8f;
	return true;
}

static bool csv_utf8_feed(struct csv_utf8 *s, const unsigned char *p,
			  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char b = p[i];

		if (s->need) {
			if (b < s->lo || b > s->hi)
				return false;
			s->lo = 0x80;
			s->hi = 0xbf;
			s->need--;
		} else if (b >= 0x80 && !csv_utf8_lead(s, b)) {
			return false;
		}
	}
	return true;
}

/* Read f to the end: its size, and whether it is all UTF-8. */
static int csv_scan(struct csv *c, char *err, size_t cap)
{
	struct csv_utf8 s = { 0 };
	bool utf8 = true;
	size_t n;

	while ((n = fread(c->raw, 1, sizeof(c->raw), c->f)) > 0) {
		if (!c->size && n >= 2 && ((unsigned char)c->raw[0] == 0xff ||
					    (unsigned char)c->raw[0] == 0xfe) &&
		    (unsigned char)c->raw[1] == ((unsigned char)c->raw[0] ^ 1)) {
			snprintf(err, cap, "%s: is UTF-16 (Excel \"Unicode "
				 "Text\"); save it as \"CSV UTF-8\" or \"CSV\"",
				 c->name);
			return -EINVAL;
		}
		if (utf8)
			utf8 = csv_utf8_feed(&s, (unsigned char *)c->raw, n);
		c->size += n;
	}
	if (ferror(c->f) || fseek(c->f, 0, SEEK_SET)) {
		snprintf(err, cap, "%s: cannot read it twice (%s); give a "
			 "file, not a pipe", c->name, strerror(errno));
		return -EIO;
	}
	c->enc = (utf8 && !s.need) ? CSV_ENC_UTF8 : CSV_ENC_GB18030;
	return 0;
}

/* ---- decoding ---- */

static int csv_set_err(struct csv *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int csv_set_err(struct csv *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return rc;
}

/* Append more raw bytes after the raw_len kept ones. */
static void csv_read_raw(struct csv *c)
{
	size_t n = fread(c->raw + c->raw_len, 1, sizeof(c->raw) - c->raw_len,
			 c->f);

	c->raw_len += n;
	c->pos += n;
	if (n == 0)
		c->raw_eof = true;
}

/* Convert what raw[] holds into dec[]; keep an incomplete tail. */
static int csv_iconv(struct csv *c)
{
	char *in = c->raw, *out = c->dec;
	size_t in_left = c->raw_len, out_left = sizeof(c->dec);
	size_t rc = iconv(c->cd, &in, &in_left, &out, &out_left);
	int e = errno;

	c->dec_len = out - c->dec;
	c->dec_off = 0;
	memmove(c->raw, in, in_left);
	c->raw_len = in_left;
	if (rc != (size_t)-1 || e == E2BIG || (e == EINVAL && !c->raw_eof))
		return 0;
	/* the parser reports it after the good bytes before it */
	c->dec_err = -EILSEQ;
	return 0;
}

/* Refill dec[]. 0 when there are bytes, CSV_EOF, or CSV_ERR. */
static int csv_refill(struct csv *c)
{
	if (c->dec_err)
		return CSV_ERR;
	c->dec_len = c->dec_off = 0;
	if (c->enc != CSV_ENC_GB18030) {
		c->dec_len = fread(c->dec, 1, sizeof(c->dec), c->f);
		c->dec_off = 0;
		c->pos += c->dec_len;
	} else {
		do {
			if (!c->raw_eof && c->raw_len < sizeof(c->raw))
				csv_read_raw(c);
			if (!c->raw_len)
				break;
			csv_iconv(c);
		} while (!c->dec_len && !c->dec_err);
	}
	if (ferror(c->f)) {
		c->dec_err = -EIO;
		return CSV_ERR;
	}
	if (c->dec_len)
		return 0;
	return c->dec_err ? CSV_ERR : CSV_EOF;
}

static int csv_getc_slow(struct csv *c)
{
	int rc = csv_refill(c);

	if (rc)
		return rc;
	if (!c->started) {
		c->started = true;
		if (c->dec_len >= CSV_BOM_LEN &&
		    !memcmp(c->dec, CSV_BOM, CSV_BOM_LEN)) {
			c->dec_off = CSV_BOM_LEN;
			if (c->enc == CSV_ENC_UTF8)
				c->enc = CSV_ENC_UTF8_BOM;
			if (c->dec_len == CSV_BOM_LEN)
				return csv_getc_slow(c);
		}
	}
	return (unsigned char)c->dec[c->dec_off++];
}

static inline int csv_getc(struct csv *c)
{
	int ch;

	if (c->back != CSV_EOF) {
		ch = c->back;
		c->back = CSV_EOF;
		return ch;
	}
	if (c->dec_off < c->dec_len)
		return (unsigned char)c->dec[c->dec_off++];
	return csv_getc_slow(c);
}

/* ---- opening ---- */

static int csv_destroy(struct csv *c)
{
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	return 0;
}

struct csv *csv_open(void *ctx, FILE *f, const char *name, char *err,
		     size_t err_cap)
{
	struct csv *c = talloc_zero(ctx, struct csv);

	if (!c) {
		snprintf(err, err_cap, "%s: out of memory", name);
		return NULL;
	}
	c->f = f;
	c->cd = (iconv_t)-1;
	c->back = CSV_EOF;
	c->line = 1;
	c->name = talloc_strdup(c, name);
	c->buf = talloc_size(c, CSV_BUF_MAX);
	talloc_set_destructor(c, csv_destroy);
	if (!c->name || !c->buf) {
		snprintf(err, err_cap, "%s: out of memory", name);
		goto fail;
	}
	if (csv_scan(c, err, err_cap))
		goto fail;
	if (c->enc == CSV_ENC_GB18030) {
		c->cd = iconv_open("UTF-8", "GB18030");
		if (c->cd == (iconv_t)-1) {
			snprintf(err, err_cap, "%s: is not UTF-8, and this "
				 "system cannot convert GB18030: %s", name,
				 strerror(errno));
			goto fail;
		}
	}
	return c;
fail:
	talloc_free(c);
	return NULL;
}

void csv_close(struct csv *c)
{
	talloc_free(c);
}

enum csv_enc csv_encoding(const struct csv *c)
{
	return c->enc;
}

const char *csv_encoding_name(enum csv_enc e)
{
	switch (e) {
	case CSV_ENC_UTF8:	return "UTF-8";
	case CSV_ENC_UTF8_BOM:	return "UTF-8 with BOM";
	case CSV_ENC_GB18030:	return "GBK/GB18030";
	}
	return "?";
}

uint64_t csv_size(const struct csv *c)
{
	return c->size;
}

uint64_t csv_pos(const struct csv *c)
{
	return c->pos;
}

const char *csv_error(const struct csv *c)
{
	return c->err;
}

/* ---- parsing ---- */

enum csv_state {
	CSV_FIELD_START,
	CSV_UNQUOTED,
	CSV_QUOTED,
	CSV_AFTER_QUOTE,	/* a '"' inside a quoted field */
};

/* Mark the record being built as bad (the first reason wins); the
 * message names the line the record starts on. */
static void csv_bad(struct csv *c, const char *why)
{
	if (c->bad)
		return;
	c->bad = true;
	snprintf(c->err, sizeof(c->err), "%s:%u: %s", c->name, c->rec_line,
		 why);
}

/* A data byte of the current field. buf[] is allocated once for the
 * longest record plus a terminator per field, so terminators always fit. */
static void csv_put_byte(struct csv *c, char ch)
{
	if (ch == '\0') {
		csv_bad(c, "contains a NUL byte");
		return;
	}
	if (c->len - c->nf >= CSV_RECORD_MAX) {	/* len - nf: data bytes */
		csv_bad(c, "record is longer than 65536 bytes");
		return;
	}
	c->buf[c->len++] = ch;
}

static void csv_end_field(struct csv *c)
{
	if (c->nf == CSV_FIELDS_MAX) {
		csv_bad(c, "record has more than 256 fields");
		return;
	}
	c->buf[c->len++] = '\0';
	c->start[c->nf++] = c->field_at;
	c->field_at = c->len;
}

/* After CR: swallow the LF of a CRLF. Counts the line either way. */
static void csv_newline(struct csv *c, int ch)
{
	if (ch == '\r') {
		int next = csv_getc(c);

		if (next != '\n')
			c->back = next;
	}
	c->line++;
}

/* Skip to the end of the physical line (after text behind a quote). */
static int csv_skip_line(struct csv *c)
{
	int ch;

	while ((ch = csv_getc(c)) >= 0 && ch != '\n' && ch != '\r')
		;
	if (ch == '\n' || ch == '\r')
		csv_newline(c, ch);
	return ch;
}

/* One step of the state machine for a byte ch (>= 0) outside the end of a
 * record. Returns 1 when ch ended the record. */
static int csv_step(struct csv *c, enum csv_state *st, int ch)
{
	switch (*st) {
	case CSV_FIELD_START:
		if (ch == '"') {
			*st = CSV_QUOTED;
			return 0;
		}
		/* fall through */
	case CSV_UNQUOTED:
		*st = CSV_UNQUOTED;
		break;
	case CSV_QUOTED:
		if (ch == '"') {
			*st = CSV_AFTER_QUOTE;
		} else if (ch == '\r' || ch == '\n') {
			csv_newline(c, ch);	/* kept as LF */
			csv_put_byte(c, '\n');
		} else {
			csv_put_byte(c, ch);
		}
		return 0;
	case CSV_AFTER_QUOTE:
		if (ch == '"') {
			csv_put_byte(c, '"');
			*st = CSV_QUOTED;
			return 0;
		}
		if (ch != ',' && ch != '\r' && ch != '\n') {
			csv_bad(c, "text after the closing quote of a field");
			csv_skip_line(c);
			return 1;
		}
		break;
	}
	if (ch == ',') {
		csv_end_field(c);
		*st = CSV_FIELD_START;
		return 0;
	}
	if (ch == '\r' || ch == '\n') {
		csv_newline(c, ch);
		return 1;
	}
	csv_put_byte(c, ch);
	return 0;
}

/* Build one record. 1 done, 0 no more input, CSV_ERR decoding/read. */
static int csv_parse(struct csv *c)
{
	enum csv_state st = CSV_FIELD_START;
	unsigned first = c->line;
	int ch;

	c->len = c->nf = c->field_at = 0;
	c->bad = false;
	c->rec_line = first;
	for (;;) {
		ch = csv_getc(c);
		if (ch == CSV_ERR)
			return CSV_ERR;
		if (ch == CSV_EOF) {
			if (st == CSV_QUOTED) {
				char why[64];

				snprintf(why, sizeof(why), "the quote opened "
					 "on line %u is never closed", first);
				csv_bad(c, why);
			}
			if (st == CSV_FIELD_START && c->nf == 0)
				return 0;
			break;
		}
		if (csv_step(c, &st, ch))
			break;
	}
	csv_end_field(c);
	return 1;
}

/* A record of one empty field: an empty line, skipped. */
static bool csv_blank(const struct csv *c)
{
	return c->nf == 1 && c->len == 1 && !c->bad;
}

int csv_next(struct csv *c, struct csv_record *r)
{
	unsigned i;
	int rc;

	do {
		r->line = c->line;
		rc = csv_parse(c);
	} while (rc == 1 && csv_blank(c));
	if (rc == CSV_ERR) {
		if (c->dec_err == -EIO)
			return csv_set_err(c, -EIO, "%s:%u: read error: %s",
					   c->name, c->line, strerror(errno));
		return csv_set_err(c, -EILSEQ, "%s:%u: text is neither UTF-8 "
				   "nor GBK/GB18030", c->name, c->line);
	}
	if (rc == 0)
		return 0;
	for (i = 0; i < c->nf; i++)
		c->fields[i] = c->buf + c->start[i];
	r->n = c->nf;
	r->field = c->fields;
	return c->bad ? -EINVAL : 1;
}

/* ---- header ---- */

#define CSV_NAME_MAX	128

/* Header name for comparison: ASCII lower case, without spaces, '_', '-',
 * and ASCII or full-width parentheses and spaces. */
static void csv_norm(const char *in, size_t n, char *out, size_t cap)
{
	static const char *const skip[] = { "\xe3\x80\x80", "\xef\xbc\x88",
					    "\xef\xbc\x89" };	/* 　（） */
	size_t i, k, o = 0;

	for (i = 0; i < n && o + 1 < cap;) {
		for (k = 0; k < sizeof(skip) / sizeof(skip[0]); k++)
			if (i + 3 <= n && !memcmp(in + i, skip[k], 3))
				break;
		if (k < sizeof(skip) / sizeof(skip[0])) {
			i += 3;
			continue;
		}
		if (!strchr(" \t_-()", in[i]))
			out[o++] = (in[i] >= 'A' && in[i] <= 'Z') ?
				   in[i] - 'A' + 'a' : in[i];
		i++;
	}
	out[o] = '\0';
}

bool csv_name_match(const char *names, const char *given)
{
	char want[CSV_NAME_MAX], have[CSV_NAME_MAX];
	const char *p = names, *bar;

	csv_norm(given, strlen(given), have, sizeof(have));
	if (!have[0])
		return false;
	for (;;) {
		bar = strchr(p, '|');
		csv_norm(p, bar ? (size_t)(bar - p) : strlen(p), want,
			 sizeof(want));
		if (!strcmp(want, have))
			return true;
		if (!bar)
			return false;
		p = bar + 1;
	}
}

/* The first of the '|'-separated names. */
static int csv_first_len(const char *names)
{
	const char *bar = strchr(names, '|');

	return bar ? (int)(bar - names) : (int)strlen(names);
}

/* names with ", " between them */
static void csv_print_names(FILE *err, const char *names)
{
	for (; *names; names++) {
		if (*names == '|')
			fputs(", ", err);
		else
			putc(*names, err);
	}
}

/* Which column does header field f name? -1: none. */
static int csv_header_field(const struct csv_record *hdr, unsigned f,
			    const struct csv_column *cols, unsigned n,
			    int *idx, FILE *err, const char *fname, int *rc)
{
	const char *name = hdr->field[f];
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!csv_name_match(cols[i].names, name))
			continue;
		if (cols[i].flags & CSV_COL_IGNORED)
			return i;	/* known, unused: any number of them */
		if (idx[i] >= 0) {
			fprintf(err, "%s:%u: %s: column appears twice (fields "
				"%d and %u)\n", fname, hdr->line, name,
				idx[i] + 1, f + 1);
			*rc = -EINVAL;
		} else {
			idx[i] = f;
		}
		return i;
	}
	return -1;
}

int csv_map_header(const struct csv_record *hdr, const struct csv_column *cols,
		   unsigned n, int *idx, FILE *err, const char *fname)
{
	char norm[CSV_NAME_MAX];
	unsigned i, f;
	int rc = 0;

	for (i = 0; i < n; i++)
		idx[i] = -1;
	for (f = 0; f < hdr->n; f++) {
		const char *name = hdr->field[f];

		csv_norm(name, strlen(name), norm, sizeof(norm));
		if (!norm[0])
			continue;	/* Excel's empty trailing columns */
		if (csv_header_field(hdr, f, cols, n, idx, err, fname, &rc) < 0)
			fprintf(err, "%s:%u: %s: warning: unknown column, "
				"ignored\n", fname, hdr->line, name);
	}
	for (i = 0; i < n; i++) {
		if (!(cols[i].flags & CSV_COL_REQUIRED) || idx[i] >= 0)
			continue;
		fprintf(err, "%s:%u: %.*s: missing column (accepted names: ",
			fname, hdr->line, csv_first_len(cols[i].names),
			cols[i].names);
		csv_print_names(err, cols[i].names);
		fputs(")\n", err);
		rc = -EINVAL;
	}
	return rc;
}

char *csv_get(const struct csv_record *r, int idx)
{
	static char empty[1];

	empty[0] = '\0';	/* callers may have written into it */
	return (idx >= 0 && (unsigned)idx < r->n) ? r->field[idx] : empty;
}

/* ---- writing ---- */

void csv_put(FILE *f, const char *s, unsigned flags)
{
	bool tab = *s && ((flags & CSV_PUT_TEXT) || strchr("=+-@", *s));
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (!(flags & CSV_PUT_FIRST))
		putc(',', f);
	if (quote)
		putc('"', f);
	if (tab)
		putc('\t', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	if (quote)
		putc('"', f);
}

void csv_put_end(FILE *f)
{
	fputs("\r\n", f);
}

void csv_put_bom(FILE *f)
{
	fputs(CSV_BOM, f);
}
