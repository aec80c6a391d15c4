/*
 * command.h - an SMS text read as a command word and its argument.
 *
 * The first word decides (DESIGN.md, "SMS commands"). Before looking at it
 * the text is normalised: full-width ASCII (U+FF01-U+FF5E) and the
 * ideographic space are folded to half-width, Latin letters to upper case,
 * Chinese and ASCII punctuation, control characters and every kind of space
 * become one plain space. A keyword may be glued to its argument ("BM2031",
 * "报名2031", "补贴查询"). Input that names no command gets COMMAND_UNKNOWN
 * and, when a keyword is near (a typing slip in a Latin keyword, or a
 * Chinese keyword somewhere in the text), that keyword as a suggestion.
 *
 * Nothing here allocates or can fail: any byte string, valid UTF-8 or not,
 * of any length, gives a result (output fields are truncated at a
 * character boundary).
 */
#ifndef SGW_COMMAND_H
#define SGW_COMMAND_H

#include <stddef.h>

#define COMMAND_WORD_MAX	64	/* first word, bytes with NUL */
#define COMMAND_ARG_MAX		256	/* argument, bytes with NUL */

enum command_id {
	COMMAND_UNKNOWN = 0,
	COMMAND_HELP,
	COMMAND_REGISTER,
	COMMAND_SUBSIDY,
	COMMAND_COURSES,
	COMMAND_ENROL,
	COMMAND_CANCEL,
	COMMAND_RECORD,
	COMMAND_STOP,
	COMMAND_START,
	COMMAND_NUM
};

struct command {
	enum command_id id;		/* COMMAND_UNKNOWN when none matched */
	/* unknown input only: the nearest command and the keyword to suggest
	 * (a static string of the keyword table), else UNKNOWN and NULL */
	enum command_id near;
	const char *near_keyword;
	char word[COMMAND_WORD_MAX];	/* first word, normalised */
	char arg[COMMAND_ARG_MAX];	/* the rest, normalised, trimmed */
};

/* Normalise len bytes of text into out (see above; runs of separators
 * become one space, no space at either end). Invalid UTF-8 bytes count as
 * separators. Returns the length written, always NUL-terminated when
 * cap > 0. */
size_t command_normalise(const char *text, size_t len, char *out, size_t cap);

/* Read a command from len bytes of text (an MO, a USSD input). */
void command_parse(const char *text, size_t len, struct command *out);

/* A short English name of the command for logs ("subsidy"). */
const char *command_name(enum command_id id);

/* The main keyword of a command as printed in help texts ("BT"). */
const char *command_keyword(enum command_id id);

/* The keyword of the table nearest to word (normalised, upper case), or
 * NULL: see command.c for what "near" means. *id receives its command. */
const char *command_closest(const char *word, enum command_id *id);

/* The first run of digits in s, copied to out (at most cap - 1 digits; a
 * longer run is not a code and gives -EINVAL). 0, or -ENOENT when s has
 * no digit. Course codes are digits so any keypad can type them. */
int command_arg_digits(const char *s, char *out, size_t cap);

/* Split a registration argument into an 18-character resident ID (17
 * digits and a digit or X, found anywhere in s) and the name (everything
 * else, spaces dropped). 0; -ENOENT when s has no digit at all; -EINVAL
 * when its digits are not 18 characters of that shape; -ENODATA when the
 * name is missing; -EMSGSIZE when the name is longer than name_cap - 1. The
 * ID is only shaped, not checked: that is the roster's business. */
int command_arg_id_name(const char *s, char *id, size_t id_cap, char *name,
			size_t name_cap);

#endif
