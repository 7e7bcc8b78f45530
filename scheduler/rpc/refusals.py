"""Refused requests: answered as nova expects, and recorded, here only.

A request is refused when its message is larger than
``[hardened_scheduler] max_rpc_message_bytes``, its envelope is malformed
(or a select_destinations comes as a cast), its version is not nova's,
its arguments do not decode or break a bound (more instances than
``max_num_instances``), the service is stopping, or its caller is not
authorized. The dispatcher refuses the first, the endpoint's decoding
the next, the pipeline's admission stage the last (with a NoValidHost,
as nova's scheduler does). Wherever it happens, the refusal goes through
here, which

- gives the answer nova has always been given (``remote_errors``;
  oslo.messaging's NoSuchMethod and UnsupportedVersion);
- writes a select_destinations' one decision record, its ``failed_stage``
  telling where it was refused (:class:`Stage`); a refused cast has no
  record: a denied one is audited and counted;
- logs one line with the request id: WARNING, or DEBUG for a NoValidHost
  (its record says it at INFO).

Everything is handed over explicitly (request id, context, decision log):
nothing is read from the thread.
"""

import enum
import logging

import oslo_messaging
from oslo_messaging.rpc import dispatcher as oslo_dispatcher

from scheduler.authz import audit
from scheduler import decision_record
from scheduler import errors
from scheduler import explanation
from scheduler import metrics as metrics_mod
from scheduler.codec import errors as codec_errors
from scheduler.objects import context as context_obj
from scheduler.rpc import inflight as inflight_mod
from scheduler.rpc import remote_errors
from scheduler.rpc import safe_ids

# The dispatcher's logger, as before: operators route these lines by it.
LOG = logging.getLogger('scheduler.rpc.dispatcher')
METHOD = 'select_destinations'


class Stage(enum.StrEnum):
    """Where a select_destinations was refused, as its record names it.
    """

    SIZE = 'message_size'
    ENVELOPE = 'envelope'
    VERSION = 'version'
    # Arguments that do not decode or break a bound (``DecodeLimits``:
    # too many instances, too long, too deep); the reason says which.
    REQUEST = explanation.Stage.REQUEST
    SERVICE = 'service'


class Refused(Exception):
    """A request refused before it was decoded, at ``stage``."""

    def __init__(self, stage: Stage,
                 error: codec_errors.ValidationError) -> None:
        super().__init__(str(error))
        self.stage = stage
        self.error = error


class Refusals:
    """The one place a refused request is answered and recorded.

    ``decisions``: where a refused select_destinations' record goes
    (none: not recorded, for embedding and tests); ``metrics`` counts
    denied casts.
    """

    def __init__(self,
                 decisions: decision_record.DecisionLog | None = None,
                 metrics: metrics_mod.SchedulerMetrics | None = None
                 ) -> None:
        self._decisions = decisions
        self._metrics = metrics

    def answer(self, exc: BaseException, method: str, version: str,
               rid: str) -> BaseException | None:
        """What nova gets for ``exc`` when it refuses the request (None
        when it does not); the refusal is logged and recorded."""
        if isinstance(exc, Refused):
            return self._invalid(exc.error, exc.stage, method, rid)
        if isinstance(exc, codec_errors.ValidationError):
            return self._invalid(exc, Stage.REQUEST, method, rid)
        if isinstance(exc, errors.NoValidHost):
            # Recorded by the pipeline (no_valid_host below).
            LOG.debug('NoValidHost for request %s', rid)
            return remote_errors.no_valid_host(exc.reason)
        if isinstance(exc, inflight_mod.Aborted):
            LOG.warning('Request %(req)s (%(method)s) aborted: the service '
                        'is stopping', {'req': rid, 'method': method})
            if isinstance(exc, inflight_mod.Closed):
                # Refused at the door; one already running was recorded.
                self._record(method, rid, Stage.SERVICE,
                             'The service is stopping', 'aborted')
            return remote_errors.request_aborted(method, rid)
        if isinstance(exc, oslo_dispatcher.NoSuchMethod):
            LOG.warning('Refused request %(req)s: no method %(method)s',
                        {'req': rid, 'method': method})
            no_method: BaseException = oslo_messaging.NoSuchMethod(method)
            return no_method
        if isinstance(exc, oslo_dispatcher.UnsupportedVersion):
            LOG.warning('Refused request %(req)s: %(method)s version '
                        '%(version)s is not supported',
                        {'req': rid, 'method': method, 'version': version})
            self._record(method, rid, Stage.VERSION,
                         f'Unsupported version {version}')
            unsupported: BaseException = oslo_messaging.UnsupportedVersion(
                version, method=method)
            return unsupported
        return None

    def _invalid(self, error: codec_errors.ValidationError, stage: Stage,
                 method: str, rid: str) -> BaseException:
        LOG.warning('Refused request %(req)s (%(method)s): %(error)s',
                    {'method': method, 'req': rid, 'error': error})
        if method == METHOD:
            self._record(method, rid, stage, f'Invalid request: {error}')
            return remote_errors.invalid_request(error)
        return remote_errors.invalid_call(
            'RPC' if method == safe_ids.UNKNOWN else method, error)

    def _record(self, method: str, rid: str, stage: Stage, reason: str,
                result: str = 'invalid') -> None:
        if method == METHOD and self._decisions is not None:
            self._decisions.refused(rid, stage, reason, result)

    def cast_denied(self, method: str, rule: str,
                    context: context_obj.RequestContext) -> None:
        """A cast the policy refused: no reply, audited and counted."""
        audit.denied(method, rule, context)
        if self._metrics is not None:
            self._metrics.observe_denied(method)


def no_valid_host(expl: explanation.Explanation,
                  context: context_obj.RequestContext,
                  decisions: decision_record.DecisionLog,
                  metrics: metrics_mod.SchedulerMetrics | None, *,
                  nova_compatible: bool) -> errors.NoValidHost:
    """The pipeline's refusal (its caller not authorized, or no host):
    its one decision record, and the NoValidHost nova is answered with.
    """
    result = ('denied'
              if expl.failed_stage == explanation.Stage.AUTHORIZATION
              else 'no_valid_host')
    if metrics is not None:
        metrics.observe_decision(expl, result)
    decisions.record(expl, context, result)
    return errors.NoValidHost(expl, nova_compatible)
