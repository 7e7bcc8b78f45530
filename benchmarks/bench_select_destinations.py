"""select_destinations: hardened-scheduler and nova 34 side by side.

One process, one embedded Placement, one set of nova databases: both
schedulers see the same cloud and get the same requests, alternately.
Every HTTP exchange with Placement is timed at keystoneauth's Session, so
"scheduler-side" time is end-to-end minus Placement HTTP for each side.
After every request its allocations are deleted, so each request sees the
same cloud: hosts running 2-8 instances each (several projects), in
aggregates (racks, availability zones, ssd=true) that the request's flavor
asks for. nova runs as in production: track_instance_changes = True and
every host's instance list synced by the casts nova-compute sends
(compute_sync.py); --unsynced gives the earlier, unfair baseline.

Run: tox -e bench  (or: python benchmarks/bench_select_destinations.py
--sizes 100,1000 --requests 10)
"""

import argparse
import cProfile
import datetime
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from benchmarks import nova_cloud  # noqa: E402  (before nova imports)

from keystoneauth1 import loading as ks_loading  # noqa: E402
from keystoneauth1 import session as ks_session  # noqa: E402
from nova import context as nova_context  # noqa: E402
from nova import objects as nova_objects  # noqa: E402
from nova.objects import base as nova_base  # noqa: E402
from nova import rpc as nova_rpc  # noqa: E402
from nova.scheduler import manager as nova_manager  # noqa: E402
nova_objects.register_all()
from oslo_config import cfg  # noqa: E402
from oslo_serialization import jsonutils  # noqa: E402

from benchmarks import cloud_rows  # noqa: E402
from benchmarks import compute_sync  # noqa: E402
from benchmarks import placement_db  # noqa: E402

from scheduler.codec import request_spec as spec_codec  # noqa: E402
from scheduler import conf as conf_pkg  # noqa: E402
from scheduler.hoststate import cache as host_cache  # noqa: E402
from scheduler.hoststate import loader as loader_mod  # noqa: E402
from scheduler import manager as our_manager  # noqa: E402
from scheduler.objects import context as context_obj  # noqa: E402
from scheduler.placement import client as placement_client  # noqa: E402
from scheduler.simulator import embedded_placement  # noqa: E402
from scheduler.simulator import placement_admin  # noqa: E402

_http = threading.local()
_request = ks_session.Session.request


def _timed_request(self, *args, **kwargs):
    started = time.perf_counter()
    try:
        return _request(self, *args, **kwargs)
    finally:
        _http.seconds = getattr(_http, 'seconds', 0.0) + (
            time.perf_counter() - started)


ks_session.Session.request = _timed_request


def _timed(name, method):
    """``method`` with its time added to this thread's ``_http.<name>``.

    Also its CPU time, in ``_http.<name>_cpu``: the process's, as the cell
    reads run in cell_scatter's threads (nothing else runs meanwhile: the
    embedded Placement waits for the next request). On a loaded machine
    the CPU time is the steadier figure.
    """
    def timed(*args, **kwargs):
        started = time.perf_counter()
        cpu = time.process_time()
        try:
            return method(*args, **kwargs)
        finally:
            setattr(_http, name, getattr(_http, name, 0.0) + (
                time.perf_counter() - started))
            setattr(_http, name + '_cpu', getattr(
                _http, name + '_cpu', 0.0) + time.process_time() - cpu)
    return timed


# The per-request freshness read (host_cache_fresh): fresh_snapshot is the
# read of the rows changed since the watermark plus the API fingerprint,
# with_providers the lookup of candidates the snapshot does not know.
host_cache.HostStateCache.fresh_snapshot = _timed(
    'fresh', host_cache.HostStateCache.fresh_snapshot)
host_cache.HostStateCache.with_providers = _timed(
    'lookup', host_cache.HostStateCache.with_providers)
_read_deltas = loader_mod.Loader.read_deltas


def _counted_read_deltas(self, *args, **kwargs):
    outcome = _read_deltas(self, *args, **kwargs)
    _http.rows = getattr(_http, 'rows', 0) + sum(
        len(d.rows.nodes) + len(d.rows.services) + d.rows.unchanged
        + len(d.instances.changes)
        for d in outcome.results.values())
    return outcome


loader_mod.Loader.read_deltas = _counted_read_deltas
SERIALIZER = nova_rpc.RequestContextSerializer(
    nova_base.NovaObjectSerializer())
