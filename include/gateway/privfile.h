/*
 * privfile.h - files that hold personal data (exports, reports): created
 * mode 0600 under a temporary name that nobody else can have prepared,
 * then renamed into place, so a reader never sees half a file and a
 * symlink planted at the final name is replaced, never followed.
 *
 *	struct privfile *pf = privfile_create(ctx, "enrolments.csv");
 *	fprintf(privfile_stream(pf), ...);
 *	rc = privfile_commit(pf);	(or privfile_abort(pf))
 */
#ifndef SGW_PRIVFILE_H
#define SGW_PRIVFILE_H

#include <stdio.h>

struct privfile;

/* A new temporary file beside path (O_CREAT|O_EXCL|O_NOFOLLOW, 0600).
 * NULL with errno set when it cannot be created. */
struct privfile *privfile_create(void *ctx, const char *path);
FILE *privfile_stream(struct privfile *pf);

/* Flush, fsync, rename over path; frees pf. 0 or a negative errno (the
 * temporary is removed then). */
int privfile_commit(struct privfile *pf);
/* Remove the temporary; frees pf. NULL is allowed. */
void privfile_abort(struct privfile *pf);

/* Create the directory of a database (0700) if missing and the database
 * file itself (0600) if missing, so that SQLite's -wal and -shm files,
 * which copy its mode, are private too. 0 or a negative errno. */
int privfile_prepare_db(const char *path);

#endif
