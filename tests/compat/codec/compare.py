"""Field-by-field comparison of nova objects with our decoded ones."""

import netaddr

_MISSING = object()


def attr(obj, name, default=None):
    """A nova field's value, or ``default`` if it is not set."""
    if obj is None or not obj.obj_attr_is_set(name):
        return default
    return getattr(obj, name)


def lazy(obj, name):
    """A RequestSpec lazy-loadable field as nova code reads it."""
    return getattr(obj, name)


def norm(value):
    """nova values in our shapes: lists -> tuples, sets -> frozensets."""
    if isinstance(value, (list, tuple)):
        return tuple(norm(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(norm(v) for v in value)
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, netaddr.IPAddress):
        return str(value)
    return value


def ours(value):
    if isinstance(value, (list, tuple)):
        return tuple(ours(v) for v in value)
    if hasattr(value, 'items') and not isinstance(value, dict):
        return {k: ours(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {k: ours(v) for k, v in value.items()}
    return value


class Comparer:
    """Mixin for testtools.TestCase: assert a decoded spec matches nova."""

    def check_fields(self, nova_obj, our_obj, names, prefix, defaults=None):
        defaults = defaults or {}
        for name in names:
            ours_name, nova_name = (name if isinstance(name, tuple)
                                    else (name, name))
            expected = norm(attr(nova_obj, nova_name,
                                 defaults.get(ours_name)))
            self.assertEqual(expected, ours(getattr(our_obj, ours_name)),
                             f'{prefix}.{ours_name}')

    def check_flavor(self, nova, mine):
        self.check_fields(nova, mine, (
            'memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb', 'swap', 'id',
            'flavorid', 'name', 'rxtx_factor', 'vcpu_weight', 'disabled',
            'is_public', 'extra_specs', 'description'), 'flavor',
            {'disabled': False, 'is_public': True, 'extra_specs': {}})

    def check_image(self, nova, mine):
        if nova is None:
            self.assertIsNone(mine)
            return
        self.check_fields(nova, mine, (
            'id', 'name', 'status', 'visibility', 'owner', 'checksum',
            'container_format', 'disk_format', 'size', 'virtual_size',
            'min_ram', 'min_disk', 'tags'), 'image', {'tags': ()})
        props = attr(nova, 'properties')
        expected = {} if props is None else {
            name: norm(getattr(props, name)) for name in props.fields
            if props.obj_attr_is_set(name)}
        self.assertEqual(expected, ours(mine.properties.values),
                         'image.properties')

    def check_numa(self, nova, mine):
        if nova is None:
            self.assertIsNone(mine)
            return
        self.assertEqual(attr(nova, 'emulator_threads_policy'),
                         mine.emulator_threads_policy)
        self.assertEqual(len(nova.cells), len(mine.cells))
        for cell, our_cell in zip(nova.cells, mine.cells):
            self.check_fields(cell, our_cell, (
                'id', 'cpuset', 'pcpuset', 'memory', 'cpuset_reserved',
                'pagesize', 'cpu_policy', 'cpu_thread_policy'), 'numa.cell',
                {'pcpuset': frozenset()})
            raw = attr(cell, 'cpu_pinning_raw')
            self.assertEqual(
                None if raw is None else {int(k): v for k, v in raw.items()},
                None if our_cell.cpu_pinning is None
                else dict(our_cell.cpu_pinning))
            topo = attr(cell, 'cpu_topology')
            if topo is None:
                self.assertIsNone(our_cell.cpu_topology)
            else:
                self.check_fields(topo, our_cell.cpu_topology,
                                  ('sockets', 'cores', 'threads'), 'cpu_topo')

    def check_pci(self, nova, mine):
        if nova is None:
            self.assertIsNone(mine)
            return
        self.assertEqual(attr(nova, 'instance_uuid'), mine.instance_uuid)
        self.assertEqual(len(nova.requests), len(mine.requests))
        for req, our_req in zip(nova.requests, mine.requests):
            self.check_fields(req, our_req, (
                'count', 'spec', 'alias_name', 'is_new', 'request_id',
                'requester_id', 'numa_policy'), 'pci', {'is_new': False})

    def check_group(self, nova, mine):
        if nova is None:
            self.assertIsNone(mine)
            return
        self.check_fields(nova, mine, (
            'uuid', 'name', 'user_id', 'project_id', 'members', 'hosts'),
            'group', {'members': (), 'hosts': ()})
        policy = attr(nova, 'policy') or (attr(nova, 'policies') or [None])[0]
        self.assertEqual(policy, mine.policy)
        self.assertEqual((policy,) if policy else (), mine.policies)
        self.assertEqual(dict(attr(nova, '_rules', {})), dict(mine.rules))

    def check_destination(self, nova, mine):
        if nova is None:
            self.assertIsNone(mine)
            return
        self.check_fields(nova, mine, (
            'host', 'node', 'aggregates', 'allow_cross_cell_move',
            'forbidden_aggregates'), 'destination',
            {'allow_cross_cell_move': False})
        cell = attr(nova, 'cell')
        if cell is None:
            self.assertIsNone(mine.cell)
        else:
            self.assertEqual((cell.uuid, attr(cell, 'name')),
                             (mine.cell.uuid, mine.cell.name))

    def check_spec(self, nova, mine):
        self.check_flavor(nova.flavor, mine.flavor)
        self.check_image(attr(nova, 'image'), mine.image)
        self.check_numa(attr(nova, 'numa_topology'), mine.numa_topology)
        self.check_pci(attr(nova, 'pci_requests'), mine.pci_requests)
        self.check_group(attr(nova, 'instance_group'), mine.instance_group)
        self.check_destination(lazy(nova, 'requested_destination'),
                               mine.requested_destination)
        self.check_fields(nova, mine, (
            'id', 'project_id', 'user_id', 'availability_zone',
            'num_instances', 'ignore_hosts', 'force_hosts', 'force_nodes',
            'instance_uuid', 'is_bfv'), 'spec',
            {'num_instances': 1, 'is_bfv': False})
        hints = attr(nova, 'scheduler_hints') or {}
        self.assertEqual(norm(hints), ours(mine.scheduler_hints))
        retry = attr(nova, 'retry')
        if retry is None:
            self.assertIsNone(mine.retry)
        else:
            self.assertEqual(attr(retry, 'num_attempts', 0),
                             mine.retry.num_attempts)
            hosts = attr(retry, 'hosts') or []
            self.assertEqual(
                tuple((cn.host, attr(cn, 'hypervisor_hostname'))
                      for cn in hosts), mine.retry.hosts)
        meta = lazy(nova, 'network_metadata')
        self.assertEqual((frozenset(meta.physnets), meta.tunneled),
                         (mine.network_metadata.physnets,
                          mine.network_metadata.tunneled))
        groups = lazy(nova, 'requested_resources') or []
        self.assertEqual(len(groups), len(mine.requested_resources))
        for group, our_group in zip(groups, mine.requested_resources):
            self.check_fields(group, our_group, (
                'use_same_provider', 'resources', 'required_traits',
                'forbidden_traits', 'aggregates', 'forbidden_aggregates',
                'requester_id', 'provider_uuids', 'in_tree'), 'group')
        params = lazy(nova, 'request_level_params')
        self.check_fields(params, mine.request_level_params, (
            'root_required', 'root_forbidden', 'same_subtree'), 'rlp',
            {'root_required': frozenset(), 'root_forbidden': frozenset(),
             'same_subtree': ()})
        nets = lazy(nova, 'requested_networks')
        self.assertEqual(len(nets), len(mine.requested_networks))
        for net, our_net in zip(nets, mine.requested_networks):
            self.check_fields(net, our_net, (
                'network_id', 'address', 'port_id', 'pci_request_id', 'tag',
                'arq_uuid', 'device_profile'), 'net')
