-- 002: the parts of a concatenated MO are kept apart by destination too
--
-- Two services (12333 and a second short code) may receive parts with the
-- same reference from the same phone at once; keyed without dst they would
-- be joined into one message.
CREATE TABLE mo_part_new (
	link		TEXT NOT NULL,
	src		TEXT NOT NULL,
	dst		TEXT NOT NULL,
	ref		INTEGER NOT NULL,
	total		INTEGER NOT NULL,
	seq		INTEGER NOT NULL,
	dcs		INTEGER NOT NULL,
	data		BLOB NOT NULL,		-- user data without UDH
	received_at	INTEGER NOT NULL,
	PRIMARY KEY (link, src, dst, ref, total, seq)
) WITHOUT ROWID;
INSERT INTO mo_part_new SELECT link, src, dst, ref, total, seq, dcs, data,
	received_at FROM mo_part;
DROP TABLE mo_part;
ALTER TABLE mo_part_new RENAME TO mo_part;
CREATE INDEX mo_part_age ON mo_part(received_at);
