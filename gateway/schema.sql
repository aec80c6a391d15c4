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
-- The latest notices sent to a number (USSD "最新通知", handlers/ussd/data.c).
CREATE INDEX mt_dst_notice ON mt(dst, id) WHERE campaign_id IS NOT NULL;

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

-- ===========================================================================
-- Training domain: the roster, the training catalogue, enrolments,
-- certificates, subsidies and the audit log.
--
-- Dates are ISO text (2026-12-01, China local time); created/updated/at are
-- Unix milliseconds like above. Money is integer fen. Codes (key groups,
-- training types, certificate and subsidy kinds, statuses) are the English
-- codes of conf/glossary.conf, which gives their Chinese words.
-- Catalogue rows (region, institution, occupation, course) are referred to
-- by their code, roster rows (worker) by their integer id.
-- ===========================================================================

-- Counties and districts (县/区) by administrative code. The five of Jieyang
-- are part of the schema: the roster and the catalogue refer to them.
CREATE TABLE region (
	code		TEXT PRIMARY KEY,		-- 6 digits, e.g. 445281
	name		TEXT NOT NULL UNIQUE		-- 普宁市
) WITHOUT ROWID;
INSERT INTO region (code, name) VALUES
	('445202', '榕城区'),
	('445203', '揭东区'),
	('445222', '揭西县'),
	('445224', '惠来县'),
	('445281', '普宁市');

-- The bureau's roster. A worker is bound to at most one number and a number
-- to at most one worker: by the roster import ('roster') or by registering
-- with ID and name ('sms', 'ussd'). msisdn and bound_by are NULL together.
CREATE TABLE worker (
	id		INTEGER PRIMARY KEY,
	id_number	TEXT NOT NULL UNIQUE,		-- GB 11643, 18 chars, X upper case
	name		TEXT NOT NULL,
	msisdn		TEXT UNIQUE,			-- 8613800138000; NULL: not bound
	region		TEXT NOT NULL REFERENCES region(code),
	key_groups	TEXT NOT NULL DEFAULT '',	-- comma list: 'migrant,poverty'
	birth_date	TEXT NOT NULL,			-- from the resident ID
	opted_out	INTEGER NOT NULL DEFAULT 0,	-- 1: no bulk notices
	bound_by	TEXT CHECK (bound_by IN ('roster', 'sms', 'ussd')),
	bound_at	INTEGER,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	CHECK ((msisdn IS NULL) = (bound_by IS NULL))
);

-- Training institutions (培训机构); catalogued: on the published catalogue.
CREATE TABLE institution (
	code		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	region		TEXT NOT NULL REFERENCES region(code),
	catalogued	INTEGER NOT NULL DEFAULT 0 CHECK (catalogued IN (0, 1)),
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);

-- Occupations; grp is the menu group a worker picks from (制造, 服务 ...).
CREATE TABLE occupation (
	code		TEXT PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	grp		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);

-- Subsidised training classes. code is digits only, so it can be typed on
-- any keypad. seats_taken is kept by the enrolment triggers below and never
-- written by anything else; the course_full CHECK is what refuses an
-- enrolment into a full class, in the enrolling statement itself.
CREATE TABLE course (
	id		INTEGER PRIMARY KEY,
	code		TEXT NOT NULL UNIQUE CHECK (code <> '' AND code NOT GLOB '*[^0-9]*'),
	name		TEXT NOT NULL,
	occupation	TEXT NOT NULL REFERENCES occupation(code),
	level		INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
	training_type	TEXT NOT NULL CHECK (training_type IN ('employment',
			 'upgrade', 'entrepreneurship', 'apprentice', 'pre_employment')),
	institution	TEXT NOT NULL REFERENCES institution(code),
	region		TEXT NOT NULL REFERENCES region(code),
	start_date	TEXT NOT NULL,
	end_date	TEXT NOT NULL,
	enrol_deadline	TEXT NOT NULL,
	capacity	INTEGER NOT NULL CHECK (capacity > 0),
	seats_taken	INTEGER NOT NULL DEFAULT 0 CHECK (seats_taken >= 0),
	subsidy_fen	INTEGER NOT NULL CHECK (subsidy_fen >= 0),
	status		TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open',
			 'closed', 'cancelled', 'finished')),
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	CONSTRAINT course_full CHECK (seats_taken <= capacity),
	CHECK (start_date <= end_date AND enrol_deadline <= end_date)
);
CREATE INDEX course_region ON course(region, status, start_date);
CREATE INDEX course_occupation ON course(occupation, status);

