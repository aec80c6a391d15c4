/*
 * mo.h - inbound messages (MO): storage and reassembly of concatenated parts.
 *
 * A single MO is decoded to UTF-8 and stored as a row of table mo. A part of
 * a concatenated MO (UDH 8/16-bit reference or SAR TLVs) is stored raw in
 * mo_part; when the last sibling arrives the parts are joined in order,
 * decoded once and stored as one mo row, and the parts are deleted. Sets
 * that never complete are stored as what arrived (partial=1) after the
 * reassembly timeout: nothing is silently dropped. A repeated part (SMSC
 * retry) is ignored.
 *
 * All writes happen inside the group-commit transaction (db_begin()).
 */
#ifndef SGW_MO_H
#define SGW_MO_H

#include <stdbool.h>
#include <stdint.h>



struct db;
struct in_msg;
struct mo;

/* A stored MO, as handed to the router. text is owned by the caller of the
 * callback / mo_store; valid only during the call. */
struct mo_msg {
	int64_t id;
	const char *link;
	const char *src;
	const char *dst;
	uint8_t dcs;
	const char *text;		/* UTF-8 */
	unsigned parts;
	bool partial;
	int64_t rx_us;			/* arrival of its last part
					 * (clock_mono_us()), 0: not known */
};

/* Called for an MO made of a set's parts; 0, or a negative errno to undo
 * it (the parts stay for the next sweep). */
typedef int (*mo_cb)(void *data, const struct mo_msg *m);

struct mo *mo_init(void *ctx, struct db *db);
void mo_free(struct mo *m);

/* Store one message from a phone (its link in d->link). For a single message:
 * stores it, fills *out (out->text points into a buffer of the mo module
 * valid until the next call) and returns 1. For a part of a concatenated
 * message: stores the part; returns 1 with *out filled when this part
 * completed the set, 0 when more parts are awaited. Negative errno when the
 * database could not take it (the caller answers with a temporary error). */
int mo_store(struct mo *m, const struct in_msg *d, int64_t now_ms,
	     struct mo_msg *out);

/* Store as partial every set whose oldest part is older than
 * now_ms - timeout_ms, and call cb for each MO created, each set and its
 * callback one unit of work (db_unit_begin). Returns how many. */
int mo_expire_parts(struct mo *m, int64_t now_ms, int64_t timeout_ms,
		    mo_cb cb, void *data);

/* Mark an MO handled by the router. */
int mo_mark_handled(struct mo *m, int64_t id, int64_t now_ms);

#endif
