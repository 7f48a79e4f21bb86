-- V2: keyed hashes (SiteKeystore.pseudonymKey) of an original's SOP Instance UID and accession
-- number, so labels and operator requests keyed by those values find the object without the
-- index holding the values themselves.
ALTER TABLE objects ADD COLUMN sop_key TEXT;
ALTER TABLE objects ADD COLUMN accession_key TEXT;
CREATE INDEX objects_sop_key ON objects(sop_key);
CREATE INDEX objects_accession_key ON objects(accession_key);
