"""The first stage of select_destinations: may this caller ask this?

The caller's context is checked against the select_destinations rule,
with the RequestSpec's project as the target, before anything else
happens (no Placement call, no claim). Then the request fields the
caller may not set are dropped (:mod:`scheduler.authz.request_trust`). Both a
refusal and every drop leave an audit record.
"""

from collections.abc import Sequence

from scheduler.authz import audit
from scheduler.authz import authorization
from scheduler import errors
from scheduler import explanation
from scheduler.hoststate import source as host_source
from scheduler.authz import request_trust
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec

METHOD = 'select_destinations'


def not_authorized(rule: str) -> str:
    return (f'Not authorized: the caller\'s context does not satisfy '
            f'policy rule {rule}')


def admit(authorizer: authorization.Authorizer,
          context: context_obj.RequestContext,
          spec: request_spec.RequestSpec,
          instance_uuids: Sequence[str] | None,
          snapshot: host_source.HostSnapshot) -> request_trust.Screened:
    """The request as it may be served, and the fields dropped from it.

    :raises StageFailed: (authorization) the caller may not ask this.
    """
    decision = authorizer.method(
        METHOD, context,
        {'project_id': spec.project_id, 'user_id': spec.user_id})
    if not decision.allowed:
        audit.denied(METHOD, decision.rule, context)
        raise errors.StageFailed(explanation.Stage.AUTHORIZATION,
                                 not_authorized(decision.rule))
    screened = request_trust.screen(
        spec, context, instance_uuids, authorizer, snapshot)
    audit.dropped(screened.drops, context)
    return screened
