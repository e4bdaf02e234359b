-- ruvheal state, version 1. {schema} is replaced by the quoted state schema name.

CREATE TABLE {schema}.collections (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schema_name  text NOT NULL,
    table_name   text NOT NULL,
    column_name  text NOT NULL,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    last_seen    timestamptz NOT NULL DEFAULT now(),
    contract     jsonb NOT NULL DEFAULT '{}',
    UNIQUE (schema_name, table_name, column_name)
);

CREATE TABLE {schema}.observations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection_id  bigint NOT NULL REFERENCES {schema}.collections(id) ON DELETE CASCADE,
    observed_at    timestamptz NOT NULL DEFAULT now(),
    duration_ms    double precision,
    metrics        jsonb NOT NULL DEFAULT '{}',
    skipped        jsonb NOT NULL DEFAULT '[]',
    details        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ON {schema}.observations (collection_id, observed_at DESC);

CREATE TABLE {schema}.baselines (
    collection_id  bigint NOT NULL REFERENCES {schema}.collections(id) ON DELETE CASCADE,
    metric         text NOT NULL,
    samples        integer NOT NULL,
    mean           double precision NOT NULL,
    stddev         double precision NOT NULL,
    p99            double precision,
    ewma           double precision,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, metric)
);

CREATE TABLE {schema}.findings (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    observation_id  bigint NOT NULL REFERENCES {schema}.observations(id) ON DELETE CASCADE,
    collection_id   bigint NOT NULL REFERENCES {schema}.collections(id) ON DELETE CASCADE,
    class           text NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    detector        text NOT NULL,
    metric          text,
    observed        double precision,
    expected        double precision,
    message         text NOT NULL,
    evidence        jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON {schema}.findings (collection_id, created_at DESC);

CREATE TABLE {schema}.diagnoses (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection_id      bigint NOT NULL REFERENCES {schema}.collections(id) ON DELETE CASCADE,
    observation_id     bigint REFERENCES {schema}.observations(id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    lambda             double precision,
    lambda_normalized  double precision,
    integrity_state    text CHECK (integrity_state IN ('normal', 'stress', 'critical')),
    witnesses          jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE {schema}.problems (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    diagnosis_id   bigint NOT NULL REFERENCES {schema}.diagnoses(id) ON DELETE CASCADE,
    collection_id  bigint NOT NULL REFERENCES {schema}.collections(id) ON DELETE CASCADE,
    class          text NOT NULL,
    severity       text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    priority       double precision NOT NULL DEFAULT 0,
    root_cause     text NOT NULL,
    evidence       jsonb NOT NULL DEFAULT '{}',
    impact         jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {schema}.problem_findings (
    problem_id  bigint NOT NULL REFERENCES {schema}.problems(id) ON DELETE CASCADE,
    finding_id  bigint NOT NULL REFERENCES {schema}.findings(id) ON DELETE CASCADE,
    PRIMARY KEY (problem_id, finding_id)
);

CREATE TABLE {schema}.plans (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection_id          bigint NOT NULL REFERENCES {schema}.collections(id) ON DELETE CASCADE,
    problem_id             bigint REFERENCES {schema}.problems(id) ON DELETE SET NULL,
    problem_class          text NOT NULL,
    playbook               text NOT NULL,
    params                 jsonb NOT NULL DEFAULT '{}',
    status                 text NOT NULL CHECK (status IN
        ('ready', 'awaiting_approval', 'approved', 'aborted', 'running', 'done', 'superseded')),
    requires_approval      boolean NOT NULL DEFAULT false,
    impact                 double precision NOT NULL DEFAULT 0,
    estimated_duration_ms  double precision,
    reason                 text,
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON {schema}.plans (collection_id, created_at DESC);

CREATE TABLE {schema}.plan_steps (
    plan_id        bigint NOT NULL REFERENCES {schema}.plans(id) ON DELETE CASCADE,
    ordinal        integer NOT NULL,
    kind           text NOT NULL,
    name           text NOT NULL,
    rendered       text NOT NULL,
    transactional  boolean NOT NULL DEFAULT true,
    undo           jsonb,
    PRIMARY KEY (plan_id, ordinal)
);

CREATE TABLE {schema}.approvals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id     bigint NOT NULL REFERENCES {schema}.plans(id) ON DELETE CASCADE,
    decision    text NOT NULL CHECK (decision IN ('approved', 'aborted')),
    actor       text NOT NULL DEFAULT current_user,
    reason      text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {schema}.repairs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id        bigint REFERENCES {schema}.plans(id) ON DELETE SET NULL,
    collection_id  bigint NOT NULL REFERENCES {schema}.collections(id) ON DELETE CASCADE,
    status         text NOT NULL CHECK (status IN
        ('running', 'succeeded', 'failed', 'rolled_back', 'interrupted', 'not_verified')),
    dry_run        boolean NOT NULL DEFAULT false,
    backend_pid    integer,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    verified       boolean,
    error          text,
    rolled_back_at timestamptz
);
CREATE INDEX ON {schema}.repairs (collection_id, started_at DESC);
CREATE INDEX ON {schema}.repairs (status) WHERE status = 'running';

CREATE TABLE {schema}.repair_steps (
    repair_id    bigint NOT NULL REFERENCES {schema}.repairs(id) ON DELETE CASCADE,
    ordinal      integer NOT NULL,
    name         text NOT NULL,
    rendered     text NOT NULL,
    status       text NOT NULL CHECK (status IN ('running', 'done', 'failed', 'undone', 'skipped', 'interrupted')),
    undo_state   jsonb,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    error        text,
    PRIMARY KEY (repair_id, ordinal)
);

CREATE TABLE {schema}.outcomes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repair_id       bigint REFERENCES {schema}.repairs(id) ON DELETE SET NULL,
    collection_id   bigint NOT NULL REFERENCES {schema}.collections(id) ON DELETE CASCADE,
    problem_class   text NOT NULL,
    problem         jsonb NOT NULL DEFAULT '{}',
    strategy        text NOT NULL,
    params          jsonb NOT NULL DEFAULT '{}',
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    duration_ms     double precision NOT NULL,
    success         boolean NOT NULL,
    verified        boolean NOT NULL,
    actions         jsonb NOT NULL DEFAULT '[]',
    improvement     double precision,
    lambda_before   double precision,
    lambda_after    double precision,
    metrics         jsonb NOT NULL DEFAULT '{}',
    feedback        smallint CHECK (feedback BETWEEN -1 AND 5)
);
CREATE INDEX ON {schema}.outcomes (problem_class, strategy, finished_at DESC);

CREATE TABLE {schema}.strategy_weights (
    problem_class     text NOT NULL,
    strategy          text NOT NULL,
    weight            double precision NOT NULL,
    reference_weight  double precision,
    alpha             double precision NOT NULL DEFAULT 1,
    beta              double precision NOT NULL DEFAULT 1,
    attempts          integer NOT NULL DEFAULT 0,
    successes         integer NOT NULL DEFAULT 0,
    mean_improvement  double precision,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (problem_class, strategy)
);

CREATE TABLE {schema}.strategy_weights_backup (
    LIKE {schema}.strategy_weights,
    backed_up_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {schema}.audit_log (
    seq          bigint PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL DEFAULT current_user,
    action       text NOT NULL,
    collection   text,
    subject      jsonb NOT NULL DEFAULT '{}',
    prev_hash    text NOT NULL,
    hash         text NOT NULL,
    hmac         text,
    UNIQUE (prev_hash)
);
