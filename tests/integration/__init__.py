"""Integration tests: the machine's real MariaDB, PostgreSQL and RabbitMQ.

Without a service they skip with a message saying so, except in CI
(CI=true), where a missing service is a failure: CI must run them.
"""

import os
import socket
import unittest

MARIADB = ('127.0.0.1', 3306)
POSTGRESQL = ('127.0.0.1', 5432)
RABBITMQ = ('127.0.0.1', 5672)


def require_service(name, address):
    """Skip (or, in CI, fail) when nothing listens at ``address``."""
    try:
        with socket.create_connection(address, timeout=2):
            return
    except OSError as exc:
        message = (f'{name} is not reachable at {address[0]}:{address[1]} '
                   f'({exc.__class__.__name__}); start it to run this test')
    if os.environ.get('CI', '').lower() in ('1', 'true', 'yes'):
        raise AssertionError(message)
    raise unittest.SkipTest(message)
