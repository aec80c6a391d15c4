/*
 * command.h - an SMS text read as a command word and its argument.
 *
 * The first word decides. Before looking at it the text is normalised
 * (gateway/text/input.h): full-width ASCII (U+FF01-U+FF5E) and the
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
	COMMAND_CHECKIN,	/* QD: confirm today's attendance with its code */
	COMMAND_RATE,		/* PJ: rate a course that ended */
	COMMAND_EMPLOYMENT,	/* JY: employed, self-employed, not yet */
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

/* Read a command from len bytes of text (an MO, a USSD input). */
void command_parse(const char *text, size_t len, struct command *out);

/* A short English name of the command for logs ("subsidy"). */
const char *command_name(enum command_id id);

/* The main keyword of a command as printed in help texts ("BT"). */
const char *command_keyword(enum command_id id);

/* The keyword of the table nearest to word (normalised, upper case), or
 * NULL: see command.c for what "near" means. *id receives its command. */
const char *command_closest(const char *word, enum command_id *id);

#endif
