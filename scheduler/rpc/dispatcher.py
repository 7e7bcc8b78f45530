"""The RPC dispatcher: bound, track, dispatch, and fail cleanly.

On top of oslo.messaging's RPCDispatcher (version and namespace routing,
the call-monitor heartbeat, ExplicitRPCAccessPolicy) every message is

- refused without being decoded when it is larger than
  ``[hardened_scheduler] max_rpc_message_bytes`` or its envelope
  (method, version, namespace, args) is malformed;
- tracked in ``InFlight`` while it runs, so a shutdown can drain it;
- answered, when it fails, with an exception shaped by ``remote_errors``
  and *no traceback*: oslo.messaging formats ``exc_info`` into the reply,
  so the failure is handed over as an expected exception whose traceback
  is None; the reply then carries only the exception's own line.

Every failure is logged once, with the request id: a refused request
(too large, malformed, not decodable, not nova's method or version, the
service stopping, a NoValidHost) by ``refusals``, which also writes the
decision record of a refused select_destinations; an unexpected one here
at ERROR with the traceback (in our log only).
"""

from collections.abc import Mapping, Sequence
import logging
import re
from typing import Any, NoReturn

import oslo_messaging

from scheduler.codec import errors as codec_errors
from scheduler.placement import errors as placement_errors
from scheduler.rpc import endpoints as endpoints_mod
from scheduler.rpc import inflight as inflight_mod
from scheduler.rpc import message_size
from scheduler.rpc import refusals as refusals_mod
from scheduler.rpc import replies as replies_mod
from scheduler.rpc import remote_errors
from scheduler.rpc import safe_ids

LOG = logging.getLogger(__name__)
_METHOD = re.compile(r'^[A-Za-z_][A-Za-z0-9_]{0,63}$')
_VERSION = re.compile(r'^[0-9]{1,4}\.[0-9]{1,4}$')
UNKNOWN = safe_ids.UNKNOWN
request_id = safe_ids.request_id
def _global_id(ctxt: Mapping[str, object]) -> str | None:
    value = request_id(ctxt, 'global_request_id')
    return None if value == UNKNOWN else value


def method_name(message: object) -> str:
    """The message's method name, when it is one; never arbitrary text."""
    method = message.get('method') if isinstance(message, Mapping) else None
    if isinstance(method, str) and _METHOD.match(method):
        return method
    return UNKNOWN


def check_envelope(message: object) -> tuple[str, str]:
    """Method and version of a well-formed message; ValidationError else.
    """
    if not isinstance(message, Mapping):
        raise codec_errors.ValidationError('message', 'expected a dict')
    method = method_name(message)
    if method == UNKNOWN:
        raise codec_errors.ValidationError('method',
                                           'expected a method name')
    version = message.get('version', '1.0')
    if not isinstance(version, str) or not _VERSION.match(version):
        raise codec_errors.ValidationError(
            'version', 'expected a version like 4.5')
    namespace = message.get('namespace')
    if namespace is not None and not (
            isinstance(namespace, str) and _METHOD.match(namespace)):
        raise codec_errors.ValidationError('namespace',
                                           'expected a namespace name')
    args = message.get('args', {})
    if not isinstance(args, Mapping) or not all(
            isinstance(k, str) for k in args):
        raise codec_errors.ValidationError(
            'args', 'expected a dict of named arguments')
    return method, version


def _raise_on_wire(wire: BaseException) -> NoReturn:
    """Reply with ``wire``, logged by us already, without a traceback."""
    expected = oslo_messaging.ExpectedException()
    # oslo.messaging formats exc_info[2] into the reply's "tb".
    expected.exc_info = (type(wire), wire, None)
    raise expected from None


class Dispatcher(oslo_messaging.RPCDispatcher):  # type: ignore[misc]
    def __init__(self, endpoints: Sequence[object], *,
                 max_message_bytes: int,
                 inflight: inflight_mod.InFlight,
                 refusals: refusals_mod.Refusals,
                 replies: replies_mod.Replies | None = None) -> None:
        super().__init__(list(endpoints), None,
                         oslo_messaging.ExplicitRPCAccessPolicy)
        self._max_bytes = max_message_bytes
        self._inflight = inflight
        self._refusals = refusals
        self._replies = replies

    def dispatch(self, incoming: Any) -> Any:
        ctxt = incoming.ctxt if isinstance(incoming.ctxt, Mapping) else {}
        rid = request_id(ctxt)
        method, version = method_name(incoming.message), UNKNOWN
        try:
            method, version = self._screen(incoming, ctxt)
            with self._inflight.track(method, rid,
                                      _global_id(ctxt)) as ticket:
                result = super().dispatch(incoming)
                # Its reply is made: the claims belong to it from now on.
                held = self._inflight.settle(ticket)
            if self._replies is not None and method == 'select_destinations':
                self._replies.watch(incoming, held, rid, _global_id(ctxt))
            return result
        except Exception as exc:  # every failure is answered, cleanly
            wire = self._wire(exc, method, version, rid)
        _raise_on_wire(wire)

    def _screen(self, incoming: Any,
                ctxt: Mapping[str, object]) -> tuple[str, str]:
        """Method and version of a message that may be decoded; Refused
        (not decoded) when it is malformed or too large."""
        try:
            method, version = check_envelope(incoming.message)
        except codec_errors.ValidationError as exc:
            raise refusals_mod.Refused(refusals_mod.Stage.ENVELOPE,
                                       exc) from None
        if message_size.too_large((incoming.message, ctxt),
                                  self._max_bytes):
            raise refusals_mod.Refused(
                refusals_mod.Stage.SIZE, codec_errors.ValidationError(
                    'message', f'larger than {self._max_bytes} bytes'))
        if (method == 'select_destinations'
                and not replies_mod.wants_reply(incoming)):
            raise refusals_mod.Refused(
                refusals_mod.Stage.ENVELOPE, codec_errors.ValidationError(
                    'message', 'select_destinations sent as a cast: nobody '
                    'would receive the destinations, nothing is claimed'))
        return method, version

    def _wire(self, exc: Exception, method: str, version: str,
              rid: str) -> BaseException:
        """The exception to send for ``exc``, logged once: a refusal by
        ``refusals``, the other failures here."""
        refused = self._refusals.answer(exc, method, version, rid)
        if refused is not None:
            return refused
        if isinstance(exc, placement_errors.ConsumerGenerationConflict):
            LOG.error('Request %(req)s failed: %(error)s',
                      {'req': rid, 'error': exc})
            return remote_errors.allocation_update_failed(
                exc.consumer_uuid, exc.message)
        cast = method in endpoints_mod.CAST_METHODS
        LOG.error('%(what)s %(method)s request %(req)s failed unexpectedly',
                  {'what': 'Cast' if cast else 'Call', 'method': method,
                   'req': rid}, exc_info=exc)
        return remote_errors.internal_error(method, rid)
