/*
 * quarantine.c - received PDUs the daemon died on, kept out of its way
 * (see quarantine.h).
 *
 * The mark is a struct quar_mark in a file mapped MAP_SHARED: a store into
 * it is in the page cache as soon as it is made, and the page outlives the
 * process (not a power cut, which a crash loop is not about). At start a
 * mark in state QUAR_BUSY means the last run died inside the handling of
 * that PDU. Its digest becomes a row of pdu_quarantine, with the start of
 * the PDU as hex, addresses and texts blanked (smpp_check_redact).
 *
 * The quarantined digests are few (one per crash found) and held in a small
 * array; a received PDU is compared against them, which costs nothing when
 * there are none A retry of one updates its row; when the row is gone (an
 * operator released it) the PDU is handled again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <osmocom/core/bit32gen.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/clock.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/smpp/check.h"
#include "gateway/smpp/pdu.h"
#include "gateway/smpp/quarantine.h"

#define QUAR_MAGIC	0x53475151u	/* "SGQQ" */
#define QUAR_IDLE	0
#define QUAR_BUSY	1
#define QUAR_MAX	64		/* quarantined PDUs kept in memory */
#define QUAR_LINK_MAX	32
#define QUAR_SUFFIX	".inflight"
#define QUAR_FNV_BASIS	0xcbf29ce484222325ull
#define QUAR_FNV_PRIME	0x100000001b3ull
#define QUAR_HEX	17		/* 16 hex digits and NUL */

struct quar_mark {
	uint32_t magic;
	uint32_t state;
	uint64_t digest;
	uint32_t cmd_id;
	uint32_t len;
	char link[QUAR_LINK_MAX];
	uint8_t head[SMPP_QUAR_HEAD];
};

enum quar_stmt { QS_LOAD, QS_ADD, QS_HIT, QS_NUM };

static const char *const quar_sql[QS_NUM] = {
	[QS_LOAD] = "SELECT digest FROM pdu_quarantine",
	[QS_ADD] =
		"INSERT OR IGNORE INTO pdu_quarantine (digest, link, command,"
		" length, head, first_at, last_at) VALUES (:digest, :link,"
		" :command, :length, :head, :now, :now)",
	[QS_HIT] =
		"UPDATE pdu_quarantine SET hits = hits + 1, last_at = :now"
		" WHERE digest = :digest",
};

struct smpp_quar {
	struct db *db;
	sqlite3_stmt *st[QS_NUM];
	struct quar_mark *mark;
	uint64_t digests[QUAR_MAX];
	unsigned n;
};

uint64_t smpp_quar_digest(const uint8_t *pdu, size_t len)
{
	uint64_t h = QUAR_FNV_BASIS;
	size_t i;

	for (i = 4; i < len && i < 8; i++)		/* command_id */
		h = (h ^ pdu[i]) * QUAR_FNV_PRIME;
	for (i = SMPP_HDR_LEN; i < len; i++)		/* the body */
		h = (h ^ pdu[i]) * QUAR_FNV_PRIME;
	return h;
}

static void quar_hex(uint64_t v, char out[QUAR_HEX])
{
	snprintf(out, QUAR_HEX, "%016" PRIx64, v);
}

/* Map the marker file beside the database. */
static struct quar_mark *quar_map(const char *db_path)
{
	char path[PATH_MAX];
	struct quar_mark *m;
	int fd;

	if (snprintf(path, sizeof(path), "%s" QUAR_SUFFIX, db_path) >=
	    (int)sizeof(path))
		return NULL;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, sizeof(*m)) < 0) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return m == MAP_FAILED ? NULL : m;
}

/* The last run died while handling the PDU of the mark: keep it out. */
static int quar_add_mark(struct smpp_quar *q)
{
	DB_STMT(st, q->st[QS_ADD]);
	const struct quar_mark *m = q->mark;
	uint8_t head[SMPP_QUAR_HEAD];
	size_t n = OSMO_MIN(m->len, sizeof(m->head));
	char hex[QUAR_HEX], link[QUAR_LINK_MAX];
	int rc = db_begin(q->db);

	if (rc)
		return rc;
	n = smpp_check_redact(m->head, n, head, sizeof(head));
	quar_hex(m->digest, hex);
	OSMO_STRLCPY_ARRAY(link, m->link);
	db_bind_text(st, ":digest", hex);
	db_bind_text(st, ":link", link);
	db_bind_text(st, ":command", smpp_pdu_cmd_str(m->cmd_id));
	db_bind_int(st, ":length", m->len);
	db_bind_text(st, ":head", osmo_hexdump_nospc(head, n));
	db_bind_int(st, ":now", clock_now_ms());
	rc = db_step_done(q->db, st, DLINK);
	if (rc == 0)
		LOGP(DLINK, LOGL_NOTICE, "the last run died while handling a %s "
		     "of %u octets from link %s (digest %s): it is quarantined; "
		     "the SMSC's retries get a temporary error "
		     "(skillctl quarantine list)\n", smpp_pdu_cmd_str(m->cmd_id),
		     m->len, link, hex);
	return rc;
}

