"""Hypothesis strategies for the NUMA/PCI parity tests, as nova objects.

Host NUMA topologies (cells with shared and dedicated CPUs, thread
siblings numbered as Linux does, pinned CPUs, usage, memory pages, network
affinity, sockets), PCI pools (with Placement providers), allocation
candidates mapping PCI request groups to those providers, and instance
NUMA topologies, PCI requests and CPU policies. Values are kept small so
that fitting and not fitting are both frequent.
"""

import dataclasses
import json

from hypothesis import strategies as st

from tests.compat.filters import generators as gen
from tests.compat.filters.nova_env import objects

PHYSNETS = ('foo', 'bar')
RPS = tuple(f'{i:08x}-7777-4777-8777-{i:012x}' for i in range(1, 6))
REQUEST_IDS = tuple(f'{i:08x}-3333-4333-8333-{i:012x}' for i in range(1, 4))
PAGE_4K, PAGE_2M, PAGE_1G = 4, 2048, 1048576


# Hypothesis favours the first choice and zero: the usual case goes first.
def _rarely(draw, one_in):
    """True about once in ``one_in`` draws."""
    return draw(st.sampled_from([False] * (one_in - 1) + [True]))


def _mostly(draw, one_in):
    """False about once in ``one_in`` draws."""
    return not _rarely(draw, one_in)


_MODES = {
    # instance CPU policy -> how host cells split their CPUs, mostly in a
    # way that can serve it
    None: ['shared', 'shared', 'shared', 'split', 'legacy', 'dedicated'],
    'shared': ['shared', 'shared', 'shared', 'split', 'legacy',
               'dedicated'],
    'dedicated': ['dedicated', 'dedicated', 'dedicated', 'legacy', 'split',
                  'shared'],
    'mixed': ['split', 'split', 'split', 'legacy', 'dedicated', 'shared'],
}


