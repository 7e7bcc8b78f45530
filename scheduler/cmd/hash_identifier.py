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
import sys

from scheduler import redaction
from scheduler.cmd import config_loading

KINDS = (redaction.HOST, redaction.NODE, redaction.INSTANCE,
         redaction.AGGREGATE, redaction.PROVIDER)


def forms(identifiers: redaction.Identifiers, kind: str,
          value: str) -> list[str]:
    """Every way the logs may show ``value`` of ``kind``."""
    found = [identifiers.digest(kind, value)]
    if redaction.is_uuid(value):
        found.append(identifiers.digest(redaction.UUID, value))
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog='hardened-scheduler-manage hash-identifier',
        description='Print the keyed hashes that log lines show for an '
        'identifier, one per line (for grep -F -f), computed with '
        '[hardened_scheduler] log_identifier_key.')
    parser.add_argument('--kind', required=True, choices=KINDS,
                        help='what the value names')
    parser.add_argument('--config-file', action='append', default=[],
                        help='configuration file (repeatable; default: '
                        'nova\'s usual locations)')
    parser.add_argument('--config-dir', action='append', default=[],
                        help='configuration directory (repeatable)')
    parser.add_argument('value', help='the host or node name, UUID or '
                        'aggregate name')
    args = parser.parse_args(argv)
    conf_args = [f'--config-file={p}' for p in args.config_file]
    conf_args += [f'--config-dir={p}' for p in args.config_dir]
    conf = config_loading.load(
        conf_args, prog='hardened-scheduler-manage hash-identifier')
    if not conf.hardened_scheduler.log_identifier_key:
        print('ERROR: [hardened_scheduler] log_identifier_key is not set: '
              'the service then hashes with a random key drawn at start, '
              'which no other process can know. Set the key (the same on '
              'every scheduler host) to get hashes that can be searched '
              'for.', file=sys.stderr)
        return 2
    identifiers = redaction.Identifiers.from_conf(conf)
    for line in forms(identifiers, args.kind, args.value):
        print(line)
    return 0
