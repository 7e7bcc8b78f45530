"""Exactly one structured record per select_destinations.

Every call ends in one record, whatever the outcome (scheduled,
no_valid_host, denied, invalid, aborted, error): one INFO line
``Decision: {json}`` and, when notifications are enabled
(``[oslo_messaging_notifications] driver``), one ``scheduler.decision``
notification with the same payload. The pipeline's records are written
by the manager, those of refused calls (its own refusals included) by
``scheduler.rpc.refusals`` only.
The record carries the request id, the caller's user and project, what
each stage did (counts and durations), the chosen hosts and alternates
(keyed hashes unless ``[hardened_scheduler] log_identifiers = clear``)
and the request fields dropped by authorization. The notification's
context is built here from ids only: never the caller's token, roles or
service catalog.
"""

from collections.abc import Sequence
import json
import logging
from typing import Any, Protocol

from oslo_config import cfg

from scheduler import explanation
from scheduler.objects import context as context_obj
from scheduler.objects import selection
from scheduler.redaction import identifiers as ids_mod

LOG = logging.getLogger(__name__)
EVENT_TYPE = 'scheduler.decision'
# The log line of a record: its one argument is the record as JSON.
LOG_FORMAT = 'Decision: %s'


class Notifier(Protocol):
    """What we use of oslo_messaging.Notifier."""

    def info(self, ctxt: dict[str, Any], event_type: str,
             payload: dict[str, Any]) -> None: ...


def _chosen(rows: Sequence[Sequence[selection.Selection]],
            ids: ids_mod.Identifiers) -> list[dict[str, Any]]:
    return [{'host': ids.host(row[0].service_host),
             'node': ids.node(row[0].nodename),
             'alternates': [ids.host(alt.service_host) for alt in row[1:]]}
            for row in rows if row]


def build(expl: explanation.Explanation,
          context: context_obj.RequestContext, result: str,
          rows: Sequence[Sequence[selection.Selection]],
          ids: ids_mod.Identifiers) -> dict[str, Any]:
    """The record of one call; ``rows`` is empty unless it scheduled.

    The explanation's part is ``explanation.operator_record`` (stages,
    counts, durations, the requested target hashed), with the caller's
    ids, the outcome and the chosen hosts added.
    """
    record = explanation.operator_record(expl, ids)
    record.update({
        'result': result,
        # The explanation's request id is the global one, forwarded to
        # Placement; the record names both of the caller's.
        'request_id': context.request_id,
        'global_request_id': context.global_request_id,
        'user_id': context.user_id,
        'project_id': context.project_id,
        # Our id-free text even when users get nova's (which names a
        # requested host).
        'reason': (explanation.user_reason(expl)
                   if expl.failed_stage is not None else None),
        'chosen': _chosen(rows, ids),
    })
    return record


def notification_context(context: context_obj.RequestContext
                         ) -> dict[str, Any]:
    """The notification's context: ids only, no credentials (current
    oslo.messaging sends a plain dict context as empty anyway)."""
    return {'request_id': context.request_id,
            'global_request_id': context.global_request_id,
            'user_id': context.user_id,
            'project_id': context.project_id}


class DecisionLog:
    def __init__(self, conf: cfg.ConfigOpts,
                 notifier: Notifier | None = None) -> None:
        self._conf = conf
        self._notifier = notifier

    def refused(self, request_id: str, stage: str, reason: str,
                result: str = 'invalid') -> dict[str, Any]:
        """The record of a call refused before it was decoded (written by
        ``scheduler.rpc.refusals`` only): the request id (already made
        safe), where it was refused and why; the reason names a field,
        never a value."""
        payload: dict[str, Any] = {
            'result': result, 'request_id': request_id,
            'failed_stage': stage, 'reason': reason}
        LOG.info(LOG_FORMAT, json.dumps(payload, sort_keys=True))
        if self._notifier is not None:
            self._send({'request_id': request_id}, payload)
        return payload

    def _send(self, ctxt: dict[str, Any], payload: dict[str, Any]) -> None:
        assert self._notifier is not None
        try:
            self._notifier.info(ctxt, EVENT_TYPE, payload)
        except Exception as exc:  # noqa: BLE001 - never fail a request
            LOG.warning('Decision notification not sent: %s',
                        type(exc).__name__)

    def record(self, expl: explanation.Explanation,
               context: context_obj.RequestContext, result: str,
               rows: Sequence[Sequence[selection.Selection]] = ()
               ) -> dict[str, Any]:
        # Read per record: SIGHUP may switch identifiers to clear text.
        ids = ids_mod.Identifiers.from_conf(self._conf)
        payload = build(expl, context, result, rows, ids)
        LOG.info(LOG_FORMAT, json.dumps(payload, sort_keys=True))
        if self._notifier is not None:
            self._send(notification_context(context), payload)
        return payload
