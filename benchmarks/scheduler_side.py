"""Scheduler-side cost of select_destinations, without Placement.

Our SchedulerManager over host states built from the benchmark's rows
(``cloud_rows``, the same the side-by-side benchmark puts in nova's
databases), with Placement answered instantly by canned responses shaped
as Placement 1.36 answers: every host is a candidate and every claim
succeeds. The responses are JSON text decoded on each request, as the
real client decodes them. What is left is our own Python per decision:
request filters, candidate indexing, filters, weighers, ranking, claims
bookkeeping, Selections, the explanation and its log record.

Run: python benchmarks/scheduler_side.py --hosts 1000 --instances 1
     [--requests 200] [--profile 30]

Instructions per decision, whatever the machine's load: run it under
``valgrind --tool=callgrind`` with ``--requests 20`` and with
``--requests 0`` (set-up and warm-up only) and divide the difference of
the two totals by 20.
"""

import argparse
import cProfile
import dataclasses
import json
import os
import pstats
import random
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from oslo_config import cfg  # noqa: E402

from benchmarks import cloud_rows  # noqa: E402
from scheduler import conf as conf_pkg  # noqa: E402
from scheduler.hoststate import builder as host_builder  # noqa: E402
from scheduler.hoststate import source as host_source  # noqa: E402
from scheduler import manager  # noqa: E402
from scheduler.objects import context as context_obj  # noqa: E402
from scheduler.objects import flavor as flavor_obj  # noqa: E402
from scheduler.objects import image as image_obj  # noqa: E402
from scheduler.objects import request_spec  # noqa: E402
from scheduler.placement import candidates_body  # noqa: E402
from scheduler.placement import client as placement_client  # noqa: E402

CELL1 = str(uuid.UUID(int=1))
FLAVOR = {'VCPU': 1, 'MEMORY_MB': 2048, 'DISK_GB': 20}


class _Response:
    headers = {'openstack-request-id': 'req-bench'}
    # CPU seconds spent decoding response bodies, all responses together.
    decoding = 0.0

    def __init__(self, status_code, text=''):
        self.status_code = status_code
        self.text = text
        # What requests gives: the raw body, decoded by the client itself
        # (allocation candidates with orjson, inside the timed decision).
        self.content = text.encode()

    def json(self):
        started = time.process_time()
        try:
            return json.loads(self.text)
        finally:
            _Response.decoding += time.process_time() - started


class _TimedDecode:
    """candidates_body.decode, with the CPU time it takes summed up."""

    def __init__(self, decode):
        self._decode = decode
        self.seconds = 0.0

    def __call__(self, content):
        started = time.process_time()
        try:
            return self._decode(content)
        finally:
            self.seconds += time.process_time() - started


class CannedPlacement:
    """Answers the scheduler's Placement calls instantly."""

    def __init__(self, providers):
        self.candidates = json.dumps({
            'allocation_requests': [{
                'allocations': {rp: {'resources': FLAVOR}},
                'mappings': {'': [rp]}} for rp in providers],
            'provider_summaries': {rp: {
                'resources': {
                    rc: {'capacity': total, 'used': 0} for rc, total in (
                        ('VCPU', 128), ('MEMORY_MB', 131072),
                        ('DISK_GB', 2000))},
                'traits': list(cloud_rows.TRAITS),
                'parent_provider_uuid': None,
                'root_provider_uuid': rp} for rp in providers}})
        self.consumer = json.dumps({'allocations': {}})

    def request(self, url, method, **kwargs):
        if method == 'GET' and url.startswith('/allocation_candidates'):
            return _Response(200, self.candidates)
        if method == 'GET':
            return _Response(200, self.consumer)
        return _Response(204)


def build_hosts(count, conf):
    now = cloud_rows.utcnow()
    defaults = host_builder.AllocationRatioDefaults.from_conf(conf)
    hosts = []
    for i in range(count):
        name = cloud_rows.host_name(i)
        rp = cloud_rows.provider_uuid(name)
        service = dict(cloud_rows.service_row(name, now), id=i + 1)
        hosts.append(host_builder.build_host_state(
            cloud_rows.compute_row(name, rp, i + 1, now), service,
            cell_uuid=CELL1, aggregates=(), instances={},
            allocation_ratio_defaults=defaults))
    return hosts


