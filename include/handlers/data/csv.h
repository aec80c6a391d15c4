/*
 * csv.h - reading and writing CSV files as the bureau's spreadsheets make
 * them.
 *
 * The reader streams RFC 4180 records: fields separated by commas, quoted
 * with '"' when they hold commas, quotes (doubled) or line breaks; records
 * end with CRLF, LF or CR. Every record carries the physical line number it
 * starts on, so errors can say FILE:LINE even after quoted line breaks.
 * Completely empty lines are skipped.
 *
 * Encoding: a file that is valid UTF-8 (with or without a byte-order mark)
 * is read as UTF-8; anything else is taken as GBK, which Excel in China
 * writes, and converted with iconv from GB18030 (a superset of GBK and
 * GB2312). The whole file is scanned once before reading to decide, so the
 * input must be seekable (a file, not a pipe). UTF-16 ("Unicode text" from
 * Excel) is recognised and refused with a hint. Fields come out as UTF-8.
 *
 * The header row is matched to the caller's columns by name: each column
 * lists the names it accepts (Chinese and English); matching ignores ASCII
 * case, spaces, '_' and '-'.
 */
#ifndef SGW_CSV_H
#define SGW_CSV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CSV_FIELDS_MAX	256		/* fields per record */
#define CSV_RECORD_MAX	(64 * 1024)	/* bytes per record, as UTF-8 */
#define CSV_ERR_MAX	160

enum csv_enc {
	CSV_ENC_UTF8,
	CSV_ENC_UTF8_BOM,
	CSV_ENC_GB18030,
};

struct csv;

struct csv_record {
	unsigned line;		/* physical line (1-based) it starts on */
	unsigned n;		/* number of fields, >= 1 */
	char **field;		/* n UTF-8 strings, owned by the reader and
				 * valid until the next csv_next(); callers
				 * may modify them in place (e.g. trim) */
};

/* Open a reader on f (name is used in messages). Scans f to decide the
 * encoding and rewinds it. NULL on error, with the reason in err. The
 * reader does not close f. */
struct csv *csv_open(void *ctx, FILE *f, const char *name, char *err,
		     size_t err_cap);
void csv_close(struct csv *c);

enum csv_enc csv_encoding(const struct csv *c);
const char *csv_encoding_name(enum csv_enc e);

/* Bytes of input in all, and read so far (for progress reporting). */
uint64_t csv_size(const struct csv *c);
uint64_t csv_pos(const struct csv *c);

/* The next record. Returns 1 with *r filled; 0 at the end of input;
 * -EINVAL for a malformed record (r->line says where it started,
 * csv_error() what is wrong; reading continues after it); -EILSEQ when the
 * text cannot be decoded, -EIO on a read error (both final; csv_error()
 * says where). */
int csv_next(struct csv *c, struct csv_record *r);
const char *csv_error(const struct csv *c);

/* ---- header ---- */

#define CSV_COL_REQUIRED	0x1	/* the file must have it */
#define CSV_COL_IGNORED		0x2	/* known names (e.g. export columns), not
					 * used; any number of them may match */

struct csv_column {
	const char *names;	/* '|'-separated; the first is used in messages */
	unsigned flags;
};

/* Match the header record hdr to cols[0..n-1]: idx[i] becomes the field
 * index of column i, or -1 when the file does not have it. Problems are
 * printed to err as "FILE:LINE: column: what": a missing required column or
 * a column given twice (errors), a header name nobody knows (warning, the
 * field is ignored). Returns 0 or -EINVAL if there was an error. */
int csv_map_header(const struct csv_record *hdr, const struct csv_column *cols,
		   unsigned n, int *idx, FILE *err, const char *fname);

/* Does the header name given match one of names ('|'-separated)? */
bool csv_name_match(const char *names, const char *given);

/* Field idx of r, or "" when idx < 0 or the record is shorter. */
char *csv_get(const struct csv_record *r, int idx);

/* ---- writing ---- */

#define CSV_PUT_FIRST	0x1	/* first field of a record: no comma */
#define CSV_PUT_TEXT	0x2	/* keep as text in Excel: prefix a TAB */

/* Write one field, quoted when it must be. Fields that Excel would run as a
 * formula (starting with = + - @) are always prefixed with a TAB, as are
 * CSV_PUT_TEXT fields (long digit strings such as resident IDs, which Excel
 * would otherwise turn into 4.45202E+17). */
void csv_put(FILE *f, const char *s, unsigned flags);
/* End a record (CRLF, as RFC 4180 and Excel want). */
void csv_put_end(FILE *f);
/* The UTF-8 byte-order mark, which makes Excel read the file as UTF-8. */
void csv_put_bom(FILE *f);

#endif
