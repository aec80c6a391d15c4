-- 005: MT priorities 0 USSD, 1 reply, 2 notification (new), 3 bulk
--
-- Notifications (decisions on a worker's own case) go after replies and
-- before bulk notices; bulk rows move from 2 to 3.
UPDATE mt SET prio = 3 WHERE prio = 2;

-- What became of a message, for modules that report on the messages they
-- made (notifications) without touching the queue's table or its state
-- numbers: queued (also while in a window), sent (at the SMSC, no final
-- receipt), delivered, failed, expired.
CREATE VIEW mt_outcome (id, outcome) AS SELECT id, CASE state
	WHEN 0 THEN 'queued' WHEN 1 THEN 'queued' WHEN 2 THEN 'sent'
	WHEN 3 THEN 'delivered' WHEN 4 THEN 'failed' ELSE 'expired' END
	FROM mt;

