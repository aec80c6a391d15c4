-- 006: notifications: decisions on a worker's own case, texted once
--
-- Whatever writes a decision (skillctl import, the API, an operator's SQL)
-- goes through the triggers below, which record one notify_event per fact
-- and trainee in the same transaction as the change itself: a change that
-- is rolled back leaves no event, a committed one always has its event,
-- and a re-import that changes nothing fires nothing (the imports' upserts
-- only update rows whose values differ). An event keeps the facts it is
-- about (amount, dates, institution, reason), so a later change cannot
-- alter what an earlier message says. The daemon turns pending events
-- into MT rows (priority notify) and marks them in one transaction;
-- reminders before a course starts are events it records itself, at most
-- one per enrolment and start date. An import with --no-notify deletes the
-- events it caused before it commits (a backfill texts nobody).
--
-- The time of an event is the updated_at of the row that changed (the
-- writer's clock), a reminder's the daemon's. A decision without its date
-- is dated the day it was written (China time, UTC+8).
CREATE TABLE notify_event (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('subsidy_approved',
			 'subsidy_paid', 'subsidy_rejected', 'course_cancelled',
			 'course_closed', 'course_changed',
			 'enrolment_cancelled', 'reminder')),
	worker_id	INTEGER NOT NULL,
	subsidy_id	INTEGER,
	course_id	INTEGER,
	enrolment_id	INTEGER,
	amount_fen	INTEGER,		-- a subsidy's amount
	fact_date	TEXT,			-- decided or paid; a course's start
	end_date	TEXT,			-- a course's end
	institution	TEXT,			-- a course's institution (code)
	reason		TEXT,			-- a rejection's reason
	state		TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
			 ('pending', 'queued', 'nonumber', 'optout', 'bad')),
	mt_id		INTEGER,		-- state queued: its message
	created_at	INTEGER NOT NULL,
	handled_at	INTEGER
);
CREATE INDEX notify_event_pending ON notify_event(id) WHERE state = 'pending';
CREATE INDEX notify_event_created ON notify_event(created_at);
CREATE UNIQUE INDEX notify_reminder_once ON notify_event(enrolment_id, fact_date)
	WHERE kind = 'reminder';

-- Who cancelled an enrolment: the worker (QX, USSD) or the bureau (an
-- import, the API); only the bureau's cancellations are told.
ALTER TABLE enrolment ADD COLUMN cancelled_by TEXT
	CHECK (cancelled_by IN ('worker', 'bureau'));

CREATE TRIGGER notify_subsidy_new AFTER INSERT ON subsidy
	WHEN NEW.status IN ('approved', 'paid', 'rejected')
BEGIN
	INSERT INTO notify_event (kind, worker_id, subsidy_id, course_id,
	 amount_fen, fact_date, reason, created_at)
	VALUES ('subsidy_' || NEW.status, NEW.worker_id, NEW.id, NEW.course_id,
	 NEW.amount_fen, coalesce(CASE NEW.status WHEN 'paid'
	 THEN NEW.paid_date ELSE NEW.decided_date END,
	 date(NEW.updated_at / 1000 + 28800, 'unixepoch')), NEW.reason,
	 NEW.updated_at);
END;
CREATE TRIGGER notify_subsidy_status AFTER UPDATE OF status ON subsidy
	WHEN NEW.status IN ('approved', 'paid', 'rejected')
	 AND NEW.status IS NOT OLD.status
BEGIN
	INSERT INTO notify_event (kind, worker_id, subsidy_id, course_id,
	 amount_fen, fact_date, reason, created_at)
	VALUES ('subsidy_' || NEW.status, NEW.worker_id, NEW.id, NEW.course_id,
	 NEW.amount_fen, coalesce(CASE NEW.status WHEN 'paid'
	 THEN NEW.paid_date ELSE NEW.decided_date END,
	 date(NEW.updated_at / 1000 + 28800, 'unixepoch')), NEW.reason,
	 NEW.updated_at);
END;

-- A course cancelled, or closed for enrolment: each trainee still enrolled.
CREATE TRIGGER notify_course_status AFTER UPDATE OF status ON course
	WHEN NEW.status IN ('cancelled', 'closed')
	 AND NEW.status IS NOT OLD.status
BEGIN
	INSERT INTO notify_event (kind, worker_id, course_id, enrolment_id,
	 fact_date, end_date, institution, created_at)
	SELECT 'course_' || NEW.status, e.worker_id, NEW.id, e.id,
	 NEW.start_date, NEW.end_date, NEW.institution, NEW.updated_at
	 FROM enrolment e WHERE e.course_id = NEW.id AND e.status = 'enrolled';
END;
-- Its dates or institution changed (told once with the status message
-- when it closes in the same change; not at all when it is cancelled).
CREATE TRIGGER notify_course_change AFTER UPDATE OF start_date, end_date,
	institution ON course
	WHEN NEW.status IN ('open', 'closed')
	 AND NOT (NEW.status = 'closed' AND OLD.status IS NOT 'closed')
	 AND (NEW.start_date IS NOT OLD.start_date
	  OR NEW.end_date IS NOT OLD.end_date
	  OR NEW.institution IS NOT OLD.institution)
BEGIN
	INSERT INTO notify_event (kind, worker_id, course_id, enrolment_id,
	 fact_date, end_date, institution, created_at)
	SELECT 'course_changed', e.worker_id, NEW.id, e.id, NEW.start_date,
	 NEW.end_date, NEW.institution, NEW.updated_at
	 FROM enrolment e WHERE e.course_id = NEW.id AND e.status = 'enrolled';
END;

-- An enrolment the bureau cancelled (not the worker; not because the whole
-- course was cancelled, which is told as such).
CREATE TRIGGER notify_enrolment_cancel AFTER UPDATE OF status ON enrolment
	WHEN NEW.status = 'cancelled' AND OLD.status = 'enrolled'
	 AND NEW.cancelled_by IS NOT 'worker'
BEGIN
	INSERT INTO notify_event (kind, worker_id, course_id, enrolment_id,
	 fact_date, end_date, institution, created_at)
	SELECT 'enrolment_cancelled', NEW.worker_id, c.id, NEW.id,
	 c.start_date, c.end_date, c.institution, NEW.updated_at
	 FROM course c WHERE c.id = NEW.course_id AND c.status <> 'cancelled';
END;
