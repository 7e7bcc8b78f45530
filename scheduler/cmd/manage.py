"""``hardened-scheduler-manage``: the operator tool.

Commands (``hardened-scheduler-manage COMMAND --help`` for each):

- ``validate-config``: load the configuration the service would start
  with (nova.conf) and report every problem that would stop it, with the
  same checks the service runs at start.
- ``check``: connect to the API and cell databases, Placement and the
  message bus and report what the scheduler would see (secrets masked).
- ``simulate``: schedule a workload on a simulated cloud (embedded
  Placement) and report what happened.
- ``hash-identifier --kind KIND VALUE``: print how log lines show an
  identifier (its keyed hash), to grep for it.

Global options (``--config-file``, ``--config-dir``, ``--debug``) go
before or after the command, as with nova-manage.
"""

import argparse
from collections.abc import Callable
import sys

from scheduler import cmd  # noqa: F401  (refuses eventlet, picks threads)
from scheduler.cmd import check
from scheduler.cmd import config_loading
from scheduler.cmd import hash_identifier
from scheduler.cmd import outcome

PROG = 'hardened-scheduler-manage'

VALIDATE_HELP = 'check the configuration the service would use'
VALIDATE_DESCRIPTION = (
    'Load the configuration the service would start with (default '
    '/etc/nova/nova.conf) and report every problem at once: missing '
    'required options, values of the wrong type, unknown filters and '
    'weighers, an unreadable policy file, incomplete Placement '
    'credentials. The service runs the same checks at start.')


def _validate_config(args: argparse.Namespace) -> int:
    conf = config_loading.load_for(args, f'{PROG} validate-config')
    problems = config_loading.validate(conf)
    for problem in problems:
        print(f'ERROR: {problem}')
    if problems:
        return outcome.FAILURE
    print('OK: configuration is valid ('
          + ', '.join(conf.config_file) + ')')
    return outcome.OK


def _check(args: argparse.Namespace) -> int:
    conf = config_loading.load_for(args, f'{PROG} check')
    return check.run(conf, fmt=args.format)


def _simulate(args: argparse.Namespace) -> int:
    # Imported here: the simulator pulls in the embedded Placement.
    from scheduler.cmd import simulate  # noqa: PLC0415
    return simulate.run(args)


def _hash_identifier(args: argparse.Namespace) -> int:
    conf = config_loading.load_for(args, f'{PROG} hash-identifier')
    return hash_identifier.run(conf, args.kind, args.value)


def _add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    from scheduler.cmd import simulate  # noqa: PLC0415
    simulate.add_arguments(parser)


def _simulate_texts() -> tuple[str, str]:
    from scheduler.cmd import simulate  # noqa: PLC0415
    return simulate.HELP, simulate.DESCRIPTION


Handler = Callable[[argparse.Namespace], int]
Adder = Callable[[argparse.ArgumentParser], None]


def _commands() -> dict[str, tuple[Handler, Adder, str, str]]:
    simulate_help, simulate_description = _simulate_texts()
    return {
        'validate-config': (_validate_config, lambda parser: None,
                            VALIDATE_HELP, VALIDATE_DESCRIPTION),
        'check': (_check, check.add_arguments, check.HELP,
                  check.DESCRIPTION),
        'simulate': (_simulate, _add_simulate_arguments, simulate_help,
                     simulate_description),
        'hash-identifier': (_hash_identifier, hash_identifier.add_arguments,
                            hash_identifier.HELP,
                            hash_identifier.DESCRIPTION),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description='Operator tool for hardened-scheduler.',
        epilog=outcome.EXIT_CODES_HELP)
    parser.add_argument('--version', action='version',
                        version=f'%(prog)s {config_loading.version()}')
    config_loading.add_global_arguments(parser)
    commands = parser.add_subparsers(
        dest='command', metavar='COMMAND', title='commands', required=True)
    for name, (handler, add, help_, description) in _commands().items():
        sub = commands.add_parser(name, help=help_, description=description,
                                  epilog=outcome.EXIT_CODES_HELP)
        config_loading.add_global_arguments(sub, in_command=True)
        add(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    config_loading.merge_global_arguments(args)
    return outcome.run_guarded(f'{PROG} {args.command}',
                               lambda: int(args.handler(args)), args.debug)


if __name__ == '__main__':
    sys.exit(main())
