"""The first stage of select_destinations: may this caller ask this?

The caller's context is checked against the select_destinations rule,
with the RequestSpec's project as the target, before anything else
happens (no Placement call, no claim). Then the request fields the
caller may not set are dropped (:mod:`scheduler.request_trust`). Both a
refusal and every drop leave an audit record.
"""

from collections.abc import Sequence
import time

from scheduler import audit
from scheduler import authorization
from scheduler import errors
from scheduler import explanation
from scheduler import host_source
from scheduler import request_trust
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
          snapshot: host_source.HostSnapshot,
          recorder: explanation.Recorder) -> request_trust.Screened:
    """The request as it may be served; StageFailed when refused."""
    started = time.monotonic()
    try:
        decision = authorizer.method(
            METHOD, context,
            {'project_id': spec.project_id, 'user_id': spec.user_id})
        if not decision.allowed:
            audit.denied(METHOD, decision.rule, context)
            recorder.fail(explanation.STAGE_AUTHORIZATION,
                          not_authorized(decision.rule))
            raise errors.StageFailed()
        screened = request_trust.screen(
            spec, context, instance_uuids, authorizer, snapshot)
        audit.dropped(screened.drops, context)
        recorder.authorization_drops = tuple(
            d.field for d in screened.drops)
        return screened
    finally:
        # Not 'authorization': log redaction masks values under that key
        # (it is the HTTP credentials header).
        recorder.timed('admission', (time.monotonic() - started) * 1000)
