"""One generated case on both sides: nova 34's objects and ours.

nova's HostState is built as its HostManager does (ComputeNode from the
row, then HostState.update with the service dict, aggregates and instance
dict); ours with host_builder from the same rows. The RequestSpec is
serialized by nova and decoded by our codec.
"""

import contextlib
import json
import os
import types
from unittest import mock

from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_serialization import jsonutils
from oslo_utils import timeutils

from scheduler.codec import request_spec as spec_codec
from scheduler import conf as conf_pkg
from scheduler.hoststate import builder as host_builder
from scheduler.objects import aggregate as aggregate_obj
from tests.compat.filters import generators as gen
from tests.compat.filters import nova_env
from tests.compat.filters.nova_env import objects


def our_conf(overrides):
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    conf([])
    for group, values in overrides.items():
        for name, value in values.items():
            conf.set_override(name, value,
                              None if group == 'DEFAULT' else group)
    return conf


@contextlib.contextmanager
def configured(overrides):
    """nova's global CONF and clock set for one case; our conf yielded."""
    fixture = config_fixture.Config(nova_env.CONF)
    fixture.setUp()
    try:
        for group, values in overrides.items():
            fixture.config(group=None if group == 'DEFAULT' else group,
                           **values)
        timeutils.set_time_override(gen.NOW)
        yield our_conf(overrides)
    finally:
        timeutils.clear_time_override()
        fixture.cleanUp()


def spec_pair(nova_spec):
    """(nova's spec as the scheduler receives it, ours decoded)."""
    prim = json.loads(jsonutils.dumps(nova_spec.obj_to_primitive()))
    return (objects.RequestSpec.obj_from_primitive(prim),
            spec_codec.decode_request_spec(prim))


def _nova_instance(uuid, project, sysmeta):
    return objects.Instance(uuid=uuid, project_id=project,
                            system_metadata=dict(sysmeta), image_ref=None)


def instance_images(host_rows):
    """What the host-state builder's caller supplies: the image properties
    nova reads from each instance's system_metadata, as str()."""
    images = {}
    for uuid, sysmeta in host_rows.sysmeta.items():
        inst = _nova_instance(uuid, None, sysmeta)
        images[uuid] = {k: str(v) for k, v in
                        inst.image_meta.properties.to_dict().items()}
    return images


def nova_host_state(world, host_rows):
    ctxt = nova_env.admin_context()
    with mock.patch('nova.db.main.api.compute_node_update'):
        compute = objects.ComputeNode._from_db_object(
            ctxt, objects.ComputeNode(), host_rows.row)
    service = objects.Service._from_db_object(
        ctxt, objects.Service(), host_rows.service)
    state = nova_env.host_manager.HostState(
        compute.host, compute.hypervisor_hostname, host_rows.cell)
    aggregates = [objects.Aggregate(
        id=a['id'], uuid=a['uuid'], name=a['name'], hosts=list(a['hosts']),
        metadata=dict(a['metadata']))
        for a in world.aggregates_of(host_rows.name)]
    state.update(compute=compute, service=dict(service),
                 aggregates=aggregates,
                 inst_dict={u: _nova_instance(u, p, host_rows.sysmeta[u])
                            for u, p in host_rows.instances.items()})
    return state


def our_host_state(world, host_rows, conf):
    aggregates = [aggregate_obj.Aggregate(
        id=a['id'], uuid=a['uuid'], name=a['name'],
        hosts=frozenset(a['hosts']),
        metadata=types.MappingProxyType(dict(a['metadata'])))
        for a in world.aggregates_of(host_rows.name)]
    return host_builder.build_host_state(
        host_rows.row, host_rows.service, cell_uuid=host_rows.cell,
        aggregates=aggregates, instances=host_rows.instances,
        allocation_ratio_defaults=(
            host_builder.AllocationRatioDefaults.from_conf(conf)),
        instance_images=instance_images(host_rows))


def host_pairs(world, conf):
    """[(nova HostState, our HostState)] for the nodes nova does not skip."""
    pairs = []
    for host_rows in world.hosts:
        ours = our_host_state(world, host_rows, conf)
        if ours is not None:
            pairs.append((nova_host_state(world, host_rows), ours))
    return pairs


@contextlib.contextmanager
def nova_cell_db():
    """ImagePropertiesWeigher looks the cell up and targets its DB: stub
    both (the instances already carry their system_metadata)."""
    @contextlib.contextmanager
    def target_cell(ctxt, cell_mapping):
        yield ctxt

    def get_by_uuid(ctxt, uuid):
        return objects.CellMapping(uuid=uuid, name='cell')

    with mock.patch.object(objects.CellMapping, 'get_by_uuid',
                           side_effect=get_by_uuid), \
            mock.patch('nova.context.target_cell', target_cell):
        yield


def record_examples(test_id, count, tally=None):
    """Append ``test_id count [tally]`` to $COMPAT_EXAMPLES_LOG if set."""
    path = os.environ.get('COMPAT_EXAMPLES_LOG')
    if path:
        with open(path, 'a') as log:
            log.write(f'{test_id} {count} {dict(tally or {})}\n')
