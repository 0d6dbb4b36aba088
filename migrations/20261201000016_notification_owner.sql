-- Whose mail a message is: a person's list of what was sent to them is looked up by who they
-- are, never by an address anyone could type in.
ALTER TABLE notification ADD COLUMN user_id INTEGER REFERENCES user (id) ON DELETE CASCADE;
CREATE INDEX notification_by_user ON notification (user_id, id) WHERE user_id IS NOT NULL;
