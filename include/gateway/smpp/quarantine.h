/*
 * quarantine.h - no crash loop on one PDU.
 *
 * Before a link hands a received deliver_sm or data_sm on, it marks it as
 * being handled (its digest and the start of it, addresses and texts
 * blanked) in a small file mapped into memory beside the database, and
 * clears the mark when done. If the daemon dies in between, the mark is
 * still there at the next start: that PDU goes into table pdu_quarantine
 * (logged once), and when the SMSC sends it again it is answered with a
 * temporary error instead of being handled. The digest covers the command
 * and the body, not the sequence number, so a retry matches.
 *
 * The mark costs a few stores into mapped memory per PDU, no system call;
 * the kernel keeps the page when the process dies.
 */
#ifndef SGW_QUARANTINE_H
#define SGW_QUARANTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct db;
struct smpp_quar;

#define SMPP_QUAR_HEAD	96	/* octets of a PDU kept (as hex) */

/* The quarantine of the database at db_path (marker file db_path +
 * ".inflight", mode 0600): a mark left by a run that died becomes a row;
 * the rows are loaded. NULL when the marker cannot be mapped (logged). */
struct smpp_quar *smpp_quar_open(void *ctx, struct db *db,
				 const char *db_path);
void smpp_quar_free(struct smpp_quar *q);

/* A PDU about to be handled on link: true when it is quarantined (answer
 * it with a temporary error; its hits are counted), else false with the
 * mark set until smpp_quar_done(). */
bool smpp_quar_begin(struct smpp_quar *q, const char *link,
		     const uint8_t *pdu, size_t len);
void smpp_quar_done(struct smpp_quar *q);

/* The digest of a PDU (command id and body; not the length, status or
 * sequence number). */
uint64_t smpp_quar_digest(const uint8_t *pdu, size_t len);

/* The rows, for an operator (VTY, skillctl): one line each to out, or a
 * JSON array. Returns how many, or a negative errno. */
int smpp_quar_list(struct db *db, FILE *out, bool json);
/* Forget one (16 hex digits): its next retry is handled again. 0,
 * -ENOENT, or a negative errno. */
int smpp_quar_release(struct db *db, const char *digest);

#endif
