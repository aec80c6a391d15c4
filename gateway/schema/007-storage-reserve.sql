-- 007: storage_reserve: space the daemon keeps for itself against a full disk
--
-- Row 1 holds gateway.storage_reserve MiB of zeros. When a write fails
-- because the disk is full, the daemon deletes it: its pages become free
-- pages of the database file, in which new rows are written and
-- checkpointed without the file growing, so MOs and their replies go on
-- being stored while the operator frees space. When space returns, the
-- daemon writes the row again (gateway/storage.c). Row 2 is its probe: a
-- few pages written and deleted in one transaction, to learn whether
-- writes work again.
CREATE TABLE storage_reserve (
	id	INTEGER PRIMARY KEY CHECK (id IN (1, 2)),
	pad	BLOB NOT NULL
);
