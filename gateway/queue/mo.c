/*
 * mo.c - inbound messages (MO): storage and reassembly of concatenated parts.
 *
 * A single MO is decoded to UTF-8 and inserted into table mo inside the
 * group-commit transaction; its deliver_sm_resp leaves after the commit, so
 * an MO the SMSC saw acknowledged is on disk. A part of a concatenated MO is
 * kept raw in mo_part, keyed by (link, src, dst, ref, total, seq): a repeated part
 * hits the key and is ignored. When the count of a set reaches its total the
 * parts are read back in seq order, joined raw (a UCS-2 character or a GSM
 * escape may straddle two parts) and decoded once, stored as one mo row, and
 * the parts are deleted. A set that does not complete within the reassembly
 * timeout is stored the same way with what arrived and partial = 1.
 *
 * The joined user data of one MO is capped at MO_JOIN_MAX octets (16 KiB,
 * over 100 full parts); anything beyond is cut and logged. The decoded text
 * lives in one buffer of the module (3 UTF-8 octets per input octet is the
 * worst case of every decoder: U+FFFD, the euro sign, a UCS-2 character,
 * two hex digits), valid until the next call.
 *
 * Known limit: a part repeated after its set was completed (an SMSC retry of
 * a part whose deliver_sm_resp was lost) starts a new set, which ends as a
 * partial MO after the timeout; nothing records completed sets.
 */
#include <errno.h>
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "gateway/text/charset.h"
#include "gateway/db.h"
#include "gateway/db_stmt.h"
#include "gateway/log.h"
#include "gateway/queue/inbound.h"
#include "gateway/queue/mo.h"

#define MO_JOIN_MAX		(16 * 1024)	/* joined user data octets */
#define MO_UTF8_PER_OCTET	3		/* decoder worst case */
#define MO_TEXT_CAP		(MO_JOIN_MAX * MO_UTF8_PER_OCTET + 1)
#define MO_EXPIRE_BATCH		64		/* sets stored per call */

enum mo_stmt {
	MO_INSERT,
	MO_PART_INSERT,
	MO_PART_COUNT,
	MO_PART_GET,
	MO_PART_DELETE,
	MO_EXPIRED_SETS,
	MO_HANDLED,
	MO_NUM_STMT
};

#define MO_SET_WHERE \
	" WHERE link = :link AND src = :src AND dst = :dst AND ref = :ref" \
	" AND total = :total"

static const char *const mo_sql[] = {
	[MO_INSERT] =
		"INSERT INTO mo (link, src, dst, dcs, text, parts, partial,"
		" received_at) VALUES (:link, :src, :dst, :dcs, :text, :parts,"
		" :partial, :now)",
	[MO_PART_INSERT] =
		"INSERT OR IGNORE INTO mo_part (link, src, dst, ref, total, seq,"
		" dcs, data, received_at) VALUES (:link, :src, :dst, :ref,"
		" :total, :seq, :dcs, :data, :now)",
	[MO_PART_COUNT] =
		"SELECT count(*) FROM mo_part" MO_SET_WHERE,
	[MO_PART_GET] =
		"SELECT dcs, data FROM mo_part" MO_SET_WHERE
		" ORDER BY seq",
	[MO_PART_DELETE] =
		"DELETE FROM mo_part" MO_SET_WHERE,
	/* Any part at or before the cutoff means the set's oldest is. */
	[MO_EXPIRED_SETS] =
		"SELECT DISTINCT link, src, dst, ref, total FROM mo_part"
		" WHERE received_at <= :cutoff LIMIT :max",
	[MO_HANDLED] =
		"UPDATE mo SET handled_at = :now WHERE id = :id",
};

struct mo {
	struct db *db;
	sqlite3_stmt *st[MO_NUM_STMT];
	uint8_t *raw;			/* joined parts, MO_JOIN_MAX */
	char *text;			/* decoded text, MO_TEXT_CAP */
};

