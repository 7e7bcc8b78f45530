"""Binding the scheduler API to the bus, where nova's peers look for it.

nova's scheduler listens on exchange ``[DEFAULT] control_exchange``
(nova changes oslo.messaging's default, ``openstack``, to ``nova``), topic
``scheduler`` and server ``[DEFAULT] host``; with the RabbitMQ driver that
is the shared topic queue, the per-host server queue and the topic's
fanout exchange, which carries the casts. The server here is
oslo.messaging's own RPCServer with the default (threading) executor,
sized by ``[DEFAULT] executor_thread_pool_size``, and our dispatcher.

``ServerStop`` stops that server without ever waiting for the broker
longer than the caller chooses (see there).
"""

from collections.abc import Callable, Sequence
import importlib
import logging
import threading
from typing import Any

from oslo_config import cfg
import oslo_messaging
from oslo_messaging.rpc import server as rpc_server

from scheduler.rpc import dispatcher as dispatcher_mod
from scheduler.placement import pending_releases
from scheduler.rpc import inflight as inflight_mod
from scheduler.rpc import refusals as refusals_mod
from scheduler.rpc import replies as replies_mod

LOG = logging.getLogger(__name__)
NOVA_EXCHANGE = 'nova'
# How long a stop waits for the server to stop taking messages, and then
# to close its connection, when nothing depends on it any more. Against a
# reachable broker each takes about a second (the listener sees the stop
# at its next poll); against an unreachable one they may never end.
BUS_STOP_TIMEOUT = 5.0


def set_lib_defaults() -> None:
    """Library defaults as nova sets them (nova/config.py).

    Also the ``oslo.config.opts.defaults`` hook, so the sample
    configuration shows them.
    """
    oslo_messaging.set_transport_defaults(control_exchange=NOVA_EXCHANGE)


# Option groups oslo.messaging registers on its global CONF only, although
# its RPC client and server read them from the transport's conf on every
# message (oslo.messaging's own ConfFixture registers them the same way).
_GLOBAL_ONLY_OPTS = (
    ('oslo_messaging._tracing.client', 'oslo_messaging_tracing'),
    ('oslo_messaging._metrics.client', 'oslo_messaging_metrics'),
)


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the oslo.messaging options only its global CONF has."""
    for module_name, group in _GLOBAL_ONLY_OPTS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # an oslo.messaging without the feature
            continue
        conf.register_opts(getattr(module, group), group=group)


def get_transport(conf: cfg.ConfigOpts) -> Any:
    """The RPC transport from ``[DEFAULT] transport_url``, on exchange
    ``nova`` unless ``control_exchange`` says otherwise."""
    set_lib_defaults()
    register_opts(conf)
    return oslo_messaging.get_rpc_transport(conf)


def target(conf: cfg.ConfigOpts) -> Any:
    return oslo_messaging.Target(
        topic=conf.hardened_scheduler.rpc_topic, server=conf.host)


def create_server(conf: cfg.ConfigOpts, transport: Any,
                  endpoints: Sequence[object],
                  inflight: inflight_mod.InFlight,
                  releaser: pending_releases.Releaser | None = None,
                  refusals: refusals_mod.Refusals | None = None) -> Any:
    """An RPC server (not started) for the scheduler endpoints.

    ``refusals`` answers and records the requests the dispatcher refuses
    (the endpoints' own, for the refusals of one service to be one place).

    With ``releaser``, select_destinations replies are sent apart and
    the claims of one that cannot be delivered are released
    (``scheduler.rpc.replies``).
    """
    register_opts(transport.conf)
    dispatcher = dispatcher_mod.Dispatcher(
        endpoints,
        max_message_bytes=conf.hardened_scheduler.max_rpc_message_bytes,
        inflight=inflight,
        refusals=refusals or refusals_mod.Refusals(),
        replies=(replies_mod.Replies(inflight, releaser)
                 if releaser is not None else None))
    # No executor argument: oslo.messaging picks threading (eventlet is
    # refused in this process).
    return rpc_server.RPCServer(transport, target(conf), dispatcher)


class ServerStop:
    """Stops an oslo.messaging RPC server on threads of its own.

    The server's ``stop()`` (stop taking messages) and ``wait()`` (finish
    the messages taken, close the connection) depend on the broker: with
    RabbitMQ unreachable since start-up, the driver retries connecting
    forever, so ``start()`` never returns and ``stop()``, ordered after
    it, never begins. Run here on daemon threads, they keep going after
    the caller gives up on them, and never keep the process alive.
    """

    def __init__(self, server: Any) -> None:
        self._server = server
        self._stopped: threading.Event | None = None
        self._closed: threading.Event | None = None

    def begin(self) -> threading.Event:
        """Ask the server to stop taking messages; returns at once with
        the event set when it stopped."""
        if self._stopped is None:
            self._stopped = _in_background('rpc-server-stop',
                                           self._server.stop)
        return self._stopped

    def stopped(self, timeout: float) -> bool:
        """Whether the server stopped taking messages (waits up to
        ``timeout`` s)."""
        return self.begin().wait(max(0.0, timeout))

    def close(self, timeout: float) -> bool:
        """Let the server finish the messages it took and close its
        connection; whether it did within ``timeout`` s. Only once
        nothing is in flight: this waits for every message taken."""
        if self._closed is None:
            # oslo.messaging's wait() itself waits for stop() to end.
            self._closed = _in_background('rpc-server-close',
                                          self._server.wait)
        return self._closed.wait(max(0.0, timeout))


def _in_background(name: str, call: Callable[[], object]) -> threading.Event:
    """Run ``call`` on a daemon thread; the event is set when it ends."""
    done = threading.Event()

    def run() -> None:
        try:
            call()
        except Exception:
            LOG.exception('Stopping the RPC server failed (%s)', name)
        finally:
            done.set()
    threading.Thread(target=run, name=name, daemon=True).start()
    return done