@st.composite
def host_cells(draw, policy=None, thread_policy=None, smt=False,
               min_cells=1, network=False):
    """NUMACell objects, mostly able to serve ``policy``; ``smt``: hosts
    with SMT (configured with vcpu_pin_set or cpu_dedicated_set);
    ``network``: every cell declares network affinity."""
    count = draw(st.integers(min_cells, 3))
    threads = draw(st.sampled_from(
        [2, 3] if smt else
        [1, 1, 2, 3] if thread_policy == 'isolate' else [1, 2, 2, 3]))
    cores = draw(st.sampled_from([1, 2, 3, 4, 4]))
    # Linux numbers the second thread of every core after all first
    # threads; a gap makes the ids cross CPython set-table boundaries.
    stride = count * cores + draw(st.sampled_from([0, 0, 5, 13]))
    with_sockets = draw(st.booleans())
    # Mostly one way of splitting CPUs for the whole host.
    host_mode = draw(st.sampled_from(
        ['legacy', 'dedicated'] if thread_policy == 'isolate'
        else _MODES[policy]))
    per_cell = _rarely(draw, 5)
    # Some hosts report no page sizes; nova fits on them but cannot record
    # the usage of instances without a page size.
    with_pages = _mostly(draw, 6)
    cells = []
    for cell_id in range(count):
        siblings = [{cell_id * cores + core + t * stride
                     for t in range(threads)} for core in range(cores)]
        cpus = sorted(set().union(*siblings))
        mode = (draw(st.sampled_from(_MODES[policy])) if per_cell
                else host_mode)
        if mode == 'dedicated':
            pcpus, shared = set(cpus), set()
        elif mode == 'shared':
            pcpus, shared = set(), set(cpus)
        elif mode == 'legacy':  # vcpu_pin_set: the same CPUs both ways
            pcpus, shared = set(cpus), set(cpus)
        else:
            pcpus = set(draw(st.lists(st.sampled_from(cpus), unique=True)))
            shared = set(cpus) - pcpus
        pinned = set(draw(st.lists(st.sampled_from(sorted(pcpus)),
                                   unique=True, max_size=len(pcpus) // 2 + 1)
                          if pcpus and _rarely(draw, 4)
                          else st.just([])))
        if _rarely(draw, 15):
            siblings = []  # a host that reports no thread siblings
        memory = draw(st.sampled_from([1024, 2048, 4096, 8192, 8192]))
        mempages = []
        if with_pages and _mostly(draw, 12):
            small_total = memory * 1024 // PAGE_4K
            mempages.append(objects.NUMAPagesTopology(
                size_kb=PAGE_4K, total=small_total,
                used=draw(st.sampled_from(
                    [0, 0, 0, 0, 0, small_total // 4, small_total // 2,
                     small_total])),
                reserved=0))
            if _mostly(draw, 4):
                total = draw(st.sampled_from([1024, 512, 2048, 0]))
                mempages.append(objects.NUMAPagesTopology(
                    size_kb=PAGE_2M, total=total,
                    used=draw(st.sampled_from([0, 0, total // 2, total])),
                    reserved=draw(st.sampled_from([0, 0, 8]))))
            if draw(st.booleans()):
                total = draw(st.integers(0, 4))
                mempages.append(objects.NUMAPagesTopology(
                    size_kb=PAGE_1G, total=total,
                    used=draw(st.integers(0, total)), reserved=0))
        kwargs = dict(
            id=cell_id, cpuset=shared, pcpuset=pcpus, memory=memory,
            cpu_usage=draw(st.sampled_from([0, 0, 0, 0, 1, len(shared),
                                            2 * len(shared) + 1])),
            memory_usage=draw(st.sampled_from([0, 0, 0, 0, 0, memory // 2,
                                               memory, memory + 512])),
            pinned_cpus=pinned, siblings=siblings, mempages=mempages,
            socket=(cell_id // 2 if with_sockets else None))
        if network or _rarely(draw, 3):
            kwargs['network_metadata'] = objects.NetworkMetadata(
                physnets=set(draw(st.lists(st.sampled_from(PHYSNETS),
                                           unique=True))),
                tunneled=draw(st.booleans()))
        cells.append(objects.NUMACell(**kwargs))
    return cells


@st.composite
def pci_pools(draw, cell_count, affinity=False):
    """Pools; with ``affinity`` a few pools of one kind of device spread
    over the NUMA nodes, so that the PCI-NUMA policies decide."""
    if affinity:
        return [objects.PciDevicePool(
            vendor_id='8086', product_id='1520',
            numa_node=draw(st.sampled_from([0, 1, None, 2][:cell_count + 1])),
            count=draw(st.sampled_from([1, 2, 3])),
            tags={'dev_type': 'type-PCI'})
            for _ in range(draw(st.integers(1, 4)))]
    pools = []
    rps = list(RPS)
    for _ in range(draw(st.sampled_from([3, 2, 4, 1, 5]))
                   if _mostly(draw, 10) else 0):
        tags = {'dev_type': draw(st.sampled_from(
            ['type-PCI', 'type-PCI', 'type-VF', 'type-PF', 'vdpa']))}
        for key, values in (('physical_network', ['foo', 'bar']),
                            ('remote_managed', ['true', 'false']),
                            ('live_migratable', ['true', 'false'])):
            if _rarely(draw, 5):
                tags[key] = draw(st.sampled_from(values))
        if rps and _mostly(draw, 4):
            tags['rp_uuid'] = rps.pop(draw(st.integers(0, len(rps) - 1)))
        pools.append(objects.PciDevicePool(
            vendor_id=draw(st.sampled_from(['8086', '8086', '15B3'])),
            product_id=draw(st.sampled_from(['1520', '1520', '10fb'])),
            numa_node=draw(st.sampled_from(
                [0, None, 1, 2, 3][:cell_count + 2])),
            count=draw(st.sampled_from([4, 2, 6, 3, 8, 1, 0])), tags=tags))
    return pools


@st.composite
def pci_requests(draw, pools, prune=False, affinity=False):
    """Requests, mostly for devices like those of one of the pools; with
    ``prune`` one request Placement can serve from some providers only,
    with ``affinity`` requests under every PCI-NUMA policy."""
    if affinity:
        return [objects.InstancePCIRequest(
            count=draw(st.sampled_from([1, 2, 3])),
            spec=[{'vendor_id': '8086', 'product_id': '1520'}],
            alias_name='a1', request_id=request_id, is_new=False,
            numa_policy=draw(st.sampled_from(
                ['preferred', 'socket', 'legacy', None, 'required'])))
            for request_id in REQUEST_IDS[:draw(st.integers(1, 2))]]
    if prune:
        tracked = [p for p in pools if p.count and 'rp_uuid' in p.tags]
        if tracked:
            like = draw(st.sampled_from(tracked))
            spec = {'vendor_id': like.vendor_id, 'product_id': like.product_id,
                    'dev_type': like.tags['dev_type']}
            return [objects.InstancePCIRequest(
                count=1, spec=[spec], alias_name='a1',
                numa_policy=draw(st.sampled_from([None, 'preferred'])),
                request_id=REQUEST_IDS[0], is_new=False)]
    requests = []
    for request_id in REQUEST_IDS[:draw(st.sampled_from([1, 1, 2, 0]))]:
        spec = {'vendor_id': draw(st.sampled_from(['8086', '15b3'])),
                'product_id': draw(st.sampled_from(['1520', '10FB']))}
        count = draw(st.sampled_from([1, 2, 1, 3]))
        stocked = [p for p in pools if p.count]
        if stocked and _mostly(draw, 5):
            like = draw(st.sampled_from(stocked))
            spec = {'vendor_id': like.vendor_id.lower(),
                    'product_id': like.product_id.upper()}
            for key in ('dev_type', 'physical_network', 'remote_managed'):
                if key in like.tags and _mostly(draw, 4):
                    spec[key] = like.tags[key]
            count = draw(st.integers(1, max(1, min(3, like.count))))
        for key, values in (('dev_type', ['type-PCI', 'type-VF', 'type-PF',
                                          'vdpa']),
                            ('physical_network', ['foo']),
                            ('remote_managed', ['true', 'no']),
                            ('live_migratable', ['true', 'false'])):
            if _rarely(draw, 16):
                spec[key] = draw(st.sampled_from(values))
        requests.append(objects.InstancePCIRequest(
            count=count, spec=[spec],
            alias_name=draw(st.sampled_from(['a1', 'a1', 'a1', None])),
            numa_policy=draw(st.sampled_from(
                [None, 'preferred', 'legacy', 'socket', 'required'])),
            request_id=request_id, is_new=False))
    return requests


def _serves(pool, request):
    """Whether the pool has the requested kind of device."""
    attrs = {'vendor_id': pool.vendor_id, 'product_id': pool.product_id,
             **pool.tags}
    return pool.count > 0 and all(
        str(attrs.get(k)).lower() == str(v).lower()
        for k, v in request.spec[0].items())


@st.composite
def candidates(draw, host_uuid, requests, pools, in_placement,
               prune=False):
    """Allocation requests, with mappings for the PCI request groups when
    [filter_scheduler]pci_in_placement made such groups: mostly to a
    provider whose pool matches, sometimes to another or an unknown one."""
    result = []
    wrongs = draw(st.lists(st.booleans(), min_size=1, max_size=3))
    if prune:
        wrongs = draw(st.permutations([True, False] + wrongs[:1]))
    for wrong in wrongs:
        mappings = {'': [host_uuid]}
        # Some candidates take the devices from providers that cannot
        # serve them (another pool, or one the host does not know).
        if in_placement:
            for request in requests:
                if request.alias_name is None:
                    continue
                good = [p.tags['rp_uuid'] for p in pools
                        if 'rp_uuid' in p.tags and _serves(p, request)]
                other = [p.tags['rp_uuid'] for p in pools
                         if 'rp_uuid' in p.tags and p.tags['rp_uuid']
                         not in good] + [RPS[-1]]
                for index in range(request.count):
                    choices = good if good and not wrong else other
                    mappings[f'{request.request_id}-{index}'] = [
                        draw(st.sampled_from(choices))]
        result.append({
            'allocations': {host_uuid: {'resources': {'VCPU': 1}}},
            'mappings': mappings})
    return result


@st.composite
def instance_topology(draw, host_cell_count, policy, thread_policy):
    count = draw(st.sampled_from(
        [1, 1, 1, 1, 2, 2, 3][:2 * min(3, host_cell_count + 1) + 1]))
    pagesize = draw(st.sampled_from(
        [None, None, None, None, None, -1, -2, -3, PAGE_2M, PAGE_1G]))
    cells = []
    next_cpu = 0
    for cell_id in range(count):
        vcpus = draw(st.sampled_from([1, 1, 2, 2, 3, 4]))
        ids = set(range(next_cpu, next_cpu + vcpus))
        next_cpu += vcpus
        if policy == 'dedicated':
            cpuset, pcpuset = set(), ids
        elif policy == 'mixed':
            if vcpus < 2:
                ids.add(next_cpu)
                next_cpu += 1
            ordered = sorted(ids)
            split = draw(st.integers(1, len(ordered) - 1))
            cpuset, pcpuset = set(ordered[:split]), set(ordered[split:])
        else:
            cpuset, pcpuset = ids, set()
        cells.append(objects.InstanceNUMACell(
            id=cell_id, cpuset=cpuset, pcpuset=pcpuset,
            memory=draw(st.sampled_from([256, 512, 512, 1024, 2048])),
            pagesize=pagesize, cpu_policy=policy,
            cpu_thread_policy=thread_policy))
    emulator = (draw(st.sampled_from([None, 'share', 'isolate']))
                if policy == 'dedicated' else None)
    kwargs = {'cells': cells}
    if emulator is not None:
        kwargs['emulator_threads_policy'] = emulator
    return objects.InstanceNUMATopology(**kwargs)


@dataclasses.dataclass
class Case:
    rows: gen.HostRows
    candidates: list
    spec: object  # nova RequestSpec
    pack: bool


@st.composite
def numa_request_spec(draw, host_cell_count, in_placement, policy,
                      thread_policy, pools, scenario):
    network = scenario == 'network'
    prune = scenario == 'prune'
    affinity = scenario == 'affinity'
    numa = (draw(instance_topology(host_cell_count, policy, thread_policy))
            if scenario != 'pci' and _mostly(draw, 12) else None)
    policy = numa.cells[0].cpu_policy if numa else None
    extra = {}
    if policy or draw(st.booleans()):
        extra['hw:cpu_policy'] = policy or draw(st.sampled_from(
            ['dedicated', 'shared']))
    thread = numa.cells[0].cpu_thread_policy if numa else None
    if thread or _rarely(draw, 6):
        extra['hw:cpu_thread_policy'] = thread or 'require'
    props = {}
    if _rarely(draw, 6):
        props['hw_cpu_policy'] = draw(st.sampled_from(
            ['dedicated', 'shared']))
    if _rarely(draw, 6):
        props['hw_cpu_thread_policy'] = draw(st.sampled_from(
            ['require', 'prefer', 'isolate']))
    requests = (draw(pci_requests(pools, prune, affinity))
                if scenario != 'numa' else [])
    flavor = objects.Flavor(
        id=1, flavorid='f1', name='m1', memory_mb=1024, vcpus=2, root_gb=1,
        ephemeral_gb=0, swap=0, rxtx_factor=1.0, vcpu_weight=0,
        disabled=False, is_public=True, extra_specs=extra, description=None)
    groups = [objects.RequestGroup(
        requester_id=f'{r.request_id}-{i}', provider_uuids=[],
        resources={'CUSTOM_PCI': 1}, required_traits=set(),
        forbidden_traits=set(), aggregates=[], forbidden_aggregates=set(),
        use_same_provider=True)
        for r in requests if r.alias_name is not None and in_placement
        for i in range(r.count)]
    return objects.RequestSpec(
        flavor=flavor, image=objects.ImageMeta.from_dict(
            {'properties': props}),
        instance_group=None, instance_uuid=gen.NEW_INSTANCE,
        project_id='p1', user_id='u1', num_instances=2,
        scheduler_hints={}, requested_destination=None,
        ignore_hosts=None, force_hosts=None, force_nodes=None, retry=None,
        availability_zone=None, numa_topology=numa,
        pci_requests=objects.InstancePCIRequests(
            instance_uuid=gen.NEW_INSTANCE, requests=requests),
        network_metadata=objects.NetworkMetadata(
            physnets=set(draw(st.sampled_from([['foo'], ['bar'], []]))
                         if network else ['foo'] if _rarely(draw, 4) else []),
            tunneled=(draw(st.booleans()) if network
                      else _rarely(draw, 8))),
        requested_resources=groups, is_bfv=False)


def _compute_row():
    """A compute node row; only its NUMA and PCI columns vary here."""
    return dict(
        id=1, uuid='00000000-1111-4222-8333-000000000000', service_id=100,
        host='h0', hypervisor_hostname='h0.node', vcpus=32, vcpus_used=4,
        memory_mb=32768, memory_mb_used=2048, free_ram_mb=30720,
        local_gb=500, local_gb_used=20, free_disk_gb=480,
        disk_available_least=None, current_workload=0, running_vms=1,
        hypervisor_type='QEMU', hypervisor_version=8002000,
        cpu_info='{"arch": "x86_64"}', metrics='[]',
        stats=json.dumps({'num_instances': '1', 'io_workload': '2'}),
        host_ip='10.0.0.1', supported_instances='[["x86_64", "kvm", "hvm"]]',
        disk_allocation_ratio=1.0, mapped=1,
        created_at=gen.NOW, updated_at=gen.NOW, deleted_at=None, deleted=0)


def _service_row():
    return dict(
        id=100, uuid='00000000-5555-4666-8777-000000000000', host='h0',
        binary='nova-compute', topic='compute', report_count=10,
        disabled=False, disabled_reason=None, last_seen_up=gen.NOW,
        forced_down=False, version=70, created_at=gen.NOW, updated_at=None,
        deleted_at=None, deleted=False)


@st.composite
def cases(draw, scenarios=('numa', 'both', 'pci', 'prune', 'affinity',
                           'network')):
    """A case of NUMA alone, PCI alone, both together, both with
    allocation candidates only some of which Placement can serve
    ('prune'), both with PCI-NUMA policies deciding ('affinity'), or the
    'isolate' thread policy on SMT hosts, or network NUMA affinity
    ('network')."""
    scenario = draw(st.sampled_from(scenarios))
    policy = draw(st.sampled_from([None, 'shared', 'dedicated',
                                   'dedicated', 'mixed']))
    thread_policy = (draw(st.sampled_from(
        [None, None, 'prefer', 'isolate', 'require']))
        if policy in ('dedicated', 'mixed') else None)
    if scenario == 'affinity':
        policy, thread_policy = None, None  # the devices decide
    if scenario == 'isolate':
        # 'isolate' on hosts still configured with vcpu_pin_set: whole
        # cores are taken, siblings included.
        policy, thread_policy = 'dedicated', 'isolate'
    cells = draw(host_cells(
        policy, thread_policy, smt=scenario == 'isolate',
        min_cells=2 if scenario in ('affinity', 'network') else 1,
        network=scenario == 'network'))
    pools = draw(pci_pools(len(cells), scenario == 'affinity'))
    row = _compute_row()
    row['numa_topology'] = objects.NUMATopology(cells=cells)._to_json()
    row['pci_stats'] = json.dumps(objects.PciDevicePoolList(
        objects=pools).obj_to_primitive())
    row['cpu_allocation_ratio'] = draw(st.sampled_from([1.0, 2.0, 16.0]))
    row['ram_allocation_ratio'] = draw(st.sampled_from([1.0, 1.5]))
    service = _service_row()
    rows = gen.HostRows(row=row, service=service, cell=gen.CELLS[0],
                        instances={}, sysmeta={})
    in_placement = (scenario == 'prune' or scenario != 'affinity'
                    and draw(st.sampled_from([True, True, False])))
    spec = draw(numa_request_spec(len(cells), in_placement, policy,
                                  thread_policy, pools, scenario))
    found = draw(candidates(row['uuid'], spec.pci_requests.requests, pools,
                            in_placement, scenario == 'prune'))
    return Case(rows, found, spec, draw(st.booleans()))