/* A set of parts: one concatenated MO. */
struct mo_set {
	const char *link;
	const char *src;
	const char *dst;
	unsigned ref, total;
};

static void mo_bind_set(sqlite3_stmt *st, const struct mo_set *s)
{
	db_bind_text(st, ":link", s->link);
	db_bind_text(st, ":src", s->src);
	db_bind_text(st, ":dst", s->dst);
	db_bind_int(st, ":ref", s->ref);
	db_bind_int(st, ":total", s->total);
}

struct mo *mo_init(void *ctx, struct db *db)
{
	struct mo *m = talloc_zero(ctx, struct mo);

	if (!m)
		return NULL;
	m->db = db;
	m->raw = talloc_size(m, MO_JOIN_MAX);
	m->text = talloc_size(m, MO_TEXT_CAP);
	if (!m->raw || !m->text ||
	    db_prepare(db, mo_sql, MO_NUM_STMT, m->st)) {
		talloc_free(m);
		return NULL;
	}
	return m;
}

void mo_free(struct mo *m)
{
	if (!m)
		return;
	db_finalize(m->st, MO_NUM_STMT);
	talloc_free(m);
}

/* Insert the decoded MO held in out (text in m->text) and set out->id. */
static int mo_insert(struct mo *m, struct mo_msg *out, int64_t now_ms)
{
	DB_STMT(st, m->st[MO_INSERT]);
	int rc;

	db_bind_text(st, ":link", out->link);
	db_bind_text(st, ":src", out->src);
	db_bind_text(st, ":dst", out->dst);
	db_bind_int(st, ":dcs", out->dcs);
	db_bind_text(st, ":text", out->text);
	db_bind_int(st, ":parts", out->parts);
	db_bind_int(st, ":partial", out->partial);
	db_bind_int(st, ":now", now_ms);
	rc = db_step_done(m->db, st, DROUTER);
	if (rc)
		return rc;
	out->id = sqlite3_last_insert_rowid(db_handle(m->db));
	LOGP(DROUTER, LOGL_DEBUG, "mo %lld from %s on %s: %u part(s)%s\n",
	     (long long)out->id, log_num(out->src), out->link, out->parts,
	     out->partial ? ", partial" : "");
	return 0;
}

/* Decode len octets of m->raw as dcs, appending to m->text at *text_len. */
static void mo_decode_run(struct mo *m, uint8_t dcs, size_t len,
			  size_t *text_len)
{
	int n = charset_decode(dcs, m->raw, len, m->text + *text_len,
			       MO_TEXT_CAP - *text_len);

	if (n > 0)
		*text_len += n;
}

/* Read the parts of set s in seq order into m->text. Runs of parts with the
 * same data_coding are joined raw and decoded once (a character may cross a
 * part boundary). Fills dcs (the first part's) of out;
 * returns the number of parts read or a negative errno. */
static int mo_join(struct mo *m, const struct mo_set *s, struct mo_msg *out)
{
	DB_STMT(st, m->st[MO_PART_GET]);
	size_t raw = 0, joined = 0, text = 0, len;
	int rc, n = 0, run_dcs = -1, dcs;

	mo_bind_set(st, s);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		dcs = sqlite3_column_int(st, 0);
		if (!n++)
			out->dcs = dcs;
		if (dcs != run_dcs && raw) {
			mo_decode_run(m, run_dcs, raw, &text);
			raw = 0;
		}
		run_dcs = dcs;
		len = sqlite3_column_bytes(st, 1);
		if (len > MO_JOIN_MAX - joined) {
			LOGP(DROUTER, LOGL_NOTICE, "mo from %s on %s: longer "
			     "than %u octets, cut\n", log_num(s->src), s->link,
			     MO_JOIN_MAX);
			len = MO_JOIN_MAX - joined;
		}
		if (len)
			memcpy(m->raw + raw, sqlite3_column_blob(st, 1), len);
		raw += len;
		joined += len;
	}
	if (rc != SQLITE_DONE)
		return db_step_error(m->db, st, rc, DROUTER);
	if (raw)
		mo_decode_run(m, run_dcs, raw, &text);
	m->text[text] = '\0';
	out->text = m->text;
	return n;
}

