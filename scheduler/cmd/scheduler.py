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
from scheduler.cmd import outcome

from oslo_config import cfg  # noqa: H306

from scheduler.hoststate import gc_settle  # noqa: H306
from scheduler import malloc_tuning
from scheduler import service
from scheduler.rpc import server
from scheduler.rpc import workers

PROG = 'hardened-scheduler'


def default_build(conf: cfg.ConfigOpts) -> service.SchedulerService:
    """The service of one worker: real transport, Placement, host cache.

    Called in each worker process, which serves the scheduler and nothing
    else: its full host-cache loads may settle the collector
    (``scheduler.hoststate.gc_settle``) and huge freed buffers go back to
    the OS (``scheduler.malloc_tuning``). Importing this module does not
    opt in.
    """
    gc_settle.own_process()
    # Before the RPC server starts its executor threads.
    malloc_tuning.pin_mmap_threshold()
    return service.create_service(conf, server.get_transport(conf))


def main(argv: list[str] | None = None,
         build: workers.Build | None = None) -> int:
    """Run the service; ``build`` makes each worker's service (default:
    ``default_build``; tests replace the host cache through it).

    Exit codes: 0 after a clean stop, 2 for a configuration the service
    cannot start with (every problem printed, one line each, the same
    lines as ``hardened-scheduler-manage validate-config``), 255 for an
    unexpected error (``--debug`` shows its traceback).
    """
    argv = sys.argv[1:] if argv is None else argv
    return outcome.run_guarded(PROG, lambda: _serve(argv, build),
                               '--debug' in argv or '-d' in argv)


def _serve(argv: list[str], build: workers.Build | None) -> int:
    server.set_lib_defaults()
    conf = config_loading.load(argv, prog=PROG)
    problems = config_loading.validate(conf, builds_clients=build is None)
    for problem in problems:
        print(f'{PROG}: error: {problem}', file=sys.stderr)
    if problems:
        return outcome.FAILURE
    workers.run(conf, build or default_build, workers.worker_count(conf))
    return outcome.OK


if __name__ == '__main__':
    sys.exit(main())
