"""Binding the scheduler API to the bus, where nova's peers look for it.

nova's scheduler listens on exchange ``[DEFAULT] control_exchange``
(nova changes oslo.messaging's default, ``openstack``, to ``nova``), topic
``scheduler`` and server ``[DEFAULT] host``; with the RabbitMQ driver that
is the shared topic queue, the per-host server queue and the topic's
fanout exchange, which carries the casts. The server here is
oslo.messaging's own RPCServer with the default (threading) executor,
sized by ``[DEFAULT] executor_thread_pool_size``, and our dispatcher.
"""

from collections.abc import Sequence
import importlib
from typing import Any

from oslo_config import cfg
import oslo_messaging
from oslo_messaging.rpc import server as rpc_server

from scheduler.rpc import dispatcher as dispatcher_mod
from scheduler import pending_releases
from scheduler.rpc import inflight as inflight_mod
from scheduler.rpc import replies as replies_mod

NOVA_EXCHANGE = 'nova'


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
                  releaser: pending_releases.Releaser | None = None) -> Any:
    """An RPC server (not started) for the scheduler endpoints.

    With ``releaser``, select_destinations replies are sent apart and
    the claims of one that cannot be delivered are released
    (``scheduler.rpc.replies``).
    """
    register_opts(transport.conf)
    dispatcher = dispatcher_mod.Dispatcher(
        endpoints,
        max_message_bytes=conf.hardened_scheduler.max_rpc_message_bytes,
        inflight=inflight,
        replies=(replies_mod.Replies(inflight, releaser)
                 if releaser is not None else None))
    # No executor argument: oslo.messaging picks threading (eventlet is
    # refused in this process).
    return rpc_server.RPCServer(transport, target(conf), dispatcher)
