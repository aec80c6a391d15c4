-- 009: table mt's state index only where it is read
--
-- mt_state (every row, by state) cost four index writes per message on the
-- queue's hot path: queued -> sending -> submitted each took an entry out
-- and put one in. What reads the state by index is the loop's look at
-- the rows in sending (start-up recovery, a campaign's "still in a
-- window") and the bureau's lists of failed and expired messages; counts
-- of every state (the API's status and /metrics) run in the API's worker
-- threads. A message now costs two index writes (into mt_sending when
-- taken, out when acknowledged); queued rows keep mt_ready.
DROP INDEX mt_state;
CREATE INDEX mt_sending ON mt(id) WHERE state = 1;
-- one per state: the planner uses a partial index only for a query whose
-- WHERE has its condition as written
CREATE INDEX mt_failed ON mt(id) WHERE state = 4;
CREATE INDEX mt_expired ON mt(id) WHERE state = 5;