-- Certificates (证书) of a worker: kind is a glossary code; level is NULL
-- for kinds without one (completion, special_ability).
CREATE TABLE certificate (
	id		INTEGER PRIMARY KEY,
	number		TEXT NOT NULL UNIQUE,
	worker_id	INTEGER NOT NULL REFERENCES worker(id),
	kind		TEXT NOT NULL CHECK (kind IN ('qualification', 'skill_level',
			 'special_ability', 'completion')),
	occupation	TEXT REFERENCES occupation(code),
	level		INTEGER CHECK (level BETWEEN 1 AND 5),
	issued_date	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX certificate_worker ON certificate(worker_id);

-- Enrolments. A worker has at most one enrolment per course that is not
-- cancelled (enrolment_active); cancelled ones stay as history, so a worker
-- may enrol again after cancelling.
CREATE TABLE enrolment (
	id		INTEGER PRIMARY KEY,
	worker_id	INTEGER NOT NULL REFERENCES worker(id),
	course_id	INTEGER NOT NULL REFERENCES course(id),
	status		TEXT NOT NULL DEFAULT 'enrolled' CHECK (status IN
			 ('enrolled', 'cancelled', 'completed')),
	channel		TEXT NOT NULL CHECK (channel IN ('sms', 'ussd', 'import')),
	result		TEXT CHECK (result IN ('passed', 'failed')),
	certificate_id	INTEGER REFERENCES certificate(id),
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	CHECK (result IS NULL OR status = 'completed')
);
CREATE UNIQUE INDEX enrolment_active ON enrolment(worker_id, course_id)
	WHERE status <> 'cancelled';
CREATE INDEX enrolment_worker ON enrolment(worker_id, course_id);
CREATE INDEX enrolment_course ON enrolment(course_id);
CREATE INDEX enrolment_updated ON enrolment(updated_at);

-- seats_taken follows the enrolments that hold a seat (status enrolled or
-- completed). An insert into a full course fails on course_full inside the
-- INSERT statement, so a class is never overbooked whoever enrols.
CREATE TRIGGER enrolment_seat_take AFTER INSERT ON enrolment
	WHEN NEW.status <> 'cancelled'
BEGIN
	UPDATE course SET seats_taken = seats_taken + 1 WHERE id = NEW.course_id;
END;
CREATE TRIGGER enrolment_seat_status AFTER UPDATE OF status ON enrolment
	WHEN (OLD.status = 'cancelled') <> (NEW.status = 'cancelled')
BEGIN
	UPDATE course SET seats_taken = seats_taken +
		CASE WHEN NEW.status = 'cancelled' THEN -1 ELSE 1 END
		WHERE id = NEW.course_id;
END;
CREATE TRIGGER enrolment_seat_free AFTER DELETE ON enrolment
	WHEN OLD.status <> 'cancelled'
BEGIN
	UPDATE course SET seats_taken = seats_taken - 1 WHERE id = OLD.course_id;
END;

-- Subsidy applications and decisions from the bureau's back office.
-- year is the calendar year the subsidy counts toward for the rule "at most
-- 3 training subsidies a year, never twice for the same occupation and
-- level"; rule_flag says why a row breaks it (NULL: it does not). Flagged
-- rows are kept: the reviewers decide.
CREATE TABLE subsidy (
	id		INTEGER PRIMARY KEY,
	reference	TEXT NOT NULL UNIQUE,
	worker_id	INTEGER NOT NULL REFERENCES worker(id),
	kind		TEXT NOT NULL CHECK (kind IN ('training', 'appraisal',
			 'living', 'entrepreneurship')),
	course_id	INTEGER REFERENCES course(id),
	occupation	TEXT REFERENCES occupation(code),
	level		INTEGER CHECK (level BETWEEN 1 AND 5),
	amount_fen	INTEGER NOT NULL CHECK (amount_fen >= 0),
	status		TEXT NOT NULL CHECK (status IN ('received', 'reviewing',
			 'approved', 'paid', 'rejected')),
	reason		TEXT,
	applied_date	TEXT NOT NULL,
	decided_date	TEXT,
	paid_date	TEXT,
	year		INTEGER NOT NULL,
	rule_flag	TEXT,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	CHECK (status <> 'rejected' OR coalesce(reason, '') <> ''),
	CHECK (status <> 'paid' OR paid_date IS NOT NULL),
	CHECK (kind <> 'training' OR (occupation IS NOT NULL AND level IS NOT NULL))
);
CREATE INDEX subsidy_worker ON subsidy(worker_id, year);

-- Who did what, when: registrations, enrolments, cancellations, lockouts,
-- opt-outs, imports. actor is a number (8613800138000) or an operator name.
CREATE TABLE audit (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	actor		TEXT NOT NULL,
	action		TEXT NOT NULL,
	detail		TEXT
);
CREATE INDEX audit_at ON audit(at);

-- Failed registration attempts per number and local day, for the lockout.
CREATE TABLE reg_failure (
	msisdn		TEXT NOT NULL,
	day		TEXT NOT NULL,			-- ISO local date
	count		INTEGER NOT NULL,
	PRIMARY KEY (msisdn, day)
) WITHOUT ROWID;

-- ===========================================================================
-- Notice campaigns: bulk training notices to a segment of the
-- roster or to a file of numbers. handlers/notice/notice.c keeps these tables,
-- handlers/notice/scheduler.c turns running campaigns into queue rows.
-- ===========================================================================

-- A campaign. state: draft (created, not started), running, paused,
-- cancelled, done (every recipient handled), expired (end_at came first).
-- text is what the operator wrote; body is what is sent, with the bureau's
-- signature (commands.signature) and the opt-out hint (notices.optout_hint)
-- added at create time, so that the length check and the preview are about
-- the message that goes out; parts is its longest form in SMS parts.
-- audience is the operator's options as JSON, for people; the f_* columns
-- are the same filters resolved to codes, each a JSON array or NULL (any),
-- bound as parameters by the expansion. by_numbers: the recipients came
-- from a file and are all in campaign_recipient from the start.
-- Expansion progress: cursor (the last worker id looked at), listed (1:
-- every recipient is in campaign_recipient; for a file of numbers, set
-- when the last number is written, and a campaign cannot start before),
-- pace_at (when the next message may leave, for a campaign with a rate).
CREATE TABLE campaign (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	text		TEXT NOT NULL,
	body		TEXT NOT NULL,
	audience	TEXT NOT NULL,
	f_region	TEXT,
	f_group		TEXT,
	f_course	TEXT,
	f_occupation	TEXT,
	f_enrol_status	TEXT,
	f_subsidy_status TEXT,
	by_numbers	INTEGER NOT NULL DEFAULT 0 CHECK (by_numbers IN (0, 1)),
	course_id	INTEGER REFERENCES course(id),	-- {course} for everyone
	parts		INTEGER NOT NULL,
	state		TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft',
			 'running', 'paused', 'cancelled', 'done', 'expired')),
	start_at	INTEGER,			-- NULL: when started
	end_at		INTEGER,			-- NULL: no end
	rate		INTEGER NOT NULL DEFAULT 0 CHECK (rate >= 0),	-- per s, 0: no cap
	cursor		INTEGER NOT NULL DEFAULT 0,
	listed		INTEGER NOT NULL DEFAULT 0,
	pace_at		INTEGER NOT NULL DEFAULT 0,
	created_by	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	started_at	INTEGER,
	finished_at	INTEGER,
	CHECK (end_at IS NULL OR start_at IS NULL OR end_at > start_at)
);
CREATE INDEX campaign_state ON campaign(state);

