"""Reliability suite: the real service under faults (``tox -e reliability``).

The ``hardened-scheduler`` binary runs as its own process on this
machine's RabbitMQ, reads nova's own databases and talks to the real
Placement (its own process, SQLite file) through a fault-injecting
loopback proxy; nova 34's client sends the requests. See
docs/reliability.md.

``RELIABILITY_LONG=1`` selects the long run (10,000+ hostile messages,
more requests per fault kind); the default is CI's short run.
"""

# What the service processes import first: it refuses eventlet and picks
# oslo.service's threading backend before oslo_messaging is imported.
from scheduler import cmd  # noqa: F401

import os  # noqa: H306
import sys

from tests import integration

LONG = os.environ.get('RELIABILITY_LONG', '').lower() in ('1', 'true', 'yes')


def scale(short, long):
    """``short`` in CI's run, ``long`` with RELIABILITY_LONG=1."""
    return long if LONG else short


def require_rabbitmq():
    """Skip without RabbitMQ on 127.0.0.1:5672; fail in CI (CI=true)."""
    integration.require_service('RabbitMQ', integration.RABBITMQ)


def figures(scenario, *, cases, failures, leaks, overcommits, max_ms,
            **extra):
    """The scenario's one figures line (stdout, and stderr for stestr)."""
    line = (f'FIGURES {scenario}: cases={cases} failures={failures} '
            f'leaks={leaks} over-commits={overcommits} '
            f'max-latency-ms={max_ms:.0f}')
    for key, value in extra.items():
        line += f' {key}={value}'
    print(line, file=sys.__stdout__, flush=True)
    return line
