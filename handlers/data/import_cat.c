/*
 * import_cat.c - the catalogues an import checks its rows against, held in
 * memory for the length of one import: regions, occupations, institutions
 * and courses, each sorted by code. They are small (hundreds to a few
 * thousand rows), so a million roster rows are checked without a query
 * each, and a reference to something unknown is reported precisely
 * ("unknown region 445299") instead of as a foreign-key failure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "import_priv.h"

enum imp_cat_stmt { IC_REGIONS, IC_OCCUPATIONS, IC_INSTITUTIONS, IC_COURSES };

/* Each returns code, name, occupation, level, capacity (NULL/0 if none),
 * ordered by code as strcmp() orders it (SQLite's BINARY collation). */
static const char *const imp_cat_sql[] = {
	[IC_REGIONS] = "SELECT code, name, NULL, 0, 0 FROM region"
		" ORDER BY code",
	[IC_OCCUPATIONS] = "SELECT code, name, NULL, 0, 0 FROM occupation"
		" ORDER BY code",
	[IC_INSTITUTIONS] = "SELECT code, NULL, NULL, 0, 0 FROM institution"
		" ORDER BY code",
	[IC_COURSES] = "SELECT code, NULL, occupation, level, capacity"
		" FROM course ORDER BY code",
};

static char *imp_cat_str(void *ctx, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? talloc_strdup(ctx, (const char *)s) : NULL;
}

static int imp_cat_read(struct imp *im, enum imp_cat_stmt which,
			struct imp_cat_list *l)
{
	sqlite3_stmt *st;
	unsigned cap = 64;
	int rc = SQLITE_DONE;

	if (db_prepare(im->db, &imp_cat_sql[which], 1, &st))
		return -EIO;
	l->n = 0;
	l->e = talloc_zero_array(im, struct imp_cat_entry, cap);
	while (l->e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (l->n == cap)
			l->e = talloc_realloc(im, l->e, struct imp_cat_entry,
					      cap *= 2);
		if (!l->e)
			break;
		l->e[l->n] = (struct imp_cat_entry){
			.code = imp_cat_str(l->e, st, 0),
			.name = imp_cat_str(l->e, st, 1),
			.occupation = imp_cat_str(l->e, st, 2),
			.level = sqlite3_column_int(st, 3),
			.capacity = sqlite3_column_int(st, 4),
		};
		l->n++;
	}
	db_finalize(&st, 1);
	return (l->e && rc == SQLITE_DONE) ? 0 : -EIO;
}

int imp_cat_load(struct imp *im, unsigned needs)
{
	static const struct {
		unsigned need;
		enum imp_cat_stmt st;
		size_t off;
	} lists[] = {
		{ IMP_NEED_REGIONS, IC_REGIONS,
		  offsetof(struct imp_cat, regions) },
		{ IMP_NEED_OCCUPATIONS, IC_OCCUPATIONS,
		  offsetof(struct imp_cat, occupations) },
		{ IMP_NEED_INSTITUTIONS, IC_INSTITUTIONS,
		  offsetof(struct imp_cat, institutions) },
		{ IMP_NEED_COURSES, IC_COURSES,
		  offsetof(struct imp_cat, courses) },
	};
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (!(needs & lists[i].need))
			continue;
		if (imp_cat_read(im, lists[i].st, (struct imp_cat_list *)
				 ((char *)&im->cat + lists[i].off)))
			return -EIO;
	}
	return 0;
}

static int imp_cat_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct imp_cat_entry *)elem)->code);
}

const struct imp_cat_entry *imp_cat_find(const struct imp_cat_list *l,
					 const char *code)
{
	if (!l->n)
		return NULL;
	return bsearch(code, l->e, l->n, sizeof(l->e[0]), imp_cat_cmp);
}

const struct imp_cat_entry *imp_cat_region(const struct imp_cat *c,
					   const char *text)
{
	const struct imp_cat_entry *e = imp_cat_find(&c->regions, text), *hit;
	size_t len = strlen(text);
	unsigned i, hits = 0;

	if (e || !len)
		return e;
	for (i = 0; i < c->regions.n; i++) {
		if (!strcmp(c->regions.e[i].name, text))
			return &c->regions.e[i];
		if (!strncmp(c->regions.e[i].name, text, len)) {
			hit = &c->regions.e[i];
			hits++;
		}
	}
	return hits == 1 ? hit : NULL;
}

const struct imp_cat_entry *imp_cat_occupation(const struct imp_cat *c,
					       const char *text)
{
	const struct imp_cat_entry *e = imp_cat_find(&c->occupations, text);
	unsigned i;

	for (i = 0; !e && i < c->occupations.n; i++)
		if (!strcmp(c->occupations.e[i].name, text))
			e = &c->occupations.e[i];
	return e;
}