# Both schedulers: nova 34's default filters plus the one that reads the
# aggregates' metadata, which the benchmark's flavor asks for.
ENABLED_FILTERS = ('ComputeFilter', 'ComputeCapabilitiesFilter',
                   'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
                   'ServerGroupAffinityFilter',
                   'AggregateInstanceExtraSpecsFilter')
EXTRA_SPECS = {'aggregate_instance_extra_specs:ssd': 'true'}


def nova_spec(ctx, vcpus=1, ram=2048, disk=20):
    return nova_objects.RequestSpec(
        ctx, flavor=nova_objects.Flavor(
            id=1, flavorid='1', name='m1.small', vcpus=vcpus,
            memory_mb=ram, root_gb=disk, ephemeral_gb=0, swap=0,
            extra_specs=dict(EXTRA_SPECS)),
        image=nova_objects.ImageMeta(
            properties=nova_objects.ImageMetaProps()),
        project_id='bench-project', user_id='bench-user', num_instances=1,
        instance_group=None, scheduler_hints={}, ignore_hosts=None,
        force_hosts=None, force_nodes=None, retry=None,
        availability_zone=None, pci_requests=None, numa_topology=None,
        limits=None, is_bfv=False, requested_resources=[],
        instance_uuid=str(uuid.uuid4()))


def configure_nova(endpoint, track_instance_changes=True):
    conf = nova_cloud.NOVA_CONF
    conf.set_override('service_down_time', 86400)
    conf.set_override('enabled_filters', list(ENABLED_FILTERS),
                      'filter_scheduler')
    conf.set_override('track_instance_changes', track_instance_changes,
                      'filter_scheduler')
    conf.set_override('auth_type', 'admin_token', 'placement')
    ks_loading.load_auth_from_conf_options(conf, 'placement')
    conf.set_override('endpoint', endpoint, 'placement')
    conf.set_override('token', embedded_placement.TOKEN, 'placement')
    nova_rpc.init(conf)


def our_conf(workdir, endpoint, api_url, cell_url):
    path = os.path.join(workdir, 'hardened.conf')
    with open(path, 'w') as f:
        f.write(f'[DEFAULT]\nservice_down_time = 86400\n'
                f'[filter_scheduler]\n'
                f'enabled_filters = {",".join(ENABLED_FILTERS)}\n'
                f'track_instance_changes = True\n'
                f'[api_database]\nconnection = {api_url}\n'
                f'[database]\nconnection = {cell_url}\n'
                f'[placement]\nauth_type = admin_token\n'
                f'endpoint = {endpoint}\ntoken = {embedded_placement.TOKEN}'
                '\n')
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    conf(['--config-file', path], project='hardened-scheduler',
         default_config_files=[])
    return conf


def measure(call):
    """(end-to-end, Placement HTTP, freshness read, lookup, rows read,
    freshness read CPU)."""
    _http.seconds = _http.fresh = _http.lookup = _http.fresh_cpu = 0.0
    _http.rows = 0
    started = time.perf_counter()
    call()
    total = time.perf_counter() - started
    return (total, _http.seconds, _http.fresh, _http.lookup, _http.rows,
            _http.fresh_cpu)


def fresh_alone(cache, cloud, reads):
    """The freshness read alone, without Placement, in three clouds.

    heartbeats: the rows as the side-by-side run had them (every service
    reported in the last 10 s, every node written in the last 60 s);
    idle: nothing written within the overlap of the newest timestamp
    (every row moved an hour back); all: every row written at once (a
    mass restart), first the read that takes them all in (and rebuilds
    every host state), then the reads that find them again unchanged.
    Returns {case: (median ms, median CPU ms, median rows read)}.
    """
    def run(count):
        samples = []
        for _ in range(count):
            _http.fresh = _http.fresh_cpu = 0.0
            _http.rows = 0
            cache.fresh_snapshot()
            samples.append((_http.fresh, _http.fresh_cpu, _http.rows))
        return (statistics.median(s[0] for s in samples) * 1000,
                statistics.median(s[1] for s in samples) * 1000,
                statistics.median(s[2] for s in samples))

    result = {'heartbeats': run(reads)}
    cloud.shift_compute_stamps(-3600)
    result['idle'] = run(reads)
    newest = max(r.watermark for r in cache._state.rows.values()
                 if r.watermark is not None)
    cloud.set_compute_stamps(newest + datetime.timedelta(seconds=1))
    result['all, first read'] = run(1)
    result['all, again'] = run(reads)
    return result


def load_cache(conf):
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    cache = host_cache.HostStateCache.from_conf(conf)
    cache.refresh()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    hosts = len(cache.snapshot().hosts)
    return cache, (after - before) / max(1, hosts)


