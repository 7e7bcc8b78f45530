"""``hardened-scheduler-manage simulate``: try a configuration first."""

import argparse
import importlib.util
import logging
import sys

from oslo_config import cfg

from scheduler.cmd import outcome
from scheduler.cmd import output
from scheduler import conf as conf_pkg
from scheduler import redaction
from scheduler.simulator import model
from scheduler.simulator import report_data
from scheduler.simulator import session
from scheduler.simulator import validation


HELP = 'try a configuration on a simulated cloud'
DESCRIPTION = (
    'Schedule a workload on a simulated cloud against an embedded '
    'Placement and report placements, utilisation, NoValidHost reasons by '
    'stage and latency. Without arguments it uses a built-in cloud (2 '
    'cells, 3 zones, 288 hosts) and workload. The global --config-file '
    'options configure the scheduler of every run.')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--cloud', help='cloud description (YAML)')
    parser.add_argument('--workload', help='workload description (YAML)')
    parser.add_argument('--compare', action='append', default=[],
                        metavar='CONFIG_FILE',
                        help='also run with this configuration on top, to '
                        'compare (repeatable)')
    parser.add_argument('--report', default='simulation-report.html',
                        help='where to write the HTML report; its data '
                        'goes next to it as JSON (X.html: X.json) '
                        '(default: %(default)s)')
    output.add_format_argument(parser)


# Import name -> distribution, of what the ``simulator`` extra installs.
SIMULATOR_EXTRA = {'matplotlib': 'matplotlib', 'jinja2': 'Jinja2',
                   'placement': 'openstack-placement'}


def _require_simulator_extra() -> None:
    missing = [dist for module, dist in SIMULATOR_EXTRA.items()
               if importlib.util.find_spec(module) is None]
    if missing:
        raise outcome.CommandError(
            f'the simulator needs {", ".join(missing)}: pip install '
            '"hardened-scheduler[simulator]"')


def run(args: argparse.Namespace) -> int:
    """``args``: this command's options plus the global ``config_files``."""
    _require_simulator_extra()
    # Only now: it imports matplotlib and Jinja2.
    from scheduler.simulator import report
    logging.basicConfig(level=logging.WARNING)
    # The scenarios' own files configure the scheduler, not this
    # process's logging: redact with the defaults.
    log_conf = cfg.ConfigOpts()
    conf_pkg.register_opts(log_conf)
    log_conf([], default_config_files=[])
    redaction.install(log_conf)
    # Every input is checked before anything is built or run; all the
    # problems are reported, one line each.
    try:
        cloud, workload = validation.check_inputs(
            args.cloud, args.workload, args.config_files, args.compare)
    except model.DescriptionError as exc:
        for problem in exc.problems:
            print(f'ERROR: {problem}', file=sys.stderr)
        return 2
    scenarios = [('baseline', args.config_files)]
    scenarios += [(name, [*args.config_files, name]) for name in args.compare]
    summaries = session.simulate(cloud, workload, scenarios)
    data = report.write(args.report, summaries)
    if args.format == output.TABLE:
        print(report.text(summaries))
        print(f'HTML report: {args.report}\nJSON data: {data}')
    else:
        print(output.document(report_data.document(summaries), args.format))
        print(f'HTML report: {args.report}, JSON data: {data}',
              file=sys.stderr)
    return 0
