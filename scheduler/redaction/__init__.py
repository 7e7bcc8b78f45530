"""Log redaction: secrets masked everywhere, identifiers hashed.

Every log line of the process (ours and the libraries') goes through
``RedactionFilter`` once ``install(conf)`` has run (the entry points);
``install_on(conf)`` redacts only the service's own loggers, for a
process that embeds the service:

- tokens, passwords and URL credentials are masked at every level
  (``secrets``);
- host, node, instance, aggregate and provider identifiers passed as
  ``Identifier`` arguments, and UUIDs in free text except request ids,
  are shown as keyed hashes (``identifiers``), unless
  ``[hardened_scheduler] log_identifiers = clear``;
- per-request DEBUG lists of hosts are bounded (``TopHosts``).

Call sites wrap identifiers: ``LOG.warning('Host %s: ...', host(name))``.
"""

from scheduler.redaction.identifiers import aggregate
from scheduler.redaction.identifiers import AGGREGATE
from scheduler.redaction.identifiers import CLEAR
from scheduler.redaction.identifiers import HASHED
from scheduler.redaction.identifiers import host
from scheduler.redaction.identifiers import HOST
from scheduler.redaction.identifiers import Identifier
from scheduler.redaction.identifiers import Identifiers
from scheduler.redaction.identifiers import instance
from scheduler.redaction.identifiers import INSTANCE
from scheduler.redaction.identifiers import is_uuid
from scheduler.redaction.identifiers import KINDS
from scheduler.redaction.identifiers import MODES
from scheduler.redaction.identifiers import node
from scheduler.redaction.identifiers import NODE
from scheduler.redaction.identifiers import provider
from scheduler.redaction.identifiers import PROVIDER
from scheduler.redaction.identifiers import UUID
from scheduler.redaction.log_filter import redact_text
from scheduler.redaction.log_filter import RedactingFormatter
from scheduler.redaction.log_filter import RedactionFilter
from scheduler.redaction.secrets import mask_secrets
from scheduler.redaction.log_filter import RedactedException
from scheduler.redaction.setup import install
from scheduler.redaction.setup import install_on
from scheduler.redaction.setup import LIBRARY_LOGGERS
from scheduler.redaction.setup import refresh
from scheduler.redaction.setup import SERVICE_LOGGERS
from scheduler.redaction.setup import uninstall
from scheduler.redaction.summaries import TopHosts

__all__ = [
    'AGGREGATE', 'CLEAR', 'HASHED', 'HOST', 'INSTANCE', 'KINDS',
    'LIBRARY_LOGGERS', 'MODES', 'NODE', 'PROVIDER', 'SERVICE_LOGGERS',
    'UUID', 'Identifier', 'Identifiers', 'RedactedException',
    'RedactingFormatter', 'RedactionFilter', 'TopHosts', 'aggregate',
    'host', 'install', 'install_on', 'instance', 'is_uuid',
    'mask_secrets', 'node', 'provider', 'redact_text', 'refresh',
    'uninstall',
]
