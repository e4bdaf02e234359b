-- ruvheal state, version 3: a plan whose repair was cut short (killed, connection
-- lost, server restart) ends `interrupted` instead of staying `running` forever.
-- {schema} is replaced by the quoted state schema name.

ALTER TABLE {schema}.plans DROP CONSTRAINT plans_status_check;
ALTER TABLE {schema}.plans ADD CONSTRAINT plans_status_check CHECK (status IN
    ('ready', 'awaiting_approval', 'approved', 'aborted', 'running', 'done', 'superseded',
     'interrupted'));
UPDATE {schema}.plans p SET status = 'interrupted'
 WHERE p.status = 'running'
   AND NOT EXISTS (SELECT 1 FROM {schema}.repairs r WHERE r.plan_id = p.id AND r.status = 'running');