-- Recipients: one row per number and campaign (the UNIQUE), so a number gets
-- at most one message of a campaign, across restarts and crashes: the row
-- turns queued in the transaction that inserts its mt row.
-- state: pending (no message yet), queued (mt_id is its message, whose state
-- says what became of it), optout (opted out before it left), cancelled
-- (the campaign was cancelled first), bad (no message could be made).
CREATE TABLE campaign_recipient (
	id		INTEGER PRIMARY KEY,
	campaign_id	INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
	msisdn		TEXT NOT NULL,
	worker_id	INTEGER,			-- NULL: not on the roster
	course_id	INTEGER,			-- the course of {course}
	state		TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending',
			 'queued', 'optout', 'cancelled', 'bad')),
	mt_id		INTEGER,
	UNIQUE (campaign_id, msisdn)
);
CREATE INDEX campaign_recipient_pending ON campaign_recipient(campaign_id, id)
	WHERE state = 'pending';

-- The queued messages of campaigns: how many a campaign has waiting (the
-- scheduler keeps at most notices.ahead), and the rows taken back on pause,
-- cancel, expiry and opt-out. Small: only queued campaign rows are in it.
CREATE INDEX mt_campaign_queued ON mt(campaign_id)
	WHERE state = 0 AND campaign_id IS NOT NULL;

