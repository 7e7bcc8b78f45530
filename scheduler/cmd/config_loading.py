"""Loading and validating the service configuration (nova.conf).

``validate`` is the one check of a configuration: the service runs it
before it starts its workers and ``hardened-scheduler-manage
validate-config`` prints what it finds, so the two cannot disagree.
"""

import argparse
from collections.abc import Callable
from collections.abc import Sequence
import functools
import re

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging
import pbr.version

from scheduler.authz import authorization
from scheduler import conf as conf_pkg
from scheduler import plugins
from scheduler import redaction
from scheduler.conf import opts as conf_opts
from scheduler.db import engines
from scheduler.redaction import secrets

# oslo.config's value errors name the file as LocationInfo(..., detail='f').
_DETAIL = re.compile(r"detail='([^']*)'")
# Where oslo.config looks when no --config-file is given (project nova).
DEFAULT_FILES_TEXT = ('~/.nova/nova.conf, ~/nova.conf, /etc/nova/nova.conf, '
                      '/etc/nova.conf')


def version() -> str:
    return str(pbr.version.VersionInfo('hardened-scheduler')
               .version_string())


def add_global_arguments(parser: argparse.ArgumentParser,
                         in_command: bool = False) -> None:
    """--config-file, --config-dir and --debug, before or after the command.

    The command's copies have their own destinations: argparse would
    otherwise let the command's empty defaults replace values given
    before the command.
    """
    prefix = 'command_' if in_command else ''
    parser.add_argument('--config-file', action='append', default=[],
                        dest=f'{prefix}config_file', metavar='PATH',
                        help='configuration file (repeatable; default: '
                        f'{DEFAULT_FILES_TEXT})')
    parser.add_argument('--config-dir', action='append', default=[],
                        dest=f'{prefix}config_dir', metavar='DIR',
                        help='directory of *.conf files read after the '
                        'files (repeatable)')
    parser.add_argument('--debug', action='store_true',
                        dest=f'{prefix}debug',
                        help='debug logging, and the traceback of an '
                        'unexpected error')


def merge_global_arguments(args: argparse.Namespace) -> None:
    """``args.config_files``, ``args.config_dirs``, ``args.debug``."""
    args.config_files = [*args.config_file, *args.command_config_file]
    args.config_dirs = [*args.config_dir, *args.command_config_dir]
    args.debug = args.debug or args.command_debug


def load_for(args: argparse.Namespace, prog: str) -> cfg.ConfigOpts:
    """The configuration named by the merged global arguments.

    A command's log lines go to standard error (unless a log file is
    configured): standard output is the command's result, which
    ``-f json`` makes a document a script parses.
    """
    conf_args = [f'--config-file={p}' for p in args.config_files]
    conf_args += [f'--config-dir={p}' for p in args.config_dirs]
    if args.debug:
        conf_args.append('--debug')
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    conf.set_default('use_stderr', True)
    return load(conf_args, prog, conf)


def load(argv: Sequence[str], prog: str,
         conf: cfg.ConfigOpts | None = None) -> cfg.ConfigOpts:
    """Parse command-line arguments and config files into a ConfigOpts."""
    conf = conf or cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    logging.register_options(conf)
    # project='nova' makes the default config files /etc/nova/nova.conf,
    # the file an operator already has.
    conf(list(argv), project='nova', prog=prog,
         version=version())
    logging.setup(conf, 'hardened-scheduler')
    # Before anything logs, and (for the service) before workers fork, so
    # all of them share the random identifier key if none is configured.
    redaction.install(conf)
    return conf


def _where(error: str) -> str:
    """The file oslo.config names in a value error, if it names one."""
    found = _DETAIL.search(error)
    return f' (in {found.group(1)})' if found else ''


def _value_problems(conf: cfg.ConfigOpts) -> list[str]:
    """Every option value of ours that does not parse as its type."""
    problems = []
    for group, opts in conf_opts.list_opts():
        name = group.name if isinstance(group, cfg.OptGroup) else group
        section = None if name == 'DEFAULT' else name
        for opt in opts:
            try:
                holder = conf if section is None else conf[section]
                getattr(holder, opt.dest)
            except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
                # An auth plugin's option the chosen auth_type does not
                # register: keystoneauth checks those below.
                continue
            except (cfg.ConfigSourceValueError, ValueError) as exc:
                error = str(exc)
                reason = error.partition(' is not valid: ')[2]
                if opt.secret or not reason:
                    reason = f'not a valid {type(opt.type).__name__}'
                problems.append(f'[{name}] {opt.name}: invalid value'
                                f'{_where(error)}: {reason}')
    return problems


def _placement_problems(conf: cfg.ConfigOpts) -> list[str]:
    """The [placement] credentials the service would authenticate with."""
    try:
        auth = ks_loading.load_auth_from_conf_options(conf, 'placement')
    except ks_exc.MissingRequiredOptions as exc:
        names = ', '.join(sorted(o.dest for o in exc.options))
        return [f'[placement] missing required options for its auth_type: '
                f'{names}']
    except ks_exc.NoMatchingPlugin as exc:
        return [f'[placement] auth_type: unknown plugin {exc.name!r}']
    except ks_exc.MissingAuthPlugin:
        auth = None
    if auth is None:
        return ['[placement] auth_type is not set: the service cannot '
                'authenticate to Placement']
    return []


def _policy_problems(conf: cfg.ConfigOpts) -> list[str]:
    try:
        authorization.make_enforcer(conf)
    except Exception as exc:  # noqa: BLE001 - any parse or read error
        text = secrets.mask_secrets(' '.join(str(exc).split()))
        return [f'[oslo_policy] policy_file {conf.oslo_policy.policy_file}: '
                f'{type(exc).__name__}: {text}']
    return []


def _plugin_problems(load: Callable[[cfg.ConfigOpts], object],
                     conf: cfg.ConfigOpts) -> list[str]:
    try:
        load(conf)
    except plugins.UnknownPluginError as exc:
        return [str(exc)]
    return []


def _database_problems(conf: cfg.ConfigOpts) -> list[str]:
    """The database URLs parse and name a backend we read (no connection).
    """
    if not conf.api_database.connection:
        return ['[api_database] connection is not set: the host states are '
                'read from nova\'s databases']
    problems = []
    for group in ('api_database', 'database'):
        url = conf[group].connection
        if not url:
            continue
        try:
            engines.create_reader_engine(url).dispose()
        except engines.UnsupportedDatabase as exc:
            problems.append(f'[{group}] connection: {exc}')
    return problems


def validate(conf: cfg.ConfigOpts, builds_clients: bool = True
             ) -> list[str]:
    """Every problem that would stop the service, one line each.

    :param builds_clients: the service reads nova's databases and
        Placement itself (False when an embedder hands them in, and the
        options for them need not be set).
    """
    problems = []
    if not conf.config_file and not conf.config_dir:
        problems.append('no configuration file found: pass --config-file '
                        f'(looked for {DEFAULT_FILES_TEXT})')
    problems += _value_problems(conf)
    checks: list[Callable[[cfg.ConfigOpts], list[str]]] = [
        functools.partial(_plugin_problems, plugins.load_filters),
        functools.partial(_plugin_problems, plugins.load_weighers),
        _policy_problems]
    if builds_clients:
        checks = [_database_problems, _placement_problems, *checks]
    for check in checks:
        try:
            problems += check(conf)
        except cfg.ConfigSourceValueError:
            # An option this check reads has a bad value: reported above.
            continue
    return problems