static int quar_load(struct smpp_quar *q)
{
	DB_STMT(st, q->st[QS_LOAD]);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW && q->n < QUAR_MAX) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		unsigned long long v;

		if (t && sscanf(t, "%16llx", &v) == 1)
			q->digests[q->n++] = v;
	}
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
	       db_step_error(q->db, st, rc, DLINK);
}

static int quar_destructor(struct smpp_quar *q)
{
	db_finalize(q->st, QS_NUM);
	if (q->mark)
		munmap(q->mark, sizeof(*q->mark));
	return 0;
}

struct smpp_quar *smpp_quar_open(void *ctx, struct db *db,
				 const char *db_path)
{
	struct smpp_quar *q = talloc_zero(ctx, struct smpp_quar);

	if (!q)
		return NULL;
	q->db = db;
	talloc_set_destructor(q, quar_destructor);
	q->mark = quar_map(db_path);
	if (!q->mark || db_prepare(db, quar_sql, QS_NUM, q->st) < 0) {
		LOGP(DLINK, LOGL_ERROR, "%s" QUAR_SUFFIX ": cannot map the "
		     "marker of PDUs being handled\n", db_path);
		talloc_free(q);
		return NULL;
	}
	if (q->mark->magic == QUAR_MAGIC && q->mark->state == QUAR_BUSY &&
	    quar_add_mark(q) < 0) {
		talloc_free(q);
		return NULL;
	}
	q->mark->magic = QUAR_MAGIC;
	q->mark->state = QUAR_IDLE;
	if (quar_load(q) < 0) {
		talloc_free(q);
		return NULL;
	}
	return q;
}

void smpp_quar_free(struct smpp_quar *q)
{
	talloc_free(q);
}

/* Count a retry of quarantined PDU i; false when an operator has
 * released it meanwhile (its row is gone): it is handled again. */
static bool quar_hit(struct smpp_quar *q, unsigned i)
{
	DB_STMT(st, q->st[QS_HIT]);
	char hex[QUAR_HEX];
	int rc;

	if (db_begin(q->db))
		return true;	/* keep it out; counting can wait */
	quar_hex(q->digests[i], hex);
	db_bind_text(st, ":digest", hex);
	db_bind_int(st, ":now", clock_now_ms());
	rc = db_step_changes(q->db, st, DLINK);
	if (rc != 0)
		return true;
	LOGP(DLINK, LOGL_NOTICE, "PDU %s was released: handled again\n", hex);
	q->digests[i] = q->digests[--q->n];
	return false;
}

bool smpp_quar_begin(struct smpp_quar *q, const char *link,
		     const uint8_t *pdu, size_t len)
{
	uint64_t d = smpp_quar_digest(pdu, len);
	struct quar_mark *m = q->mark;
	unsigned i;

	for (i = 0; i < q->n; i++)
		if (q->digests[i] == d && quar_hit(q, i))
			return true;
	m->digest = d;
	m->cmd_id = len >= 8 ? osmo_load32be(pdu + 4) : 0;
	m->len = len;
	OSMO_STRLCPY_ARRAY(m->link, link);
	memcpy(m->head, pdu, OSMO_MIN(len, sizeof(m->head)));
	m->state = QUAR_BUSY;
	return false;
}

void smpp_quar_done(struct smpp_quar *q)
{
	q->mark->state = QUAR_IDLE;
}

/* ---- the operator's view ---------------------------------------------- */

int smpp_quar_list(struct db *db, FILE *out, bool json)
{
	static const char *const sql[] = {
		"SELECT digest, link, command, length, hits, first_at, last_at,"
		" head FROM pdu_quarantine ORDER BY first_at",
	};
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if (db_prepare(db, sql, 1, &st) < 0)
		return -EIO;
	fputs(json ? "[" : "", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *f = json ?
			"%s{\"digest\":\"%s\",\"link\":\"%s\",\"command\":\"%s\","
			"\"length\":%d,\"hits\":%d,\"first_at\":%lld,"
			"\"last_at\":%lld,\"head\":\"%s\"}" :
			"%s%s  link %s  %s, %d octets, %d retries since, found at "
			"%lld, last %lld\n  %s\n";

		fprintf(out, f, json && n ? "," : "",
			sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
			sqlite3_column_text(st, 2), sqlite3_column_int(st, 3),
			sqlite3_column_int(st, 4),
			(long long)sqlite3_column_int64(st, 5),
			(long long)sqlite3_column_int64(st, 6),
			sqlite3_column_text(st, 7));
		n++;
	}
	fputs(json ? "]\n" : "", out);
	db_finalize(&st, 1);
	return rc == SQLITE_DONE ? n : -EIO;
}

int smpp_quar_release(struct db *db, const char *digest)
{
	static const char *const sql[] = {
		"DELETE FROM pdu_quarantine WHERE digest = :digest",
	};
	sqlite3_stmt *st = NULL;
	int rc;

	if (db_prepare(db, sql, 1, &st) < 0)
		return -EIO;
	rc = db_begin(db);
	if (rc == 0) {
		db_bind_text(st, ":digest", digest);
		rc = db_step_changes(db, st, DLINK);
		rc = rc < 0 ? rc : rc ? 0 : -ENOENT;
	}
	db_finalize(&st, 1);
	return rc;
}
