/*
 * quarantine.c - skillctl quarantine list | release DIGEST
 *
 * The received PDUs the daemon died on (gateway/smpp/quarantine.h): list
 * them (digest, link, command, size, retries since, the start of the PDU
 * with addresses and texts blanked), or release one so that the SMSC's next
 * retry of it is handled again, after the bug is fixed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_data.h"
#include "gateway/db.h"
#include "gateway/smpp/quarantine.h"

static int ctl_quar_release(struct db *db, const char *digest)
{
	size_t n = strspn(digest, "0123456789abcdef");
	int rc;

	if (n != 16 || digest[n]) {
		fprintf(stderr, "skillctl quarantine release: '%s' is not a "
			"digest (16 hex digits, as quarantine list shows)\n",
			digest);
		return CTL_DATA_USER;
	}
	rc = smpp_quar_release(db, digest);
	if (rc == 0)
		rc = db_commit(db);
	if (rc == -ENOENT) {
		fprintf(stderr, "skillctl quarantine release: no PDU %s in the "
			"quarantine\n", digest);
		return CTL_DATA_USER;
	}
	if (rc < 0) {
		fprintf(stderr, "skillctl quarantine release: database error, "
			"nothing released\n");
		return CTL_DATA_SYS;
	}
	printf("released %s: the SMSC's next retry of it is handled\n", digest);
	return CTL_DATA_OK;
}

static int ctl_quar_list(struct db *db, bool json)
{
	int n = smpp_quar_list(db, stdout, json);

	if (n < 0) {
		fprintf(stderr, "skillctl quarantine list: cannot read the "
			"quarantine\n");
		return CTL_DATA_SYS;
	}
	if (!json && n == 0)
		printf("no PDU in the quarantine\n");
	return CTL_DATA_OK;
}

int ctl_quarantine_run(void *ctx, const char *config, bool json, int argc,
		       char **argv)
{
	struct config cfg;
	struct db *db;
	int rc;

	if (!(argc == 2 && !strcmp(argv[1], "list")) &&
	    !(argc == 3 && !strcmp(argv[1], "release"))) {
		fprintf(stderr, "usage: skillctl quarantine list | release "
			"DIGEST\n");
		return CTL_DATA_USER;
	}
	rc = ctl_data_open(ctx, config, &cfg, &db);
	if (rc != CTL_DATA_OK)
		return rc;
	rc = argc == 2 ? ctl_quar_list(db, json) : ctl_quar_release(db, argv[2]);
	db_close(db);
	return rc;
}
