/*
 * privfile.c - private files for personal data: exports and reports are
 * written to a fresh temporary beside their final name and renamed into
 * place; the database and its directory are created private.
 *
 * The temporary's name ends in six random characters and is opened with
 * O_CREAT|O_EXCL|O_NOFOLLOW: a file or symlink someone planted under that
 * name makes the open fail instead of writing through it. rename() then
 * replaces whatever is at the final name (a symlink included: rename does
 * not follow it). Mode 0600 is set at creation, whatever the umask allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <talloc.h>

#include "gateway/privfile.h"

#define PRIVFILE_TRIES	16
#define PRIVFILE_MODE	0600
#define PRIVDIR_MODE	0700

struct privfile {
	char *path;
	char *tmp;
	FILE *f;
};

static void privfile_rand6(char *out)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	size_t i;

	if (getentropy(r, sizeof(r)) < 0)
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)random();
	for (i = 0; i < sizeof(r); i++)
		out[i] = set[r[i] % (sizeof(set) - 1)];
	out[6] = '\0';
}

static int privfile_destructor(struct privfile *pf)
{
	if (pf->f)
		fclose(pf->f);
	return 0;
}

struct privfile *privfile_create(void *ctx, const char *path)
{
	struct privfile *pf = talloc_zero(ctx, struct privfile);
	char suffix[7];
	int fd = -1, i;

	if (!pf || !(pf->path = talloc_strdup(pf, path))) {
		talloc_free(pf);
		errno = ENOMEM;
		return NULL;
	}
	talloc_set_destructor(pf, privfile_destructor);
	for (i = 0; i < PRIVFILE_TRIES && fd < 0; i++) {
		privfile_rand6(suffix);
		talloc_free(pf->tmp);
		pf->tmp = talloc_asprintf(pf, "%s.%s.tmp", path, suffix);
		if (!pf->tmp)
			break;
		fd = open(pf->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, PRIVFILE_MODE);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0 || fchmod(fd, PRIVFILE_MODE) < 0 ||
	    !(pf->f = fdopen(fd, "w"))) {
		int e = errno;

		if (fd >= 0) {
			close(fd);
			unlink(pf->tmp);
		}
		talloc_free(pf);
		errno = e;
		return NULL;
	}
	return pf;
}

FILE *privfile_stream(struct privfile *pf)
{
	return pf->f;
}

int privfile_commit(struct privfile *pf)
{
	int rc = 0;

	if (fflush(pf->f) != 0 || fsync(fileno(pf->f)) < 0)
		rc = -errno;
	if (fclose(pf->f) != 0 && rc == 0)
		rc = -errno;
	pf->f = NULL;
	if (rc == 0 && rename(pf->tmp, pf->path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(pf->tmp);
	talloc_free(pf);
	return rc;
}

void privfile_abort(struct privfile *pf)
{
	if (!pf)
		return;
	if (pf->f)
		fclose(pf->f);
	pf->f = NULL;
	unlink(pf->tmp);
	talloc_free(pf);
}

int privfile_prepare_db(const char *path)
{
	char *copy = strdup(path);
	const char *dir;
	int fd, rc = 0;

	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	if (mkdir(dir, PRIVDIR_MODE) < 0 && errno != EEXIST)
		rc = -errno;
	free(copy);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  PRIVFILE_MODE);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == EEXIST ? 0 : -errno;
}