def run_size(size, cloud, conf, admin, requests, instance_counts,
             profiler=None, fresh_reads=0, sync=True):
    started = time.perf_counter()
    cloud.grow_to(size)
    how = 'in bulk' if cloud.placement_db else 'through its API'
    print(f'{size:5d} hosts built in {time.perf_counter() - started:.1f} s '
          f"(Placement's rows {how})", flush=True)
    conf.set_override('max_placement_results', size, 'scheduler')
    nova_cloud.NOVA_CONF.set_override('max_placement_results', size,
                                      'scheduler')
    cache, bytes_per_host = load_cache(conf)
    ours = our_manager.SchedulerManager(
        conf, placement=placement_client.PlacementClient(conf),
        hosts=cache, rng=random.Random(0))
    theirs = nova_manager.SchedulerManager()
    compute_sync.wait_for_nova_init()
    hosts = [cloud_rows.host_name(i) for i in range(size)]
    if sync:
        started = time.perf_counter()
        casts, synced, known = compute_sync.send(
            hosts, theirs, compute_sync.our_endpoint(conf, ours, cache))
        print(f'{size:5d} computes synced: {casts} casts to each scheduler '
              f'in {time.perf_counter() - started:.1f} s; nova: {synced}/'
              f'{size} hosts synced ({known} known), ours: '
              f'{len(cache.pending_hosts)} hosts to re-read; '
              f'{cloud.instances} instances, {len(cloud.aggregates)} '
              'aggregates', flush=True)
    nctx = nova_context.get_admin_context()
    rows = []
    for instances in instance_counts:
        samples = {'nova': [], 'ours': []}
        compute_sync.per_host_queries[0] = 0
        for n in range(requests + 2):
            spec = nova_spec(nctx)
            wire = json.loads(jsonutils.dumps(
                SERIALIZER.serialize_entity(nctx, spec)))
            our_spec = spec_codec.decode_request_spec(wire)
            ctx = context_obj.RequestContext(
                user_id='bench-user', project_id='bench-project',
                request_id=f'req-{uuid.uuid4()}', is_admin=True)
            for side in ('nova', 'ours') if n % 2 else ('ours', 'nova'):
                uuids = [str(uuid.uuid4()) for _ in range(instances)]
                if side == 'nova':
                    sample = measure(lambda: theirs.select_destinations(
                        nctx, spec_obj=spec, instance_uuids=uuids,
                        return_objects=True, return_alternates=True))
                else:
                    if profiler is not None and n >= 2:
                        profiler.enable()
                    sample = measure(lambda: ours.select_destinations(
                        ctx, our_spec, uuids, return_alternates=True))
                    if profiler is not None:
                        profiler.disable()
                for consumer in uuids:
                    admin.delete_allocations(consumer)
                if n >= 2:  # two warm-up rounds
                    samples[side].append(sample)
        rows.append(summarize(size, instances, samples, bytes_per_host))
        rows[-1]['nova_host_queries'] = (
            compute_sync.per_host_queries[0] / (requests + 2))
        rows[-1]['synced'] = sync
        print_row(rows[-1])
    if fresh_reads:
        alone = fresh_alone(cache, cloud, fresh_reads)
        for row in rows:
            row['fresh_alone'] = alone
        print(f'{size:5d} freshness read alone: ' + format_alone(alone),
              flush=True)
    return rows


def format_alone(alone):
    return '; '.join(f'{case} {ms:.2f} ms (CPU {cpu:.2f}) {count:.0f} rows'
                     for case, (ms, cpu, count) in alone.items())


def summarize(size, instances, samples, bytes_per_host):
    def med(side, index):
        return statistics.median(s[index] for s in samples[side]) * 1000

    def sched(side):
        return statistics.median(s[0] - s[1] for s in samples[side]) * 1000

    return {
        'hosts': size, 'instances': instances,
        'nova_ms': med('nova', 0), 'ours_ms': med('ours', 0),
        'nova_sched_ms': sched('nova'), 'ours_sched_ms': sched('ours'),
        'ours_placement_ms': med('ours', 1),
        # Per request, then the median: medians of e2e and of Placement
        # time taken apart need not come from the same requests.
        'ours_floor': statistics.median(
            s[0] / max(s[1], 1e-9) for s in samples['ours']),
        'nova_placement_ms': med('nova', 1),
        'bytes_per_host': bytes_per_host,
        'ours_fresh_ms': med('ours', 2), 'ours_lookup_ms': med('ours', 3),
        'ours_fresh_rows': statistics.median(s[4] for s in samples['ours']),
        'ours_fresh_cpu_ms': med('ours', 5),
        # Scheduler-side time without the freshness read and lookup.
        'ours_sched_unfresh_ms': statistics.median(
            s[0] - s[1] - s[2] - s[3] for s in samples['ours']) * 1000,
        'requests': len(samples['ours'])}


