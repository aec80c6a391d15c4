-- 003: PDUs the gateway died on, kept out of its way
--
-- When the daemon dies while it handles a received PDU, the next start
-- records that PDU's digest here and answers an identical PDU (the SMSC's
-- retry) with a temporary error instead of handling it again: one bad PDU
-- cannot keep the gateway in a crash loop. head is the start of the PDU
-- as hex with addresses and texts blanked. An operator lists the rows
-- (skillctl quarantine list) and releases one (skillctl quarantine release
-- DIGEST): its next retry is handled again.
CREATE TABLE pdu_quarantine (
	digest		TEXT PRIMARY KEY,	-- 16 hex digits
	link		TEXT NOT NULL,
	command		TEXT NOT NULL,
	length		INTEGER NOT NULL,
	head		TEXT NOT NULL,
	first_at	INTEGER NOT NULL,	-- when the crash was found
	last_at		INTEGER NOT NULL,	-- the last time it came again
	hits		INTEGER NOT NULL DEFAULT 0	-- times it came again
) WITHOUT ROWID;
