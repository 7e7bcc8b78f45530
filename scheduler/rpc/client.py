"""A client of the scheduler RPC API, as nova-conductor calls it.

``SchedulerClient(conf, transport).select_destinations(...)`` sends what
a nova 34 conductor sends: API version 4.5 on topic
``[hardened_scheduler] rpc_topic`` (``scheduler``) of the transport's
exchange (``[DEFAULT] control_exchange``), the context as nova's
``to_dict()`` keys, a RequestSpec 1.15 primitive, the instance uuids and
``return_objects=True``; it waits up to ``[DEFAULT] long_rpc_timeout`` with
nova's call-monitor heartbeat (``rpc_response_timeout``). The reply is
decoded into our Selections, and a NoValidHost from the service (ours or
nova's) becomes :class:`NoValidHost` with the reason text.

It is nova-free and speaks only the wire format, so it serves tools (the
simulator) and tests that must go through the real RPC path.
"""

from collections.abc import Sequence
from typing import Any

from oslo_config import cfg
import oslo_messaging

from scheduler import explanation
from scheduler.codec import encode_context
from scheduler.codec import encode_request_spec
from scheduler.codec import limits as limits_mod
from scheduler.codec import selection as selection_codec
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec as spec_obj
from scheduler.objects import selection as selection_obj
from scheduler.rpc import server as server_mod

API_VERSION = '4.5'
# The wire names of nova.exception.NoValidHost: rebuilt as itself when the
# module is allowed (``_Remote`` suffixes added), else a RemoteError.
_NOVA_MODULES = frozenset({'nova.exception', 'nova.exception_Remote'})
_NO_VALID_HOST = frozenset({'NoValidHost', 'NoValidHost_Remote'})


class NoValidHost(Exception):
    """The service found no host; ``reason`` is the text nova would store.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f'{explanation.NOVA_PREFIX}{reason}')


def _reason(message: str) -> str:
    return message.removeprefix(explanation.NOVA_PREFIX)


def no_valid_host(exc: BaseException) -> NoValidHost | None:
    """``exc`` as our NoValidHost when it is the remote one, else None.

    Three shapes arrive, depending on the transport and its allowed
    exception modules: a RemoteError naming the class (module not
    allowed: the message is all there is), nova's exception rebuilt with
    its ``reason`` kwarg, or (in-process fake transport) the very
    exception the service raised.
    """
    if isinstance(exc, oslo_messaging.RemoteError):
        if exc.exc_type not in _NO_VALID_HOST:
            return None
        return NoValidHost(_reason(str(exc.value or '')))
    cls = type(exc)
    if cls.__name__ not in _NO_VALID_HOST or (
            cls.__module__ not in _NOVA_MODULES):
        return None
    kwargs = getattr(exc, 'kwargs', None)
    reason = kwargs.get('reason') if isinstance(kwargs, dict) else None
    if isinstance(reason, str):
        return NoValidHost(reason)
    message = exc.args[0] if exc.args and isinstance(exc.args[0], str) \
        else ''
    return NoValidHost(_reason(message))


class SchedulerClient:
    def __init__(self, conf: cfg.ConfigOpts, transport: Any) -> None:
        # The client reads them on every call, as the server does.
        server_mod.register_opts(transport.conf)
        # No exchange: the transport's default, [DEFAULT] control_exchange.
        target = oslo_messaging.Target(
            topic=conf.hardened_scheduler.rpc_topic, version=API_VERSION)
        self._client = oslo_messaging.get_rpc_client(transport, target)
        self._timeout = int(conf.long_rpc_timeout)
        # Registered by oslo.messaging on the transport's configuration.
        self._monitor = int(transport.conf.rpc_response_timeout)
        self._limits = limits_mod.DecodeLimits.from_conf(conf)

    def select_destinations(
            self, context: context_obj.RequestContext,
            spec: spec_obj.RequestSpec, instance_uuids: Sequence[str], *,
            return_alternates: bool = False,
    ) -> list[list[selection_obj.Selection]]:
        """One Selection list per instance: the claimed host first, then
        (with ``return_alternates``) unclaimed alternates in its cell.

        :raises NoValidHost: the service found no host.
        """
        call = self._client.prepare(timeout=self._timeout,
                                    call_monitor_timeout=self._monitor)
        try:
            reply = call.call(
                encode_context.encode_context(context),
                'select_destinations',
                spec_obj=encode_request_spec.encode_request_spec(spec),
                instance_uuids=list(instance_uuids), return_objects=True,
                return_alternates=return_alternates)
        except Exception as exc:
            failure = no_valid_host(exc)
            if failure is None:
                raise
            raise failure from None
        rows = selection_codec.decode_selections(reply, self._limits)
        return [list(row) for row in rows]
