
use builtin;
use str;

set edit:completion:arg-completer[ruvheal] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ruvheal'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ruvheal'= {
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand collections 'List vector collections: table, column, type, dims, rows and their indexes'
            cand check 'Measure a collection, store an observation and report findings'
            cand diagnose 'Classify findings into problems with root cause, evidence, impact and priority'
            cand plan 'Pick a playbook per problem within the safety limits and store a plan'
            cand repair 'Execute a plan (a fresh one, a stored one, or a named playbook), verify it, undo what did not help'
            cand rollback 'Undo a repair (the last one by default)'
            cand learn 'Recompute strategy weights from outcomes and print the effectiveness report'
            cand heal 'The whole cycle in one run (check, diagnose, plan, repair, verify, record), for cron'
            cand approve 'Approve a plan that waits for a human'
            cand abort 'Abort a plan that has not run, or a running repair (undone, recorded `aborted`)'
            cand feedback 'A human''s verdict on a repair (-1 harmful .. 5 very helpful), used by `learn`'
            cand status 'What is running, cooling down or waiting for approval; last state per collection'
            cand history 'Past repairs with their outcomes'
            cand playbooks 'The playbook library: list, show, validate'
            cand audit 'The tamper-evident audit log'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ruvheal;collections'= {
            cand --collection 'Show only this collection (`table` or `schema.table`)'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;check'= {
            cand --collection 'The collection: `table` or `schema.table`'
            cand --seed 'Seed for the deterministic choice of probe vectors'
            cand --prometheus-textfile 'Write node_exporter textfile metrics to PATH (atomically)'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --all 'Every discovered collection'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;diagnose'= {
            cand --collection 'The collection: `table` or `schema.table`'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --all 'Every discovered collection'
            cand --fresh 'Run a fresh check even when the last observation is recent'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;plan'= {
            cand --collection 'The collection: `table` or `schema.table`'
            cand --playbooks 'A folder of playbooks that add to or override the bundled ones by name'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --all 'Every discovered collection'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;repair'= {
            cand --collection 'The collection: `table` or `schema.table`'
            cand --plan 'Run this stored plan instead of planning afresh'
            cand --playbook 'Run this playbook (instead of the planner''s choice), under the same safety limits, approval rules and verification'
            cand --param 'A parameter of --playbook, overriding its default and the sizing (repeatable)'
            cand --playbooks 'A folder of playbooks that add to or override the bundled ones by name'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --all 'Every discovered collection'
            cand --dry-run 'Print the exact SQL and change nothing'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;rollback'= {
            cand --collection 'The collection (`table` or `schema.table`)'
            cand --repair 'The repair to undo (default: the last one)'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;learn'= {
            cand --window 'Window of outcomes to learn from, in days'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --reset 'Back up and clear the learned weights'
            cand --restore 'Bring back the weights saved by the last --reset'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;heal'= {
            cand --collection 'The collection: `table` or `schema.table`'
            cand --prometheus-textfile 'Write node_exporter textfile metrics to PATH (atomically)'
            cand --playbooks 'A folder of playbooks that add to or override the bundled ones by name'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --all 'Every discovered collection'
            cand --dry-run 'Plan and print, change nothing'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;approve'= {
            cand --reason 'Why, for the audit log'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;abort'= {
            cand --reason 'Why, for the audit log'
            cand --wait 'How long to wait for a running repair to stop and undo its steps'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --repair 'The id is a repair''s (from `ruvheal status` or `ruvheal history`)'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;feedback'= {
            cand --score '-1 harmful, 0 useless, 1-2 poor, 3-5 helpful; replaces the automatic verdict of this repair in `learn`'
            cand --note 'A note, kept with the score and in the audit log'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;status'= {
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --prometheus 'Print Prometheus exposition text instead of a report'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;history'= {
            cand --collection 'Only this collection'
            cand --class 'Only this problem class'
            cand --since 'Only repairs since this time (RFC 3339) or age (e.g. 7d, 12h)'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;playbooks'= {
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the playbooks (bundled and from --playbooks)'
            cand show 'Show one playbook'
            cand validate 'Validate playbooks (a file or a folder; the bundled set by default)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ruvheal;playbooks;list'= {
            cand --playbooks 'A folder of playbooks that add to or override the bundled ones by name'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;playbooks;show'= {
            cand --playbooks 'A folder of playbooks that add to or override the bundled ones by name'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;playbooks;validate'= {
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;playbooks;help'= {
            cand list 'List the playbooks (bundled and from --playbooks)'
            cand show 'Show one playbook'
            cand validate 'Validate playbooks (a file or a folder; the bundled set by default)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ruvheal;playbooks;help;list'= {
        }
        &'ruvheal;playbooks;help;show'= {
        }
        &'ruvheal;playbooks;help;validate'= {
        }
        &'ruvheal;playbooks;help;help'= {
        }
        &'ruvheal;audit'= {
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Check the hash chain of the audit log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ruvheal;audit;verify'= {
            cand --expect-head 'A head printed by an earlier verify (SEQ:HASH), kept outside the database: finds deleted newest rows, which leave a valid chain'
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;audit;help'= {
            cand verify 'Check the hash chain of the audit log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ruvheal;audit;help;verify'= {
        }
        &'ruvheal;audit;help;help'= {
        }
        &'ruvheal;completions'= {
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;man'= {
            cand --database-url 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]'
            cand --state-url 'Where ruvheal keeps its state tables [default: the --database-url database]'
            cand --config 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]'
            cand -o 'Output format [default: table]'
            cand --output 'Output format [default: table]'
            cand --no-progress 'Never draw progress bars'
            cand -q 'Print only results and errors on stderr'
            cand --quiet 'Print only results and errors on stderr'
            cand -v 'More detail on stderr (repeat for debug output)'
            cand --verbose 'More detail on stderr (repeat for debug output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ruvheal;help'= {
            cand collections 'List vector collections: table, column, type, dims, rows and their indexes'
            cand check 'Measure a collection, store an observation and report findings'
            cand diagnose 'Classify findings into problems with root cause, evidence, impact and priority'
            cand plan 'Pick a playbook per problem within the safety limits and store a plan'
            cand repair 'Execute a plan (a fresh one, a stored one, or a named playbook), verify it, undo what did not help'
            cand rollback 'Undo a repair (the last one by default)'
            cand learn 'Recompute strategy weights from outcomes and print the effectiveness report'
            cand heal 'The whole cycle in one run (check, diagnose, plan, repair, verify, record), for cron'
            cand approve 'Approve a plan that waits for a human'
            cand abort 'Abort a plan that has not run, or a running repair (undone, recorded `aborted`)'
            cand feedback 'A human''s verdict on a repair (-1 harmful .. 5 very helpful), used by `learn`'
            cand status 'What is running, cooling down or waiting for approval; last state per collection'
            cand history 'Past repairs with their outcomes'
            cand playbooks 'The playbook library: list, show, validate'
            cand audit 'The tamper-evident audit log'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ruvheal;help;collections'= {
        }
        &'ruvheal;help;check'= {
        }
        &'ruvheal;help;diagnose'= {
        }
        &'ruvheal;help;plan'= {
        }
        &'ruvheal;help;repair'= {
        }
        &'ruvheal;help;rollback'= {
        }
        &'ruvheal;help;learn'= {
        }
        &'ruvheal;help;heal'= {
        }
        &'ruvheal;help;approve'= {
        }
        &'ruvheal;help;abort'= {
        }
        &'ruvheal;help;feedback'= {
        }
        &'ruvheal;help;status'= {
        }
        &'ruvheal;help;history'= {
        }
        &'ruvheal;help;playbooks'= {
            cand list 'List the playbooks (bundled and from --playbooks)'
            cand show 'Show one playbook'
            cand validate 'Validate playbooks (a file or a folder; the bundled set by default)'
        }
        &'ruvheal;help;playbooks;list'= {
        }
        &'ruvheal;help;playbooks;show'= {
        }
        &'ruvheal;help;playbooks;validate'= {
        }
        &'ruvheal;help;audit'= {
            cand verify 'Check the hash chain of the audit log'
        }
        &'ruvheal;help;audit;verify'= {
        }
        &'ruvheal;help;completions'= {
        }
        &'ruvheal;help;man'= {
        }
        &'ruvheal;help;help'= {
        }
    ]
    $completions[$command]
}
