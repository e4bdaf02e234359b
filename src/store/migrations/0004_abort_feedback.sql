-- ruvheal state, version 4: a running repair an operator aborts (`abort
-- REPAIR_ID`) ends `aborted`; a human's verdict on a repair (`feedback`) keeps
-- its note and time. {schema} is replaced by the quoted state schema name.

ALTER TABLE {schema}.repairs DROP CONSTRAINT repairs_status_check;
ALTER TABLE {schema}.repairs ADD CONSTRAINT repairs_status_check CHECK (status IN
    ('running', 'succeeded', 'failed', 'rolled_back', 'interrupted', 'not_verified', 'aborted'));
ALTER TABLE {schema}.repairs ADD COLUMN abort_requested_at timestamptz,
                             ADD COLUMN abort_reason text;
ALTER TABLE {schema}.outcomes ADD COLUMN feedback_note text,
                              ADD COLUMN feedback_at timestamptz;
