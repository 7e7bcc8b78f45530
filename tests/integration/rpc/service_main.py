"""``hardened-scheduler`` with a host cache read from files, for tests.

The same entry point (``scheduler.cmd.scheduler.main``: configuration,
validation, worker processes, signals, RabbitMQ, Placement over HTTP);
only the host cache differs: hosts come from the file named by
``HS_TEST_HOSTS`` and each worker reports its cache in ``HS_TEST_STATE``
(a directory) instead of reading nova's databases.

    python -m tests.integration.rpc.service_main --config-file x.conf
"""

from scheduler import cmd  # noqa: F401  (refuses eventlet, as the binary)

import os  # noqa: H306
import sys

from scheduler.cmd import scheduler as scheduler_cmd
from scheduler import service
from scheduler.rpc import server
from tests.integration.rpc import hosts


def build(conf):
    cache = hosts.ReportingCache(os.environ['HS_TEST_HOSTS'],
                                 os.environ['HS_TEST_STATE'])
    return service.create_service(conf, server.get_transport(conf),
                                  hosts=cache)


if __name__ == '__main__':
    sys.exit(scheduler_cmd.main(sys.argv[1:], build=build))
