-- 008: training quality: attendance checks, satisfaction, employment follow-up
--
-- The trainees of subsidised courses answer from their bound phones
-- (handlers/quality): on the class days the bureau checks, each trainee is
-- texted a code of the day to send back (QD); when a course ends, a rating
-- of 1 to 5 (PJ); months later, whether they found work (JY). The daemon
-- makes each question a row here and its message a row of the queue in
-- one transaction, so a question is asked once per trainee and round,
-- whatever crashes. The figures the bureau reads are queries on these
-- rows, the enrolments and their results.

-- How the bureau checks a course's attendance (the courses import's
-- optional columns 考勤抽查 and 上课时间): checks is NULL (none), a
-- number of random class days ("2") or the days themselves
-- ("2026-12-03,2026-12-05"); class_hours "08:30-17:30" (NULL: the
-- configuration's quality.class_hours).
ALTER TABLE course ADD COLUMN checks TEXT;
ALTER TABLE course ADD COLUMN class_hours TEXT;

-- One attendance check: a course and a class day, when its questions
-- leave (ask_at) and when their codes expire (ends_at: the end of class
-- hours that day), both Unix ms.
CREATE TABLE quality_check (
	id		INTEGER PRIMARY KEY,
	course_id	INTEGER NOT NULL REFERENCES course(id),
	day		TEXT NOT NULL,
	ask_at		INTEGER NOT NULL,
	ends_at		INTEGER NOT NULL,
	created_at	INTEGER NOT NULL,
	UNIQUE (course_id, day),
	CHECK (ask_at < ends_at)
);
CREATE INDEX quality_check_due ON quality_check(ends_at);

-- One question to one trainee (an enrolment): kind attendance (round: its
-- check's id), survey (round 0) or employment (round: months after the
-- course's end). The UNIQUE is what asks each question once.
-- state: queued (mt_id is its message), nonumber (the worker has no bound
-- number), optout (opted out and quality.respect_optout), bad (no message
-- could be made). An answer is kept with the number it came from; a
-- survey's or a follow-up's second answer within quality.change_days of
-- the first replaces it (changed_at).
-- answer: attendance 1 (confirmed); survey 1..5; employment 1 employed,
-- 2 self-employed (started a business), 3 not yet.
CREATE TABLE quality_question (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('attendance', 'survey',
			 'employment')),
	round		INTEGER NOT NULL,
	enrolment_id	INTEGER NOT NULL REFERENCES enrolment(id),
	worker_id	INTEGER NOT NULL REFERENCES worker(id),
	course_id	INTEGER NOT NULL REFERENCES course(id),
	check_id	INTEGER REFERENCES quality_check(id),
	msisdn		TEXT,			-- the number asked
	code		TEXT,			-- attendance: the code of the day
	state		TEXT NOT NULL CHECK (state IN ('queued', 'nonumber',
			 'optout', 'bad')),
	mt_id		INTEGER,
	asked_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,	-- answers taken until
	answer		INTEGER,
	comment		TEXT,			-- survey: the worker's words
	answered_at	INTEGER,		-- the first answer
	changed_at	INTEGER,		-- the answer that replaced it
	answered_by	TEXT,			-- the number it came from
	via		TEXT CHECK (via IN ('sms', 'ussd')),
	UNIQUE (enrolment_id, kind, round),
	CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX quality_question_worker ON quality_question(worker_id, kind,
	asked_at);
CREATE INDEX quality_question_course ON quality_question(course_id, kind);
-- the open codes of a day are unique (the asker draws again on a clash)
CREATE INDEX quality_question_code ON quality_question(code)
	WHERE code IS NOT NULL;

-- Answers that did not count, for the bureau: a wrong code (wrong), a
-- code or answer after its time (late), a code of a trainee sent from
-- another number than the trainee's bound one (other: question_id is the
-- trainee's question), an answer to a question answered too long ago to
-- change (closed).
CREATE TABLE quality_refusal (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	msisdn		TEXT NOT NULL,
	kind		TEXT NOT NULL CHECK (kind IN ('attendance', 'survey',
			 'employment')),
	reason		TEXT NOT NULL CHECK (reason IN ('wrong', 'late', 'other',
			 'closed')),
	question_id	INTEGER REFERENCES quality_question(id)
);
CREATE INDEX quality_refusal_question ON quality_refusal(question_id)
	WHERE question_id IS NOT NULL;