static int mo_delete_set(struct mo *m, const struct mo_set *s)
{
	DB_STMT(st, m->st[MO_PART_DELETE]);

	mo_bind_set(st, s);
	return db_step_done(m->db, st, DROUTER);
}

/* Store the set s as one MO (partial when parts are missing), delete its
 * parts. 0 or negative errno. */
static int mo_store_set(struct mo *m, const struct mo_set *s, bool partial,
			int64_t now_ms, struct mo_msg *out)
{
	int n = mo_join(m, s, out);

	if (n < 0)
		return n;
	out->link = s->link;
	out->src = s->src;
	out->dst = s->dst;
	/* a partial MO says how many parts its text is made of */
	out->parts = partial ? (unsigned)n : s->total;
	out->partial = partial;
	n = mo_insert(m, out, now_ms);
	return n ? n : mo_delete_set(m, s);
}

/* A usable part of a concatenated MO? Anything else (total 0 or 1, seq 0
 * or past total) is taken as a single message. */
static bool mo_is_part(const struct in_msg *d)
{
	return d->concat && d->concat_total > 1 && d->concat_seq >= 1 &&
	       d->concat_seq <= d->concat_total;
}

static int mo_store_single(struct mo *m, const struct in_msg *d,
			   int64_t now_ms, struct mo_msg *out)
{
	const uint8_t *ud = d->ud ? d->ud : (const uint8_t *)"";
	size_t len = d->ud ? d->ud_len : 0;
	int n;

	if (len > MO_JOIN_MAX)	/* cannot happen with SMPP limits */
		len = MO_JOIN_MAX;
	n = charset_decode(d->dcs, ud, len, m->text, MO_TEXT_CAP);
	m->text[n > 0 ? n : 0] = '\0';
	*out = (struct mo_msg) {
		.link = d->link, .src = d->src, .dst = d->dst,
		.dcs = d->dcs, .text = m->text, .parts = 1,
		.rx_us = d->rx_us,
	};
	n = mo_insert(m, out, now_ms);
	return n ? n : 1;
}

/* Keep one part. 1 when it was new, 0 when it was a repeat. */
static int mo_part_insert(struct mo *m, const struct mo_set *s,
			  const struct in_msg *d, int64_t now_ms)
{
	DB_STMT(st, m->st[MO_PART_INSERT]);
	/* a zero-length blob, never NULL (data is NOT NULL) */
	const void *data = d->ud && d->ud_len ? (const void *)d->ud : "";
	int rc;

	mo_bind_set(st, s);
	db_bind_int(st, ":seq", d->concat_seq);
	db_bind_int(st, ":dcs", d->dcs);
	rc = sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":data"),
			       data, d->ud_len, SQLITE_STATIC);
	OSMO_ASSERT(rc == SQLITE_OK);
	db_bind_int(st, ":now", now_ms);
	rc = db_step_changes(m->db, st, DROUTER);
	return rc < 0 ? rc : rc ? 1 : 0;
}

static int mo_part_count(struct mo *m, const struct mo_set *s)
{
	DB_STMT(st, m->st[MO_PART_COUNT]);
	int rc;

	mo_bind_set(st, s);
	rc = sqlite3_step(st);
	return rc == SQLITE_ROW ? sqlite3_column_int(st, 0) :
				  db_step_error(m->db, st, rc, DROUTER);
}

