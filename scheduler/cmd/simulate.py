"""``hardened-scheduler-manage simulate``: try a configuration first."""

import argparse
import logging
import sys

from oslo_config import cfg

from scheduler import conf as conf_pkg
from scheduler import redaction
from scheduler.simulator import model
from scheduler.simulator import report
from scheduler.simulator import session


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog='hardened-scheduler-manage simulate',
        description='Schedule a workload on a simulated cloud against an '
        'embedded Placement and report placements, utilisation, '
        'NoValidHost reasons by stage and latency. Without arguments it '
        'uses a built-in cloud (2 cells, 3 zones, 288 hosts) and '
        'workload.')
    parser.add_argument('--cloud', help='cloud description (YAML)')
    parser.add_argument('--workload', help='workload description (YAML)')
    parser.add_argument('--config-file', action='append', default=[],
                        help='scheduler configuration (nova.conf style); '
                        'repeatable, applies to every run')
    parser.add_argument('--compare', action='append', default=[],
                        metavar='CONFIG_FILE',
                        help='also run with this configuration on top, to '
                        'compare (repeatable)')
    parser.add_argument('--report', default='simulation-report.html',
                        help='where to write the HTML report '
                        '(default: %(default)s)')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    # The scenarios' own files configure the scheduler, not this
    # process's logging: redact with the defaults.
    log_conf = cfg.ConfigOpts()
    conf_pkg.register_opts(log_conf)
    log_conf([], default_config_files=[])
    redaction.install(log_conf)
    try:
        cloud = model.load_cloud(args.cloud)
        workload = model.load_workload(args.workload)
    except model.DescriptionError as exc:
        print(f'ERROR: {exc}', file=sys.stderr)
        return 2
    scenarios = [('baseline', args.config_file)]
    scenarios += [(name, [*args.config_file, name]) for name in args.compare]
    summaries = session.simulate(cloud, workload, scenarios)
    print(report.text(summaries))
    with open(args.report, 'w') as f:
        f.write(report.html_page(summaries))
    print(f'HTML report: {args.report}')
    return 0