-- Numbers that are not on the roster and asked for no notices.
CREATE TABLE notice_optout (
	msisdn		TEXT PRIMARY KEY,
	at		INTEGER NOT NULL
) WITHOUT ROWID;

-- An opt-out stops the notices already queued for the number at once,
-- whoever records it (SMS TD, USSD, an import): they leave the queue and
-- their recipients become optout. What is still pending is checked when
-- its message would be made. (INDEXED BY: without statistics the planner
-- would walk every queued row of mt_state, bulk sends of skillctl included.)
CREATE TRIGGER notice_optout_worker AFTER UPDATE OF opted_out ON worker
	WHEN NEW.opted_out <> 0 AND OLD.opted_out = 0 AND NEW.msisdn IS NOT NULL
BEGIN
	UPDATE campaign_recipient SET state = 'optout', mt_id = NULL
	 WHERE id IN (SELECT r.id FROM mt m INDEXED BY mt_campaign_queued
	  JOIN campaign_recipient r ON r.campaign_id = m.campaign_id
	  AND r.msisdn = m.dst AND r.mt_id = m.id
	  WHERE m.state = 0 AND m.campaign_id IS NOT NULL AND m.dst = NEW.msisdn);
	DELETE FROM mt WHERE id IN (SELECT id FROM mt INDEXED BY mt_campaign_queued
	 WHERE state = 0 AND campaign_id IS NOT NULL AND dst = NEW.msisdn);
END;
CREATE TRIGGER notice_optout_number AFTER INSERT ON notice_optout
BEGIN
	UPDATE campaign_recipient SET state = 'optout', mt_id = NULL
	 WHERE id IN (SELECT r.id FROM mt m INDEXED BY mt_campaign_queued
	  JOIN campaign_recipient r ON r.campaign_id = m.campaign_id
	  AND r.msisdn = m.dst AND r.mt_id = m.id
	  WHERE m.state = 0 AND m.campaign_id IS NOT NULL AND m.dst = NEW.msisdn);
	DELETE FROM mt WHERE id IN (SELECT id FROM mt INDEXED BY mt_campaign_queued
	 WHERE state = 0 AND campaign_id IS NOT NULL AND dst = NEW.msisdn);
END;
