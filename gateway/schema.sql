-- schema.sql - the skillgw database, version 1.
--
-- The build turns this file into gateway/schema.h; db.c runs it on an empty
-- database and sets PRAGMA user_version to the number of upgrade steps.
-- Later versions add steps to the upgrade table in db.c, never edit this
-- bootstrap in place for an existing deployment.
--
-- Times are Unix milliseconds (INTEGER). Text is UTF-8.

-- Outbound messages: the durable MT queue.
-- state: 0 queued, 1 sending, 2 submitted, 3 delivered, 4 failed, 5 expired
-- prio:  0 USSD, 1 reply, 2 bulk (lower goes first)
CREATE TABLE mt (
	id		INTEGER PRIMARY KEY,
	dst		TEXT NOT NULL,
	src		TEXT,			-- NULL: the link's source_addr
	text		TEXT NOT NULL,
	prio		INTEGER NOT NULL DEFAULT 1,
	state		INTEGER NOT NULL DEFAULT 0,
	attempts	INTEGER NOT NULL DEFAULT 0,
	parts		INTEGER NOT NULL DEFAULT 1,
	parts_acked	INTEGER NOT NULL DEFAULT 0,	-- submit_sm_resp OK
	parts_final	INTEGER NOT NULL DEFAULT 0,	-- final receipts
	link		TEXT,			-- link that took it
	smpp_status	INTEGER,		-- last error status
	next_try	INTEGER NOT NULL DEFAULT 0,
	expires_at	INTEGER,		-- NULL: never
	created_at	INTEGER NOT NULL,
	submitted_at	INTEGER,
	done_at		INTEGER,
	campaign_id	INTEGER,
	ussd_op		INTEGER,		-- USSD: op to send (no SMS row kept)
	ussd_its	INTEGER
);
CREATE INDEX mt_ready ON mt(prio, next_try) WHERE state = 0;
CREATE INDEX mt_state ON mt(state);
CREATE INDEX mt_campaign ON mt(campaign_id) WHERE campaign_id IS NOT NULL;

-- One row per submitted part: the SMSC's id for receipt matching.
CREATE TABLE mt_part (
	mt_id		INTEGER NOT NULL REFERENCES mt(id) ON DELETE CASCADE,
	part		INTEGER NOT NULL,
	link		TEXT NOT NULL,
	smsc_id		TEXT NOT NULL,		-- normalised
	dlr_state	INTEGER,		-- SMPP message_state
	dlr_err		INTEGER,
	dlr_at		INTEGER,
	PRIMARY KEY (mt_id, part)
) WITHOUT ROWID;
CREATE INDEX mt_part_smsc ON mt_part(smsc_id, link);

-- Inbound messages, stored before deliver_sm_resp.
CREATE TABLE mo (
	id		INTEGER PRIMARY KEY,
	link		TEXT NOT NULL,
	src		TEXT NOT NULL,
	dst		TEXT NOT NULL,
	dcs		INTEGER NOT NULL,
	text		TEXT NOT NULL,
	parts		INTEGER NOT NULL DEFAULT 1,
	partial		INTEGER NOT NULL DEFAULT 0,	-- 1: parts missing at timeout
	received_at	INTEGER NOT NULL,
	handled_at	INTEGER			-- NULL until the router is done
);
CREATE INDEX mo_unhandled ON mo(id) WHERE handled_at IS NULL;

-- Parts of concatenated MOs waiting for their siblings.
CREATE TABLE mo_part (
	link		TEXT NOT NULL,
	src		TEXT NOT NULL,
	dst		TEXT NOT NULL,
	ref		INTEGER NOT NULL,
	total		INTEGER NOT NULL,
	seq		INTEGER NOT NULL,
	dcs		INTEGER NOT NULL,
	data		BLOB NOT NULL,		-- user data without UDH
	received_at	INTEGER NOT NULL,
	PRIMARY KEY (link, src, ref, total, seq)
) WITHOUT ROWID;
CREATE INDEX mo_part_age ON mo_part(received_at);
