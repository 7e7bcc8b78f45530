"""``hardened-scheduler``: the scheduler service, a drop-in nova-scheduler.

``hardened-scheduler --config-file /etc/nova/nova.conf`` checks the
configuration (every filter and weigher name), then serves nova's
scheduler RPC API in ``[scheduler] workers`` processes on native threads:
exchange ``[DEFAULT] control_exchange`` (default ``nova``), topic
``scheduler``, server ``[DEFAULT] host``. SIGTERM drains, SIGHUP reloads
the configuration's mutable options and the host cache in place.
"""

import sys

from scheduler import cmd  # noqa: F401  (refuses eventlet, picks threads)
from scheduler.cmd import config_loading

from oslo_config import cfg  # noqa: H306

from scheduler import gc_settle  # noqa: H306
from scheduler import malloc_tuning
from scheduler import service
from scheduler.rpc import server
from scheduler.rpc import workers


def default_build(conf: cfg.ConfigOpts) -> service.SchedulerService:
    """The service of one worker: real transport, Placement, host cache.

    Called in each worker process, which serves the scheduler and nothing
    else: its full host-cache loads may settle the collector
    (``scheduler.gc_settle``) and huge freed buffers go back to the OS
    (``scheduler.malloc_tuning``). Importing this module does not opt in.
    """
    gc_settle.own_process()
    # Before the RPC server starts its executor threads.
    malloc_tuning.pin_mmap_threshold()
    return service.create_service(conf, server.get_transport(conf))


def main(argv: list[str] | None = None,
         build: workers.Build | None = None) -> int:
    """Run the service; ``build`` makes each worker's service (default:
    ``default_build``; tests replace the host cache through it)."""
    server.set_lib_defaults()
    conf = config_loading.load(sys.argv[1:] if argv is None else argv,
                               prog='hardened-scheduler')
    problems = config_loading.validate(conf)
    if build is None:
        build = default_build
        if not conf.api_database.connection:
            problems.append('[api_database] connection is not set: the '
                            'host states are read from nova\'s databases')
    for problem in problems:
        print(f'ERROR: {problem}', file=sys.stderr)
    if problems:
        return 2
    workers.run(conf, build, workers.worker_count(conf))
    return 0


if __name__ == '__main__':
    sys.exit(main())
