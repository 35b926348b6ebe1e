-- Assignment: each case has a handler (经办人) for the step it is at; empty while it waits in
-- the unassigned queue. Moving to another step empties it.
ALTER TABLE applications ADD COLUMN handler TEXT;
CREATE INDEX applications_handler ON applications (handler, step);
