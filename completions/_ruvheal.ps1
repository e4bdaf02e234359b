
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ruvheal' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ruvheal'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ruvheal' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('collections', 'collections', [CompletionResultType]::ParameterValue, 'List vector collections: table, column, type, dims, rows and their indexes')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Measure a collection, store an observation and report findings')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Classify findings into problems with root cause, evidence, impact and priority')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Pick a playbook per problem within the safety limits and store a plan')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Execute a plan (a fresh one, a stored one, or a named playbook), verify it, undo what did not help')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Undo a repair (the last one by default)')
            [CompletionResult]::new('learn', 'learn', [CompletionResultType]::ParameterValue, 'Recompute strategy weights from outcomes and print the effectiveness report')
            [CompletionResult]::new('heal', 'heal', [CompletionResultType]::ParameterValue, 'The whole cycle in one run (check, diagnose, plan, repair, verify, record), for cron')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a plan that waits for a human')
            [CompletionResult]::new('abort', 'abort', [CompletionResultType]::ParameterValue, 'Abort a plan that has not run, or a running repair (undone, recorded `aborted`)')
            [CompletionResult]::new('feedback', 'feedback', [CompletionResultType]::ParameterValue, 'A human''s verdict on a repair (-1 harmful .. 5 very helpful), used by `learn`')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'What is running, cooling down or waiting for approval; last state per collection')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Past repairs with their outcomes')
            [CompletionResult]::new('playbooks', 'playbooks', [CompletionResultType]::ParameterValue, 'The playbook library: list, show, validate')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The tamper-evident audit log')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ruvheal;collections' {
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'Show only this collection (`table` or `schema.table`)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;check' {
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'The collection: `table` or `schema.table`')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for the deterministic choice of probe vectors')
            [CompletionResult]::new('--prometheus-textfile', '--prometheus-textfile', [CompletionResultType]::ParameterName, 'Write node_exporter textfile metrics to PATH (atomically)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every discovered collection')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;diagnose' {
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'The collection: `table` or `schema.table`')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every discovered collection')
            [CompletionResult]::new('--fresh', '--fresh', [CompletionResultType]::ParameterName, 'Run a fresh check even when the last observation is recent')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;plan' {
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'The collection: `table` or `schema.table`')
            [CompletionResult]::new('--playbooks', '--playbooks', [CompletionResultType]::ParameterName, 'A folder of playbooks that add to or override the bundled ones by name')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every discovered collection')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;repair' {
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'The collection: `table` or `schema.table`')
            [CompletionResult]::new('--plan', '--plan', [CompletionResultType]::ParameterName, 'Run this stored plan instead of planning afresh')
            [CompletionResult]::new('--playbook', '--playbook', [CompletionResultType]::ParameterName, 'Run this playbook (instead of the planner''s choice), under the same safety limits, approval rules and verification')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'A parameter of --playbook, overriding its default and the sizing (repeatable)')
            [CompletionResult]::new('--playbooks', '--playbooks', [CompletionResultType]::ParameterName, 'A folder of playbooks that add to or override the bundled ones by name')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every discovered collection')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the exact SQL and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;rollback' {
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'The collection (`table` or `schema.table`)')
            [CompletionResult]::new('--repair', '--repair', [CompletionResultType]::ParameterName, 'The repair to undo (default: the last one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;learn' {
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Window of outcomes to learn from, in days')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--reset', '--reset', [CompletionResultType]::ParameterName, 'Back up and clear the learned weights')
            [CompletionResult]::new('--restore', '--restore', [CompletionResultType]::ParameterName, 'Bring back the weights saved by the last --reset')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;heal' {
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'The collection: `table` or `schema.table`')
            [CompletionResult]::new('--prometheus-textfile', '--prometheus-textfile', [CompletionResultType]::ParameterName, 'Write node_exporter textfile metrics to PATH (atomically)')
            [CompletionResult]::new('--playbooks', '--playbooks', [CompletionResultType]::ParameterName, 'A folder of playbooks that add to or override the bundled ones by name')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every discovered collection')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Plan and print, change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;approve' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, for the audit log')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;abort' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, for the audit log')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'How long to wait for a running repair to stop and undo its steps')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--repair', '--repair', [CompletionResultType]::ParameterName, 'The id is a repair''s (from `ruvheal status` or `ruvheal history`)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;feedback' {
            [CompletionResult]::new('--score', '--score', [CompletionResultType]::ParameterName, '-1 harmful, 0 useless, 1-2 poor, 3-5 helpful; replaces the automatic verdict of this repair in `learn`')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'A note, kept with the score and in the audit log')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;status' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--prometheus', '--prometheus', [CompletionResultType]::ParameterName, 'Print Prometheus exposition text instead of a report')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;history' {
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'Only this collection')
            [CompletionResult]::new('--class', '--class', [CompletionResultType]::ParameterName, 'Only this problem class')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only repairs since this time (RFC 3339) or age (e.g. 7d, 12h)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;playbooks' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the playbooks (bundled and from --playbooks)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one playbook')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Validate playbooks (a file or a folder; the bundled set by default)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ruvheal;playbooks;list' {
            [CompletionResult]::new('--playbooks', '--playbooks', [CompletionResultType]::ParameterName, 'A folder of playbooks that add to or override the bundled ones by name')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;playbooks;show' {
            [CompletionResult]::new('--playbooks', '--playbooks', [CompletionResultType]::ParameterName, 'A folder of playbooks that add to or override the bundled ones by name')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;playbooks;validate' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;playbooks;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the playbooks (bundled and from --playbooks)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one playbook')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Validate playbooks (a file or a folder; the bundled set by default)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ruvheal;playbooks;help;list' {
            break
        }
        'ruvheal;playbooks;help;show' {
            break
        }
        'ruvheal;playbooks;help;validate' {
            break
        }
        'ruvheal;playbooks;help;help' {
            break
        }
        'ruvheal;audit' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain of the audit log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ruvheal;audit;verify' {
            [CompletionResult]::new('--expect-head', '--expect-head', [CompletionResultType]::ParameterName, 'A head printed by an earlier verify (SEQ:HASH), kept outside the database: finds deleted newest rows, which leave a valid chain')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;audit;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain of the audit log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ruvheal;audit;help;verify' {
            break
        }
        'ruvheal;audit;help;help' {
            break
        }
        'ruvheal;completions' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;man' {
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'PostgreSQL URL or key=value DSN of the database holding the collections [default: libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, ...]')
            [CompletionResult]::new('--state-url', '--state-url', [CompletionResultType]::ParameterName, 'Where ruvheal keeps its state tables [default: the --database-url database]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./ruvheal.yaml, else $XDG_CONFIG_HOME/ruvheal/config.yaml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [default: table]')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for debug output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ruvheal;help' {
            [CompletionResult]::new('collections', 'collections', [CompletionResultType]::ParameterValue, 'List vector collections: table, column, type, dims, rows and their indexes')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Measure a collection, store an observation and report findings')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Classify findings into problems with root cause, evidence, impact and priority')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Pick a playbook per problem within the safety limits and store a plan')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Execute a plan (a fresh one, a stored one, or a named playbook), verify it, undo what did not help')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Undo a repair (the last one by default)')
            [CompletionResult]::new('learn', 'learn', [CompletionResultType]::ParameterValue, 'Recompute strategy weights from outcomes and print the effectiveness report')
            [CompletionResult]::new('heal', 'heal', [CompletionResultType]::ParameterValue, 'The whole cycle in one run (check, diagnose, plan, repair, verify, record), for cron')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a plan that waits for a human')
            [CompletionResult]::new('abort', 'abort', [CompletionResultType]::ParameterValue, 'Abort a plan that has not run, or a running repair (undone, recorded `aborted`)')
            [CompletionResult]::new('feedback', 'feedback', [CompletionResultType]::ParameterValue, 'A human''s verdict on a repair (-1 harmful .. 5 very helpful), used by `learn`')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'What is running, cooling down or waiting for approval; last state per collection')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Past repairs with their outcomes')
            [CompletionResult]::new('playbooks', 'playbooks', [CompletionResultType]::ParameterValue, 'The playbook library: list, show, validate')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The tamper-evident audit log')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ruvheal;help;collections' {
            break
        }
        'ruvheal;help;check' {
            break
        }
        'ruvheal;help;diagnose' {
            break
        }
        'ruvheal;help;plan' {
            break
        }
        'ruvheal;help;repair' {
            break
        }
        'ruvheal;help;rollback' {
            break
        }
        'ruvheal;help;learn' {
            break
        }
        'ruvheal;help;heal' {
            break
        }
        'ruvheal;help;approve' {
            break
        }
        'ruvheal;help;abort' {
            break
        }
        'ruvheal;help;feedback' {
            break
        }
        'ruvheal;help;status' {
            break
        }
        'ruvheal;help;history' {
            break
        }
        'ruvheal;help;playbooks' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the playbooks (bundled and from --playbooks)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one playbook')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Validate playbooks (a file or a folder; the bundled set by default)')
            break
        }
        'ruvheal;help;playbooks;list' {
            break
        }
        'ruvheal;help;playbooks;show' {
            break
        }
        'ruvheal;help;playbooks;validate' {
            break
        }
        'ruvheal;help;audit' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain of the audit log')
            break
        }
        'ruvheal;help;audit;verify' {
            break
        }
        'ruvheal;help;completions' {
            break
        }
        'ruvheal;help;man' {
            break
        }
        'ruvheal;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
