/*
 * fault.h - skillctl's one line for a storage fault (gateway/ctl/fault.c).
 *
 * A verb that meets a database error stops at the first one and says, in
 * one line on stderr, what the storage did (db_fault.h: disk full, locked
 * by another process for longer than 5 s, read-only, permission denied,
 * corrupt), which file, where it stopped and what was kept:
 *
 *   skillctl send: /var/lib/skillgw/skillgw.db: disk full (at
 *   numbers.txt:157784); nothing queued
 *
 * and the verb exits 2 (a system error).
 */
#ifndef SGW_CTL_FAULT_H
#define SGW_CTL_FAULT_H

#define CTL_FAULT_EXIT	2

/* Print the line for the fault noted on this thread since seq
 * (db_fault_seq(), taken before the work; "database error" when none was
 * noted): verb ("send", "notice create"), the database's path, where it
 * stopped (NULL: nowhere in particular) and what was kept. Returns
 * CTL_FAULT_EXIT. */
int ctl_fault(const char *verb, const char *db_path, unsigned long seq,
	      const char *where, const char *kept);

#endif
