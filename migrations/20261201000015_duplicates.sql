-- A request marked as a duplicate points to the original; its requester follows the original.
ALTER TABLE patch_request ADD COLUMN duplicate_of INTEGER REFERENCES patch_request (id);
CREATE INDEX patch_request_by_original ON patch_request (duplicate_of) WHERE duplicate_of IS NOT NULL;
