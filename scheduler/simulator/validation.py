"""Every input of a simulation, checked before the first request.

The cloud and workload descriptions (``model``), every global
``--config-file`` and every ``--compare`` file: each configuration file
must exist, parse, and hold values the scheduler's options accept (every
registered option is read, as the service would), and each run's
configuration must name filters and weighers that load. All problems are
reported at once, one line each naming the file and the field, section
or option, so a typo in the last ``--compare`` file is found before
minutes of baseline run, not after.
"""

from collections.abc import Mapping, Sequence
import re

from oslo_config import cfg

from scheduler import conf as conf_pkg
from scheduler import nova_bridge
from scheduler import plugins
from scheduler.redaction import secrets
from scheduler.simulator import model


def load_conf(config_files: Sequence[str]) -> cfg.ConfigOpts:
    """The scheduler's options from these files only (no defaults files).

    :raises cfg.Error: a file is missing or does not parse.
    """
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    args = []
    for name in config_files:
        args += ['--config-file', name]
    conf(args, project='hardened-scheduler', default_config_files=[],
         default_config_dirs=[])
    return conf


def _value_error(exc: Exception) -> str:
    text = str(exc)
    # oslo.config: "Value for option X from LocationInfo(...) is not
    # valid: <why>"; the why is what the operator needs.
    _, sep, why = text.partition(' is not valid: ')
    return ' '.join(f'invalid value: {why}'.split() if sep else text.split())


def _option_problems(path: str, conf: cfg.ConfigOpts) -> list[str]:
    """Read every registered option; each bad value is one problem."""
    problems = []
    for name in sorted(conf):
        try:
            value = conf[name]
        except (cfg.Error, ValueError) as exc:
            problems.append(f'{path}: [DEFAULT] {name}: {_value_error(exc)}')
            continue
        if not isinstance(value, cfg.ConfigOpts.GroupAttr):
            continue
        for option in sorted(value):
            try:
                value[option]
            except (cfg.Error, ValueError) as exc:
                problems.append(
                    f'{path}: [{name}] {option}: {_value_error(exc)}')
    return problems


def config_file_problems(path: str) -> tuple[cfg.ConfigOpts | None,
                                              list[str]]:
    """One configuration file read on its own, and what is wrong with it."""
    try:
        conf = load_conf([path])
    except cfg.ConfigFilesNotFoundError:
        return None, [f'{path}: configuration file not found or not '
                      'readable']
    except cfg.ConfigFileParseError as exc:
        why = ' '.join(str(exc.msg).split())
        # oslo.config's "at <path>:<line>, <why>"
        at = re.match(r'at .*:(\d+), (.*)$', why)
        if at:
            return None, [f'{path}: line {at.group(1)}: cannot parse '
                          f'configuration file: {at.group(2)}']
        return None, [f'{path}: cannot parse configuration file: {why}']
    except cfg.Error as exc:
        return None, [f'{path}: ' + ' '.join(str(exc).split())]
    return conf, _option_problems(path, conf)


def _where(option: str, files: Sequence[str],
           alone: Mapping[str, cfg.ConfigOpts]) -> str:
    """The last of ``files`` that sets ``[filter_scheduler] option``.

    Asked of each file read on its own: a ConfigOpts of several files
    names the last one with the section, not the one with the option.
    """
    for path in reversed(files):
        location = alone[path].get_location(option, 'filter_scheduler')
        if location is not None and location.location == (
                cfg.Locations.user):
            return path
    return 'the default configuration'


def plugin_problems(files: Sequence[str],
                    alone: Mapping[str, cfg.ConfigOpts]) -> list[str]:
    """Filters and weighers that the run with these files cannot load.

    ``alone``: each of ``files`` loaded on its own.
    """
    conf = load_conf(files)
    problems = []
    for loader in (plugins.load_filters, plugins.load_weighers):
        try:
            loader(conf)
        except plugins.UnknownPluginError as exc:
            problems.append(f'{_where(exc.option, files, alone)}: {exc}')
        except (nova_bridge.BridgeError, TypeError, ValueError) as exc:
            where = files[-1] if files else '<defaults>'
            problems.append(f'{where}: ' + ' '.join(str(exc).split()))
    return problems


def config_problems(config_files: Sequence[str],
                    compare_files: Sequence[str]) -> list[str]:
    """Every problem of the configuration files of every run."""
    problems: list[str] = []
    alone = {}
    for path in dict.fromkeys([*config_files, *compare_files]):
        conf, found = config_file_problems(path)
        problems += found
        if conf is not None and not found:
            alone[path] = conf
    runs = [list(config_files)]
    runs += [[*config_files, name] for name in compare_files]
    for files in runs:
        if not all(path in alone for path in files):
            continue
        for problem in plugin_problems(files, alone):
            if problem not in problems:
                problems.append(problem)
    return [secrets.mask_secrets(p) for p in problems]


def check_inputs(cloud_path: str | None, workload_path: str | None,
                 config_files: Sequence[str], compare_files: Sequence[str],
                 ) -> tuple[model.CloudDescription,
                            model.WorkloadDescription]:
    """The descriptions, once every input has been checked.

    :raises model.DescriptionError: with every problem of every input.
    """
    problems: list[str] = []
    cloud = workload = None
    try:
        cloud = model.load_cloud(cloud_path)
    except model.DescriptionError as exc:
        problems += exc.problems
    try:
        workload = model.load_workload(workload_path)
    except model.DescriptionError as exc:
        problems += exc.problems
    problems += config_problems(config_files, compare_files)
    if problems or cloud is None or workload is None:
        raise model.DescriptionError(problems)
    return cloud, workload
