# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ruvheal_global_optspecs
    string join \n database-url= state-url= config= o/output= no-progress q/quiet v/verbose h/help V/version
end

function __fish_ruvheal_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ruvheal_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ruvheal_using_subcommand
    set -l cmd (__fish_ruvheal_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ruvheal -n "__fish_ruvheal_needs_command" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_needs_command" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_needs_command" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_needs_command" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_needs_command" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "collections" -d 'List vector collections: table, column, type, dims, rows and their indexes'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "check" -d 'Measure a collection, store an observation and report findings'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "diagnose" -d 'Classify findings into problems with root cause, evidence, impact and priority'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "plan" -d 'Pick a playbook per problem within the safety limits and store a plan'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "repair" -d 'Execute a plan (a fresh one, a stored one, or a named playbook), verify it, undo what did not help'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "rollback" -d 'Undo a repair (the last one by default)'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "learn" -d 'Recompute strategy weights from outcomes and print the effectiveness report'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "heal" -d 'The whole cycle in one run (check, diagnose, plan, repair, verify, record), for cron'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "approve" -d 'Approve a plan that waits for a human'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "abort" -d 'Abort a plan that has not run, or a running repair (undone, recorded `aborted`)'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "feedback" -d 'A human\'s verdict on a repair (-1 harmful .. 5 very helpful), used by `learn`'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "status" -d 'What is running, cooling down or waiting for approval; last state per collection'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "history" -d 'Past repairs with their outcomes'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "playbooks" -d 'The playbook library: list, show, validate'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "audit" -d 'The tamper-evident audit log'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c ruvheal -n "__fish_ruvheal_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -l collection -d 'Show only this collection (`table` or `schema.table`)' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand collections" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -l collection -d 'The collection: `table` or `schema.table`' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -l seed -d 'Seed for the deterministic choice of probe vectors' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -l prometheus-textfile -d 'Write node_exporter textfile metrics to PATH (atomically)' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -l all -d 'Every discovered collection'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand check" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -l collection -d 'The collection: `table` or `schema.table`' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -l all -d 'Every discovered collection'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -l fresh -d 'Run a fresh check even when the last observation is recent'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand diagnose" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -l collection -d 'The collection: `table` or `schema.table`' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -l playbooks -d 'A folder of playbooks that add to or override the bundled ones by name' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -l all -d 'Every discovered collection'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand plan" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l collection -d 'The collection: `table` or `schema.table`' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l plan -d 'Run this stored plan instead of planning afresh' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l playbook -d 'Run this playbook (instead of the planner\'s choice), under the same safety limits, approval rules and verification' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l param -d 'A parameter of --playbook, overriding its default and the sizing (repeatable)' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l playbooks -d 'A folder of playbooks that add to or override the bundled ones by name' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l all -d 'Every discovered collection'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l dry-run -d 'Print the exact SQL and change nothing'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -s y -l yes -d 'Do not ask for confirmation'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand repair" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -l collection -d 'The collection (`table` or `schema.table`)' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -l repair -d 'The repair to undo (default: the last one)' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -s y -l yes -d 'Do not ask for confirmation'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -l window -d 'Window of outcomes to learn from, in days' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -l reset -d 'Back up and clear the learned weights'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -l restore -d 'Bring back the weights saved by the last --reset'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand learn" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -l collection -d 'The collection: `table` or `schema.table`' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -l prometheus-textfile -d 'Write node_exporter textfile metrics to PATH (atomically)' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -l playbooks -d 'A folder of playbooks that add to or override the bundled ones by name' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -l all -d 'Every discovered collection'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -l dry-run -d 'Plan and print, change nothing'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -s y -l yes -d 'Do not ask for confirmation'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand heal" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -l reason -d 'Why, for the audit log' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand approve" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -l reason -d 'Why, for the audit log' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -l wait -d 'How long to wait for a running repair to stop and undo its steps' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -l repair -d 'The id is a repair\'s (from `ruvheal status` or `ruvheal history`)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand abort" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -l score -d '-1 harmful, 0 useless, 1-2 poor, 3-5 helpful; replaces the automatic verdict of this repair in `learn`' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -l note -d 'A note, kept with the score and in the audit log' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand feedback" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -l prometheus -d 'Print Prometheus exposition text instead of a report'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand status" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -l collection -d 'Only this collection' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -l class -d 'Only this problem class' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -l since -d 'Only repairs since this time (RFC 3339) or age (e.g. 7d, 12h)' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand history" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -f -a "list" -d 'List the playbooks (bundled and from --playbooks)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -f -a "show" -d 'Show one playbook'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -f -a "validate" -d 'Validate playbooks (a file or a folder; the bundled set by default)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and not __fish_seen_subcommand_from list show validate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -l playbooks -d 'A folder of playbooks that add to or override the bundled ones by name' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -l playbooks -d 'A folder of playbooks that add to or override the bundled ones by name' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from validate" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from validate" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from validate" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from validate" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from validate" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from validate" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from validate" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from validate" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the playbooks (bundled and from --playbooks)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one playbook'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Validate playbooks (a file or a folder; the bundled set by default)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand playbooks; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check the hash chain of the audit log'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -l expect-head -d 'A head printed by an earlier verify (SEQ:HASH), kept outside the database: finds deleted newest rows, which leave a valid chain' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the hash chain of the audit log'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand completions" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand completions" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand completions" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand completions" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand completions" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand completions" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand completions" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand man" -l database-url -d 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand man" -l state-url -d 'Where ruvheal keeps its state tables [default: the --database-url database]' -r
complete -c ruvheal -n "__fish_ruvheal_using_subcommand man" -l config -d 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]' -r -F
complete -c ruvheal -n "__fish_ruvheal_using_subcommand man" -s o -l output -d 'Output format [default: table]' -r -f -a "table\t'Human-readable tables'
json\t'One JSON document with stable snake_case keys'"
complete -c ruvheal -n "__fish_ruvheal_using_subcommand man" -l no-progress -d 'Never draw progress bars'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand man" -s q -l quiet -d 'Print only results and errors on stderr'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand man" -s v -l verbose -d 'More detail on stderr (repeat for debug output)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand man" -s V -l version -d 'Print version'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "collections" -d 'List vector collections: table, column, type, dims, rows and their indexes'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "check" -d 'Measure a collection, store an observation and report findings'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "diagnose" -d 'Classify findings into problems with root cause, evidence, impact and priority'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "plan" -d 'Pick a playbook per problem within the safety limits and store a plan'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "repair" -d 'Execute a plan (a fresh one, a stored one, or a named playbook), verify it, undo what did not help'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "rollback" -d 'Undo a repair (the last one by default)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "learn" -d 'Recompute strategy weights from outcomes and print the effectiveness report'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "heal" -d 'The whole cycle in one run (check, diagnose, plan, repair, verify, record), for cron'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "approve" -d 'Approve a plan that waits for a human'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "abort" -d 'Abort a plan that has not run, or a running repair (undone, recorded `aborted`)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "feedback" -d 'A human\'s verdict on a repair (-1 harmful .. 5 very helpful), used by `learn`'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "status" -d 'What is running, cooling down or waiting for approval; last state per collection'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "history" -d 'Past repairs with their outcomes'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "playbooks" -d 'The playbook library: list, show, validate'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "audit" -d 'The tamper-evident audit log'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and not __fish_seen_subcommand_from collections check diagnose plan repair rollback learn heal approve abort feedback status history playbooks audit completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and __fish_seen_subcommand_from playbooks" -f -a "list" -d 'List the playbooks (bundled and from --playbooks)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and __fish_seen_subcommand_from playbooks" -f -a "show" -d 'Show one playbook'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and __fish_seen_subcommand_from playbooks" -f -a "validate" -d 'Validate playbooks (a file or a folder; the bundled set by default)'
complete -c ruvheal -n "__fish_ruvheal_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Check the hash chain of the audit log'
