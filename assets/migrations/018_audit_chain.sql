-- 018: the audit log becomes a hash chain (issue 12).  Each row keeps the SHA-256 of the
-- row before it (prev_hash) and its own (hash, over a canonical encoding of the row and
-- prev_hash; src/store.c store_audit_hash), so a changed or deleted row breaks the chain
-- and `till --verify-audit` names it.  Rows written before this migration have no hash;
-- the chain starts at the first row written after it.  The head hash is kept in meta
-- (audit.head) too, so that deleting the newest rows is noticed as well.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
-- Append-only: Till never changes or deletes an audit row.  The triggers stop it by
-- mistake; the chain catches whoever drops them.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
