"""nova 34's own scheduler client, pointed at a transport of ours.

nova's RPC layer is global: ``nova.rpc.TRANSPORT``, ``nova.conf.CONF``
and the topic constant in ``nova.scheduler.rpcapi``. ``NovaRPC`` patches
them for one test (the transport, the topic, ``[upgrade_levels]``) and
registers oslo.messaging's options on nova's CONF as nova.rpc.init would.
On the fake transport it also makes replies travel as on RabbitMQ:
failures are serialized by oslo.messaging and rebuilt with nova's
allowed exception modules, so nova's own exceptions come out.
"""

import os
import warnings

import fixtures
from oslo_messaging._drivers import common as rpc_common
from oslo_messaging._drivers import impl_fake
from oslo_serialization import jsonutils

os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    import nova.conf
    from nova import baserpc
    from nova import context as nova_context
    from nova import exception as nova_exception
    from nova import objects
    from nova import rpc as nova_rpc
    from nova.scheduler import rpcapi
    from oslo_messaging import conffixture

objects.register_all()
CONF = nova.conf.CONF


def context(**kwargs):
    # An explicit is_admin keeps nova from consulting its policy.
    kwargs.setdefault('is_admin', True)
    kwargs.setdefault('roles', ['admin', 'member'])
    return nova_context.RequestContext('u1', 'p1', **kwargs)


def _reply_as_on_the_wire(self, reply=None, failure=None):
    if not self._reply_q:
        return
    if failure:
        failure = rpc_common.deserialize_remote_exception(
            rpc_common.serialize_remote_exception(failure),
            nova_rpc.get_allowed_exmods())
    self._reply_q.put((jsonutils.loads(jsonutils.dumps(reply)), failure))


class NovaRPC(fixtures.Fixture):
    """nova's RPC clients talk to ``transport``, topic ``topic``."""

    def __init__(self, transport, topic, fake_wire=True):
        super().__init__()
        self.transport = transport
        self.topic = topic
        self.fake_wire = fake_wire

    def _setUp(self):
        # What nova.rpc.init / oslo.messaging register on nova's CONF.
        conffixture.ConfFixture(CONF)
        self.useFixture(fixtures.MonkeyPatch('nova.rpc.TRANSPORT',
                                             self.transport))
        self.useFixture(fixtures.MonkeyPatch(
            'nova.scheduler.rpcapi.RPC_TOPIC', self.topic))
        if self.fake_wire:
            self.useFixture(fixtures.MonkeyPatch(
                'oslo_messaging._drivers.impl_fake.FakeIncomingMessage.reply',
                _reply_as_on_the_wire))
        self.addCleanup(CONF.clear_override, 'scheduler',
                        group='upgrade_levels')

    def scheduler_api(self, version_cap=None):
        """nova's SchedulerAPI, capped like [upgrade_levels] scheduler."""
        CONF.set_override('scheduler', version_cap, group='upgrade_levels')
        return rpcapi.SchedulerAPI()

    def base_api(self):
        return baserpc.BaseAPI(self.topic)


__all__ = ['impl_fake', 'nova_exception', 'objects']
