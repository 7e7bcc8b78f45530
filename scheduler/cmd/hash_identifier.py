"""``hardened-scheduler-manage hash-identifier``: find an object in logs.

Log lines show host, node, instance, aggregate and provider identifiers
as keyed hashes (``[hardened_scheduler] log_identifiers = hashed``).
This prints the forms a value takes, one per line, with the configured
``log_identifier_key``, so that ``grep -F -f`` finds every line::

    hardened-scheduler-manage hash-identifier --config-file nova.conf \\
        --kind instance 1b4e28ba-2fa1-11d2-883f-0016d3cca427 > forms
    grep -F -f forms /var/log/hardened-scheduler.log

A UUID has two forms: the kind's own, and ``uuid~...``, which is how a
UUID in free text (a library's line) is shown. Without a configured key
the service hashes with a random key of its own, which no other process
can know: that is an error here.
"""

import argparse

from oslo_config import cfg

from scheduler import redaction
from scheduler.cmd import outcome

KINDS = (redaction.HOST, redaction.NODE, redaction.INSTANCE,
         redaction.AGGREGATE, redaction.PROVIDER)


def forms(identifiers: redaction.Identifiers, kind: str,
          value: str) -> list[str]:
    """Every way the logs may show ``value`` of ``kind``."""
    found = [identifiers.digest(kind, value)]
    if redaction.is_uuid(value):
        found.append(identifiers.digest(redaction.UUID, value))
    return found


HELP = ('print the keyed hash that log lines show for a host, node, '
        'instance, aggregate or provider')
DESCRIPTION = ('Print the keyed hashes that log lines show for an '
               'identifier, one per line (for grep -F -f), computed with '
               '[hardened_scheduler] log_identifier_key.')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--kind', required=True, choices=KINDS,
                        help='what the value names')
    parser.add_argument('value', help='the host or node name, UUID or '
                        'aggregate name')


def run(conf: cfg.ConfigOpts, kind: str, value: str) -> int:
    if not conf.hardened_scheduler.log_identifier_key:
        raise outcome.CommandError(
            '[hardened_scheduler] log_identifier_key is not set: the '
            'service then hashes with a random key drawn at start, which '
            'no other process can know. Set the key (the same on every '
            'scheduler host) to get hashes that can be searched for.')
    identifiers = redaction.Identifiers.from_conf(conf)
    for line in forms(identifiers, kind, value):
        print(line)
    return outcome.OK