static int mo_store_part(struct mo *m, const struct in_msg *d,
			 int64_t now_ms, struct mo_msg *out)
{
	const struct mo_set s = {
		.link = d->link, .src = d->src, .dst = d->dst,
		.ref = d->concat_ref, .total = d->concat_total,
	};
	int rc = mo_part_insert(m, &s, d, now_ms);

	if (rc == 0)
		LOGP(DROUTER, LOGL_INFO, "mo from %s on %s: part %u/%u of "
		     "ref %u repeated, ignored\n", log_num(d->src), d->link, d->concat_seq,
		     d->concat_total, d->concat_ref);
	if (rc <= 0)
		return rc;
	rc = mo_part_count(m, &s);
	if (rc < 0 || (unsigned)rc < s.total)
		return rc < 0 ? rc : 0;
	rc = mo_store_set(m, &s, false, now_ms, out);
	out->rx_us = d->rx_us;
	return rc ? rc : 1;
}

int mo_store(struct mo *m, const struct in_msg *d, int64_t now_ms,
	     struct mo_msg *out)
{
	int rc;

	if (!d->link || !*d->link)
		return -EINVAL;
	rc = db_begin(m->db);
	if (rc)
		return rc;
	if (mo_is_part(d))
		return mo_store_part(m, d, now_ms, out);
	return mo_store_single(m, d, now_ms, out);
}

/* Up to max sets with a part received at or before cutoff, their strings
 * copied under ctx. Returns the number found or a negative errno. */
static int mo_expired_sets(struct mo *m, void *ctx, int64_t cutoff,
			   struct mo_set *sets, unsigned max)
{
	DB_STMT(st, m->st[MO_EXPIRED_SETS]);
	int rc, n = 0;

	db_bind_int(st, ":cutoff", cutoff);
	db_bind_int(st, ":max", max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sets[n].link = talloc_strdup(ctx, (const char *)
					     sqlite3_column_text(st, 0));
		sets[n].src = talloc_strdup(ctx, (const char *)
					    sqlite3_column_text(st, 1));
		sets[n].dst = talloc_strdup(ctx, (const char *)
					    sqlite3_column_text(st, 2));
		sets[n].ref = sqlite3_column_int(st, 3);
		sets[n].total = sqlite3_column_int(st, 4);
		if (!sets[n].link || !sets[n].src || !sets[n].dst)
			return -ENOMEM;
		n++;
	}
	return rc == SQLITE_DONE ? n : db_step_error(m->db, st, rc, DROUTER);
}

/* The sets are read first and stored after, so no statement walks mo_part
 * while rows of it are deleted. At most MO_EXPIRE_BATCH sets per call keep
 * the loop responsive; the rest go at the next call. */
int mo_expire_parts(struct mo *m, int64_t now_ms, int64_t timeout_ms,
		    mo_cb cb, void *data)
{
	struct mo_set sets[MO_EXPIRE_BATCH];
	struct mo_msg msg;
	void *tmp = talloc_new(m);
	int rc, n, i;

	n = mo_expired_sets(m, tmp, now_ms - timeout_ms, sets,
			    ARRAY_SIZE(sets));
	rc = n < 0 ? n : 0;
	/* each set and its handling are one unit: a handler that fails
	 * leaves the parts for the next call */
	for (i = 0; !rc && i < n; i++) {
		rc = db_unit_begin(m->db);
		if (!rc)
			rc = mo_store_set(m, &sets[i], true, now_ms, &msg);
		if (!rc && cb)
			rc = cb(data, &msg);
		rc = db_unit_end(m->db, rc);
		if (rc)
			break;
		LOGP(DROUTER, LOGL_NOTICE, "mo %lld from %s on %s: %u of %u "
		     "parts arrived before the timeout, stored partial\n",
		     (long long)msg.id, log_num(msg.src), msg.link, msg.parts,
		     sets[i].total);
	}
	talloc_free(tmp);
	return rc ? rc : n;
}

int mo_mark_handled(struct mo *m, int64_t id, int64_t now_ms)
{
	DB_STMT(st, m->st[MO_HANDLED]);
	int rc = db_begin(m->db);

	if (rc)
		return rc;
	db_bind_int(st, ":id", id);
	db_bind_int(st, ":now", now_ms);
	rc = db_step_changes(m->db, st, DROUTER);
	return rc < 0 ? rc : rc ? 0 : -ENOENT;
}
