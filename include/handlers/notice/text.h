/*
 * text.h - the text of a bulk notice: the operator's words, the
 * placeholders they may use, the bureau's signature and the opt-out hint
 * around them, and rendering for one recipient.
 *
 * Placeholders: {name} the worker's name masked (张*明), {name_plain} in
 * clear, {course} the course name, {start_date} its start as 2026年12月1日,
 * {region} the worker's region (普宁市). A placeholder without a value (a
 * number not on the roster has no name) renders as nothing. Values are
 * copied as they are, never scanned for placeholders again, so a name on
 * the roster cannot inject one. A brace that does not form a known
 * placeholder is refused when the campaign is created.
 */
#ifndef SGW_NOTICE_TEXT_H
#define SGW_NOTICE_TEXT_H

#include <stddef.h>

enum notice_ph {
	NOTICE_PH_NAME,
	NOTICE_PH_NAME_PLAIN,
	NOTICE_PH_COURSE,
	NOTICE_PH_START_DATE,
	NOTICE_PH_REGION,
	NOTICE_PH_NUM
};

#define NOTICE_PH_BIT(p)	(1u << (p))
#define NOTICE_TEXT_MAX		4096	/* bytes of a rendered notice */
#define NOTICE_INPUT_MAX	2048	/* bytes of the operator's text */

/* Values for one recipient; NULL or "" renders as nothing. */
struct notice_vals {
	const char *name;		/* in clear, as on the roster */
	const char *course;
	const char *start_date;		/* ISO 2026-12-01 */
	const char *region;		/* region name */
};

/* The name of a placeholder without braces ("start_date"). */
const char *notice_ph_name(enum notice_ph p);

/* Check the operator's text: not empty, at most NOTICE_INPUT_MAX bytes,
 * valid UTF-8, every brace part of a known placeholder. 0 with the
 * placeholders used as NOTICE_PH_BIT()s in *uses, or -EINVAL with the
 * reason in why (cap bytes). */
int notice_text_check(const char *text, unsigned *uses, char *why,
		      size_t cap);

/* What is sent: signature + text + hint (either may be ""), talloc'ed
 * under ctx. */
char *notice_text_body(void *ctx, const char *signature, const char *text,
		       const char *hint);

/* Render body for one recipient into out. Returns the length, or -ENOSPC
 * when the result was cut to fit (at a character boundary). */
int notice_text_render(const char *body, const struct notice_vals *v,
		       char *out, size_t cap);

/* SMS parts the UTF-8 text takes (GSM 7-bit when every character fits,
 * else UCS-2, as the queue sends it); -EMSGSIZE beyond CHARSET_MAX_PARTS,
 * -EINVAL for empty text. *chars (may be NULL) gets its characters. */
int notice_text_parts(const char *text, unsigned *chars);

#endif
