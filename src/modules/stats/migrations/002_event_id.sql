-- A grade that belongs to no assignment is identified by its event id (given by the
-- caller as eventId or Idempotency-Key, else generated), so two distinct direct grades
-- both count while a replayed one changes nothing. Assignment grades keep event_id ''
-- (the assignment is their identity: a re-grade replaces).
ALTER TABLE stats.grades ADD COLUMN event_id text NOT NULL DEFAULT '';
ALTER TABLE stats.grades DROP CONSTRAINT grades_pkey;
ALTER TABLE stats.grades ADD PRIMARY KEY (student_id, course_id, assignment_id, event_id);