def spec():
    return request_spec.RequestSpec(
        flavor=flavor_obj.Flavor(
            id=1, flavorid='1', name='m1.small', vcpus=1, memory_mb=2048,
            root_gb=20, ephemeral_gb=0, swap=0),
        image=image_obj.ImageMeta(properties=image_obj.ImageProperties()),
        project_id='bench-project', user_id='bench-user',
        instance_uuid=str(uuid.uuid4()))


def make_conf():
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    conf([], project='hardened-scheduler', default_config_files=[])
    conf.set_override('service_down_time', 86400)
    return conf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=int, default=1000)
    parser.add_argument('--instances', type=int, default=1)
    parser.add_argument('--requests', type=int, default=200)
    parser.add_argument('--profile', type=int, metavar='N', default=0,
                        help='print the N most expensive functions')
    args = parser.parse_args(argv)
    conf = make_conf()
    conf.set_override('max_placement_results', args.hosts, 'scheduler')
    hosts = build_hosts(args.hosts, conf)
    ours = manager.SchedulerManager(
        conf, placement=placement_client.PlacementClient(
            conf, adapter=CannedPlacement([h.uuid for h in hosts])),
        # As the database cache makes it: the minimum compute service
        # version is read with the rows, not per request.
        hosts=host_source.InMemoryHostSource(dataclasses.replace(
            host_source.HostSnapshot.of(hosts),
            min_compute_version=cloud_rows.SERVICE_VERSION)),
        rng=random.Random(0))  # noqa: S311  (seeded, repeatable)
    ctx = context_obj.RequestContext(
        user_id='bench-user', project_id='bench-project', is_admin=True)

    def one():
        uuids = [str(uuid.uuid4()) for _ in range(args.instances)]
        ours.select_destinations(ctx, spec(), uuids, return_alternates=True)

    for _ in range(5):
        one()
    if not args.requests:
        # Set-up and warm-up only: the base that instruction counts of N
        # requests (valgrind --tool=callgrind) are taken against.
        return 0
    profiler = cProfile.Profile() if args.profile else None
    samples, cpu = [], []
    _Response.decoding = 0.0
    timed_decode = _TimedDecode(candidates_body.decode)
    candidates_body.decode = timed_decode
    for _ in range(args.requests):
        if profiler is not None:
            profiler.enable()
        started, started_cpu = time.perf_counter(), time.process_time()
        one()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if profiler is not None:
            profiler.disable()
    candidates_body.decode = timed_decode._decode
    median = statistics.median(samples)
    # CPU time is what the decision costs; wall time also holds whatever
    # else the machine was running.
    median_cpu = statistics.median(cpu)
    # A worker's throughput is set by the mean: the decisions that pay
    # for a full collection of the cyclic collector count too.
    mean_cpu = statistics.fmean(cpu)
    decode_ms = timed_decode.seconds * 1000 / args.requests
    print(f'{args.hosts} hosts, {args.instances} instance(s): median '
          f'{median:.2f} ms wall ({median_cpu:.2f} ms CPU), p90 '
          f'{statistics.quantiles(samples, n=10)[-1]:.2f} ms, '
          f'{1000 / median:.0f} decisions/s '
          f'({1000 / median_cpu:.0f} by CPU time); mean CPU '
          f'{mean_cpu:.2f} ms ({1000 / mean_cpu:.0f} decisions/s); '
          f'decoding the allocation candidates: {decode_ms:.2f} ms CPU '
          f'per request (mean, {100 * decode_ms / mean_cpu:.0f}% of the '
          f'decision); stdlib JSON decoding of other Placement answers: '
          f'{_Response.decoding * 1000 / args.requests:.2f} ms per request '
          '(mean)')
    if profiler is not None:
        pstats.Stats(profiler).sort_stats('tottime').print_stats(
            args.profile)
    return 0


if __name__ == '__main__':
    sys.exit(main())
