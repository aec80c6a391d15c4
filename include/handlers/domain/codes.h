/*
 * codes.h - the code lists of the training programme: key groups, training
 * types, skill levels, certificate and subsidy kinds, and the statuses of
 * courses, enrolments and subsidies.
 *
 * The database stores the English codes ("migrant", "paid"). People read
 * and type the Chinese terms: every entry has a label (shown in replies to
 * workers, written in exports) and aliases (other terms that mean the same,
 * accepted on import), all from conf/glossary.conf, loaded once at start by
 * codes_load() and read-only afterwards. Before that, entries have no
 * words: lookups match codes only and labels are NULL.
 */
#ifndef SGW_CODES_H
#define SGW_CODES_H

#include <stddef.h>
#include <stdio.h>

struct codes_entry {
	const char *code;	/* as stored: "migrant" */
	const char *label;	/* the Chinese term: "农民工" */
	const char *aliases;	/* NULL or '|'-separated: "农村转移就业劳动者" */
};

struct codes_table {
	const char *what;	/* for messages: "key group" */
	const char *key;	/* its list in the glossary: "key_group" */
	struct codes_entry *e;
	unsigned n;
};

extern const struct codes_table codes_key_group;
extern const struct codes_table codes_training_type;
extern const struct codes_table codes_cert_kind;
extern const struct codes_table codes_subsidy_kind;
extern const struct codes_table codes_subsidy_status;
extern const struct codes_table codes_course_status;
extern const struct codes_table codes_enrol_status;
extern const struct codes_table codes_result;
extern const struct codes_table codes_channel;

#define CODES_LEVEL_MIN		1	/* 高级技师 */
#define CODES_LEVEL_MAX		5	/* 初级工 */
#define CODES_GROUPS_MAX	160	/* longest key-group list, all 11 */

/* Read the glossary at path (the words are the process's, until
 * codes_unload). Every problem is printed to err (may be NULL) as
 * FILE:LINE: glossary.LIST.CODE: reason; returns their number (0: loaded;
 * else nothing is loaded). */
int codes_load(const char *path, FILE *err);
/* Forget the words (also what codes_load does first). */
void codes_unload(void);

/* The code for text: a code (ASCII case ignored), a label or an alias.
 * NULL when text is neither. */
const char *codes_find(const struct codes_table *t, const char *text);

/* The Chinese label of code, or NULL for an unknown code. */
const char *codes_label(const struct codes_table *t, const char *code);

/* Skill level 1..5 from "1".."5" or a label (高级技师 .. 初级工, 一级 ..
 * 五级); -1 otherwise. */
int codes_level(const char *text);
const char *codes_level_label(int level);

/* Normalise a list of key groups, separated by any of , ; | 、 ， ； or
 * spaces or line breaks, given as codes or labels, into a comma list of codes in table
 * order without repeats ("" for an empty list). Returns 0, or -EINVAL with
 * the first unknown word copied to bad (bad may be NULL). */
int codes_key_groups(const char *text, char *out, size_t cap, char *bad,
		     size_t bad_cap);

#endif
