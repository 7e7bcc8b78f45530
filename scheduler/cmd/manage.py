"""``hardened-scheduler-manage``: the operator tool.

Subcommands:

- ``validate-config``: load the configuration the service would start
  with (nova.conf) and report every problem that would stop it.
- ``check``: connect to the API and cell databases and to Placement and
  report what the scheduler would see (secrets masked).
- ``simulate``: schedule a workload on a simulated cloud (embedded
  Placement) and report what happened; see ``simulate --help``.
- ``hash-identifier --kind KIND VALUE``: print how log lines show an
  identifier (its keyed hash), to grep for it; see ``hash_identifier``.
"""

import argparse
import sys

from scheduler import cmd  # noqa: F401  (refuses eventlet, picks threads)
from scheduler.cmd import check
from scheduler.cmd import config_loading
from scheduler.cmd import hash_identifier


def _validate_config(rest: list[str]) -> int:
    conf = config_loading.load(rest, prog='hardened-scheduler-manage '
                               'validate-config')
    problems = config_loading.validate(conf)
    for problem in problems:
        print(f'ERROR: {problem}')
    if not problems:
        print('OK: configuration is valid')
    return 1 if problems else 0


def _simulate(rest: list[str]) -> int:
    from scheduler.cmd import simulate
    return simulate.main(rest)


def _check(rest: list[str]) -> int:
    conf = config_loading.load(rest, prog='hardened-scheduler-manage check')
    return check.run(conf)


def _hash_identifier(rest: list[str]) -> int:
    return hash_identifier.main(rest)


COMMANDS = {
    'validate-config': (_validate_config,
                        'check the configuration the service would use'),
    'simulate': (_simulate, 'try a configuration on a simulated cloud'),
    'check': (_check, 'connect to the databases and Placement and report '
              'what the scheduler sees'),
    'hash-identifier': (_hash_identifier, 'print the keyed hash that log '
                        'lines show for a host, node, instance, aggregate '
                        'or provider'),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog='hardened-scheduler-manage',
        description='Operator tool for hardened-scheduler. Options after '
        'the command (e.g. --config-file) go to that command.')
    parser.add_argument('command', choices=sorted(COMMANDS),
                        help='; '.join(f'{name}: {help_}' for name, (_, help_)
                                       in sorted(COMMANDS.items())))
    args, rest = parser.parse_known_args(argv)
    handler, _ = COMMANDS[args.command]
    return handler(rest)


if __name__ == '__main__':
    sys.exit(main())
