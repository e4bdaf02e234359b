-- ruvheal state, version 2: auto-heal stops raised by `learn` (drift) and views
-- for people who live in psql. {schema} is replaced by the quoted state schema name.

CREATE TABLE {schema}.heal_stops (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    problem_class  text NOT NULL,
    reason         text NOT NULL,
    details        jsonb NOT NULL DEFAULT '{}',
    since          timestamptz NOT NULL DEFAULT now(),
    cleared_at     timestamptz,
    cleared_by     text
);
CREATE UNIQUE INDEX ON {schema}.heal_stops (problem_class) WHERE cleared_at IS NULL;

-- One row per collection: what runs, when the last repair ended, what waits, the
-- latest diagnosis.
CREATE VIEW {schema}.healing_status AS
SELECT c.schema_name, c.table_name, c.column_name,
       (SELECT count(*) FROM {schema}.repairs r
         WHERE r.collection_id = c.id AND r.status = 'running') AS running_repairs,
       (SELECT max(coalesce(r.finished_at, r.started_at)) FROM {schema}.repairs r
         WHERE r.collection_id = c.id AND NOT r.dry_run) AS last_repair_end,
       (SELECT count(*) FROM {schema}.plans p
         WHERE p.collection_id = c.id AND p.status = 'awaiting_approval') AS awaiting_approval,
       d.created_at AS diagnosed_at, d.integrity_state, d.lambda, d.lambda_normalized,
       (SELECT pr.class FROM {schema}.problems pr WHERE pr.diagnosis_id = d.id
         ORDER BY pr.priority DESC, pr.id LIMIT 1) AS worst_problem
  FROM {schema}.collections c
  LEFT JOIN LATERAL (SELECT * FROM {schema}.diagnoses d0 WHERE d0.collection_id = c.id
                      ORDER BY d0.created_at DESC, d0.id DESC LIMIT 1) d ON true;

-- Every repair with its plan and outcome, newest first.
CREATE VIEW {schema}.healing_history AS
SELECT r.id AS repair_id, c.schema_name, c.table_name, p.problem_class, p.playbook,
       r.status, r.dry_run, r.started_at, r.finished_at, r.verified, r.error,
       o.success, o.improvement, o.duration_ms, o.feedback
  FROM {schema}.repairs r
  JOIN {schema}.collections c ON c.id = r.collection_id
  LEFT JOIN {schema}.plans p ON p.id = r.plan_id
  LEFT JOIN {schema}.outcomes o ON o.repair_id = r.id
 ORDER BY r.started_at DESC, r.id DESC;

-- Per (class, strategy): what the outcomes say and what `learn` stored.
CREATE VIEW {schema}.healing_effectiveness AS
SELECT o.problem_class, o.strategy,
       count(*) AS attempts,
       count(*) FILTER (WHERE o.success AND o.verified) AS successes,
       (count(*) FILTER (WHERE o.success AND o.verified))::double precision / count(*) AS success_rate,
       avg(o.improvement) AS mean_improvement,
       avg(o.duration_ms) FILTER (WHERE o.success AND o.verified) AS mean_time_to_recovery_ms,
       max(o.finished_at) AS last_attempt,
       w.weight, w.reference_weight, w.updated_at AS weight_updated_at
  FROM {schema}.outcomes o
  LEFT JOIN {schema}.strategy_weights w
    ON w.problem_class = o.problem_class AND w.strategy = o.strategy
 GROUP BY o.problem_class, o.strategy, w.weight, w.reference_weight, w.updated_at;