HEADER = ('hosts inst | e2e nova   ours  ratio | sched nova   ours  ratio '
          '| ours/placement | decisions/s | bytes/host '
          '| fresh ms (CPU) rows lookup ms | sched w/o fresh')


def print_row(r):
    e2e = r['ours_ms'] / r['nova_ms']
    sched = r['ours_sched_ms'] / max(r['nova_sched_ms'], 1e-9)
    floor = r['ours_floor']
    rate = 1000.0 / max(r['ours_sched_ms'], 1e-9)
    print(f"{r['hosts']:5d} {r['instances']:4d} | {r['nova_ms']:8.1f} "
          f"{r['ours_ms']:6.1f} {e2e:6.3f} | {r['nova_sched_ms']:8.1f} "
          f"{r['ours_sched_ms']:6.1f} {sched:6.3f} | {floor:14.3f} | "
          f"{rate:11.0f} | {r['bytes_per_host']:10.0f} | "
          f"{r['ours_fresh_ms']:8.2f} ({r['ours_fresh_cpu_ms']:.2f}) "
          f"{r['ours_fresh_rows']:5.0f} "
          f"{r['ours_lookup_ms']:9.3f} | {r['ours_sched_unfresh_ms']:6.1f}",
          flush=True)
    if 'nova_host_queries' in r:
        print(f"{'':10s} nova: {r['nova_host_queries']:.0f} per-host "
              'InstanceList queries per request', flush=True)


def main(argv=None):
    # This process stands for the scheduler service's own process,
    # whose full host-cache loads settle the collector.
    from scheduler.hoststate import gc_settle
    gc_settle.own_process()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='100,1000,10000')
    parser.add_argument('--instances', default='1,10')
    parser.add_argument('--requests', default='10',
                        help='measured requests per side and case; a '
                        'list gives one per size (the last for the rest)')
    parser.add_argument('--json', help='write the results here')
    parser.add_argument('--fresh-reads', type=int, default=20, metavar='N',
                        help='after each size, time N freshness reads '
                        'alone per cloud state (0: skip)')
    parser.add_argument('--unsynced', action='store_true',
                        help="the earlier baseline: nova's HostManager "
                        'never told the instance lists '
                        '(track_instance_changes = False, no casts)')
    parser.add_argument('--placement-api', action='store_true',
                        help="build Placement's providers and allocations "
                        'through its API (an hour at 10,000 hosts), not '
                        'in bulk into its database: the same rows')
    parser.add_argument('--profile', type=int, metavar='N',
                        help='profile our side (this thread only) and '
                        'print the N most expensive functions')
    args = parser.parse_args(argv)
    profiler = cProfile.Profile() if args.profile else None
    sizes = [int(s) for s in args.sizes.split(',')]
    counts = [int(s) for s in args.instances.split(',')]
    requests = [int(s) for s in args.requests.split(',')]
    requests = (requests + requests[-1:] * len(sizes))[:len(sizes)]
    with tempfile.TemporaryDirectory(prefix='hs-bench-') as workdir:
        # nova's migrations before Placement's own (both use alembic).
        api_url, cell_url = nova_cloud.create_databases(workdir)
        placement = embedded_placement.EmbeddedPlacement().start()
        try:
            admin = placement_admin.Admin(placement.endpoint)
            configure_nova(placement.endpoint,
                           track_instance_changes=not args.unsynced)
            conf = our_conf(workdir, placement.endpoint, api_url, cell_url)
            # The embedded Placement's SQLite file (it has no public
            # attribute for it).
            pdb = None if args.placement_api else placement_db.PlacementDB(
                os.path.join(placement._tmp.name, 'placement.sqlite'))
            cloud = nova_cloud.Cloud(api_url, cell_url, admin, pdb)
            print('Medians in ms; ratio = ours / nova; "sched" excludes '
                  'Placement HTTP; ours/placement = our end-to-end over '
                  'our Placement calls alone (median of per-request '
                  'ratios).')
            print(HEADER)
            rows = []
            for size, count in zip(sizes, requests, strict=True):
                rows += run_size(size, cloud, conf, admin, count,
                                 counts, profiler, args.fresh_reads,
                                 sync=not args.unsynced)
        finally:
            placement.stop()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats('tottime').print_stats(
            args.profile)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
