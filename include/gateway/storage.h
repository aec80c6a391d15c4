/*
 * storage.h - the daemon's storage state: faults of the database's
 * storage (a full disk, a lock another process keeps, a read-only,
 * forbidden or damaged file) said once when they begin and once when they
 * end, service resumed by itself, the reserve kept against a full disk,
 * and the WAL's bound (gateway/storage.c).
 *
 * main.c calls storage_after_commit() after every group commit, with no
 * transaction open; that is where a fault is noticed (any storage fault
 * noted on the loop's thread since the last call, db_fault.h) and where,
 * while one lasts, a probe write once a second finds when writes work
 * again.
 */
#ifndef SGW_STORAGE_H
#define SGW_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "gateway/db_fault.h"

struct db;
struct storage;

/* Start on db (the loop's connection, path its file): the WAL keeper
 * thread, the reserve of reserve_mb MiB (written now if missing). NULL on
 * error (logged). */
struct storage *storage_init(void *ctx, struct db *db,
			     unsigned reserve_mb);
void storage_after_commit(struct storage *st);
/* Called when a fault has ended (writes work again), with no transaction
 * open: what has to be put right (rows left sending). */
void storage_on_resume(struct storage *st, void (*cb)(void *data),
		       void *data);
void storage_free(struct storage *st);

struct storage_status {
	enum db_fault fault;		/* DB_FAULT_NONE: writes work */
	int sys_errno;			/* behind the fault, 0: unknown */
	int64_t since_ms;		/* the fault's start */
	unsigned long errors;		/* failed writes since */
	unsigned long faults;		/* faults since the start */
	bool writes_ok;			/* the last probe wrote (full disk:
					 * the reserve is not back yet) */
	int64_t reserve_bytes;		/* kept now */
	int64_t reserve_want;		/* gateway.storage_reserve */
	int64_t wal_bytes;		/* the WAL's size, last look */
	unsigned long wal_trims;	/* WALs truncated by the keeper */
};

void storage_status(const struct storage *st, struct storage_status *out);

#endif
