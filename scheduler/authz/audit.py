"""Audit records: refused calls and dropped request fields.

One WARNING line per event on the ``scheduler.audit`` logger, so operators
can route it apart from the service log. A record names the caller (ids,
roles, admin flag), the request id and what was refused, never the token
nor any value of the dropped field.
"""

from collections.abc import Sequence
import json
import logging

from scheduler.authz import request_trust
from scheduler.objects import context as context_obj

# Its own name, kept when the module moved: operators route it by name.
LOG = logging.getLogger('scheduler.audit')


def caller(context: context_obj.RequestContext) -> dict[str, object]:
    return {
        'request_id': context.request_id,
        'global_request_id': context.global_request_id,
        'user_id': context.user_id,
        'project_id': context.project_id,
        'roles': sorted(context.roles),
        'is_admin': context.is_admin,
    }


def _emit(event: str, fields: dict[str, object]) -> None:
    LOG.warning('%s: %s', event, json.dumps(fields, sort_keys=True))


def denied(method: str, rule: str,
           context: context_obj.RequestContext) -> None:
    """An RPC call the policy refused; it changed nothing."""
    _emit('Denied', {'method': method, 'rule': rule, **caller(context)})


def dropped(drops: Sequence[request_trust.Drop],
            context: context_obj.RequestContext) -> None:
    """Request fields the caller may not set, ignored for this request."""
    if drops:
        _emit('Dropped', {
            'method': 'select_destinations',
            'fields': [{'field': d.field, 'why': d.why} for d in drops],
            **caller(context)})
