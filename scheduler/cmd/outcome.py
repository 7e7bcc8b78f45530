"""Exit codes and operator errors, the same for every command.

The codes follow ``nova-status``: 0 all is well, 1 warnings only,
2 a failure (a problem found, or a bad argument, configuration file or
input file), 255 an unexpected error. An operator's mistake is one line
on standard error naming the file, section, option or field; never a
traceback (``--debug`` shows the traceback of an unexpected error).
"""

from collections.abc import Callable
import sys
import traceback

from oslo_config import cfg

from scheduler.redaction import secrets

OK = 0
WARNING = 1
FAILURE = 2
UNEXPECTED = 255

EXIT_CODES_HELP = ('exit codes: 0 all is well, 1 warnings only, 2 failure '
                   '(a problem found, or a bad argument, configuration or '
                   'input file), 255 unexpected error (--debug shows its '
                   'traceback)')


class CommandError(Exception):
    """An operator's input is wrong; the message is the whole story."""


def worst(problems: int, warnings: int) -> int:
    if problems:
        return FAILURE
    return WARNING if warnings else OK


def config_error_text(exc: cfg.Error) -> str:
    """oslo.config's error as one line, without its internals."""
    if isinstance(exc, cfg.ConfigFilesNotFoundError):
        return ('configuration file not found or not readable: '
                + ', '.join(exc.config_files))
    if isinstance(exc, cfg.ConfigFileParseError):
        return f'cannot parse configuration file {exc.config_file}: {exc.msg}'
    if isinstance(exc, cfg.ConfigDirNotFoundError):
        return f'configuration directory not found: {exc.config_dir}'
    return ' '.join(str(exc).split())


def run_guarded(prog: str, body: Callable[[], int], debug: bool) -> int:
    """``body()``'s exit code; every failure becomes one line and a code."""
    try:
        return body()
    except CommandError as exc:
        print(f'{prog}: error: {exc}', file=sys.stderr)
        return FAILURE
    except cfg.Error as exc:
        print(f'{prog}: error: {secrets.mask_secrets(config_error_text(exc))}',
              file=sys.stderr)
        return FAILURE
    except KeyboardInterrupt:
        print(f'{prog}: interrupted', file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if debug:
            traceback.print_exc()
        text = secrets.mask_secrets(' '.join(str(exc).split()))
        print(f'{prog}: unexpected error: {type(exc).__name__}: {text}'
              + ('' if debug else ' (run with --debug for the traceback)'),
              file=sys.stderr)
        return UNEXPECTED
