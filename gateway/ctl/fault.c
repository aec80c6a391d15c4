/*
 * fault.c - skillctl's one line for a storage fault (see fault.h): the
 * cause in words from what db_fault.c noted when the call failed, never
 * the "Input/output error" the verbs' errno says, and never one line per
 * row or number after it.
 */
#include <stdio.h>

#include "gateway/db_fault.h"
#include "fault.h"

int ctl_fault(const char *verb, const char *db_path, unsigned long seq,
	      const char *where, const char *kept)
{
	char why[128];
	int e;
	enum db_fault f = db_fault_last_at(seq, &e, db_path);

	fprintf(stderr, "skillctl %s: %s: %s%s%s%s; %s\n", verb, db_path,
		db_fault_words(f, e, why, sizeof(why)), where ? " (at " : "",
		where ? where : "", where ? ")" : "", kept);
	return CTL_FAULT_EXIT;
}
