"""Boot storm: hardened-scheduler against nova 34's scheduler over RabbitMQ.

One cloud for both (nova's API and cell databases as SQLite files made by
nova's migrations, the real Placement in a process of its own), filled to
~90% at once (storm_cloud.py). Each service runs in its own processes
(the installed ``hardened-scheduler`` and ``nova-scheduler`` binaries, the
same ``[scheduler] workers``) on one nova.conf and a RabbitMQ virtual host
of the run's own; ours first, then nova's on the same cloud reset to the
same fill (every allocation the first run made deleted). ``--threads``
client threads act as conductors: nova 34's own ``SchedulerAPI`` sends
``select_destinations`` (RequestSpec, instance uuids, return_objects and
return_alternates, as conductor does for a boot) concurrently, a seeded
mix of single and multi-create requests (1, 2 or 5 instances; half of the
multi-creates in a new anti-affinity server group), enough instances to
fill the cloud and 15% more, so NoValidHost comes.

Each run reports instances placed per second, request latency, the claims
Placement refused and the retries (ours: our decision records; nova: its
report client's log lines, see storm_services.py) and, read from
Placement once the service has stopped: over-commit (usage above
capacity on any provider), leaked allocations (a consumer that is neither
the fill nor an instance returned as placed to the client) and spurious
NoValidHost (a request that failed although, at the end, enough storm
flavor slots, on distinct hosts for an anti-affinity group, were still
free).

Run: python benchmarks/boot_storm.py [--short] [--hosts N] [--requests N]
     [--threads N] [--workers N] [--json FILE]
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from benchmarks import nova_cloud  # noqa: E402  (before nova imports)

from nova import context as nova_context  # noqa: E402
from nova import exception as nova_exception  # noqa: E402
from nova import objects  # noqa: E402
from nova import rpc as nova_rpc  # noqa: E402
from nova.scheduler.client import query as nova_query  # noqa: E402
from nova.scheduler import rpcapi  # noqa: E402
import oslo_messaging  # noqa: E402
from oslo_messaging import conffixture  # noqa: E402

from benchmarks import cloud_rows  # noqa: E402
from benchmarks import placement_db as placement_db_mod  # noqa: E402
from benchmarks import placement_process  # noqa: E402
from benchmarks import storm_cloud  # noqa: E402
from benchmarks import storm_services  # noqa: E402

from scheduler.simulator import placement_admin  # noqa: E402

objects.register_all()
CONF = nova_cloud.NOVA_CONF
IMAGE = '7e2c4f2e-1c1c-4c4c-9c9c-111111111111'
# Instances per request and their odds; half of the multi-creates ask
# for a new anti-affinity server group.
SIZES = ((1, 0.6), (2, 0.25), (5, 0.15))
OVERSHOOT = 1.15


def storm_requests(free_slots, seed, count=None):
    """[(instances, anti_affinity)]: ``count`` of them, or enough to ask
    for OVERSHOOT times the free slots."""
    rng = random.Random(f'storm/{seed}')  # noqa: S311  (a workload)
    reqs, asked = [], 0
    while (len(reqs) < count if count else
           asked < free_slots * OVERSHOOT):
        n = rng.choices([s for s, _ in SIZES], [w for _, w in SIZES])[0]
        reqs.append((n, n > 1 and rng.random() < 0.5))
        asked += n
    return reqs


def request_spec(ctxt, instance_uuids, anti_affinity):
    """The RequestSpec conductor sends for a boot of these instances."""
    flavor = objects.Flavor(
        id=8, name='storm.8', memory_mb=storm_cloud.FLAVOR['memory_mb'],
        vcpus=storm_cloud.FLAVOR['vcpus'],
        root_gb=storm_cloud.FLAVOR['root_gb'], ephemeral_gb=0, swap=0,
        flavorid='8', rxtx_factor=1.0, vcpu_weight=None, disabled=False,
        is_public=True, extra_specs={}, description=None)
    group = None
    if anti_affinity:
        # A new group: its members are this request's instances, none of
        # which is on a host yet (conductor's setup_instance_group).
        group = objects.InstanceGroup(
            uuid=str(uuid.uuid4()), name='storm-group', user_id='u1',
            project_id='p1', policy='anti-affinity', rules={},
            policies=['anti-affinity'], members=list(instance_uuids),
            hosts=[])
    spec = objects.RequestSpec.from_components(
        context=ctxt, instance_uuid=instance_uuids[0],
        image={'id': IMAGE, 'properties': {}}, flavor=flavor,
        numa_topology=None,
        pci_requests=objects.InstancePCIRequests(requests=[]),
        filter_properties={'scheduler_hints': {}}, instance_group=group,
        availability_zone=None, project_id='p1', user_id='u1')
    spec.num_instances = len(instance_uuids)
    return spec


def context():
    return nova_context.RequestContext('u1', 'p1', is_admin=True,
                                       roles=['admin', 'member'])


def storm(api, reqs, threads):
    """Send ``reqs`` from ``threads`` conductors; (results, wall seconds)."""
    results = [None] * len(reqs)
    lock = threading.Lock()
    todo = iter(range(len(reqs)))

    def conductor():
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            n, aa = reqs[i]
            ctxt = context()
            insts = [str(uuid.uuid4()) for _ in range(n)]
            spec = request_spec(ctxt, insts, aa)
            started = time.monotonic()
            result = {'n': n, 'aa': aa, 'instances': insts,
                      'request_id': ctxt.request_id, 'placed': {}}
            try:
                rows = api.select_destinations(
                    ctxt, spec, insts, return_objects=True,
                    return_alternates=True)
                result['placed'] = {inst: row[0].compute_node_uuid
                                    for inst, row in zip(insts, rows,
                                                         strict=True)}
                result['outcome'] = 'placed'
            except nova_exception.NoValidHost:
                result['outcome'] = 'no_valid_host'
            except Exception as exc:  # noqa: BLE001  (reported)
                result['outcome'] = f'error: {type(exc).__name__}'
            result['seconds'] = time.monotonic() - started
            results[i] = result

    workers = [threading.Thread(target=conductor) for _ in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results, time.monotonic() - started


def percentile(values, q):
    if not values:
        return float('nan')
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def measure(side, results, wall, pdb, hosts, fill, service, workdir):
    """The run's figures, read from the results, Placement and the log."""
    acct = storm_cloud.Accounting(pdb, hosts)
    placed = {}
    for r in results:
        placed.update(r['placed'])
    consumers = acct.consumers()
    leaked = sorted(set(consumers) - fill - set(placed))
    wrong = sorted(inst for inst, rp in placed.items()
                   if consumers.get(inst) != [rp])
    slots = acct.free_slots()
    usable = [s for s in slots.values() if s > 0]

    def fits(r):
        return (len(usable) >= r['n'] if r['aa'] else sum(usable) >= r['n'])

    failed = [r for r in results if r['outcome'] == 'no_valid_host']
    spurious = [r for r in failed if fits(r)]
    text = service.log()
    if side == 'ours':
        decisions = storm_services.our_decisions(text)
        refused = sum(d['claims'].get('capacity', 0)
                      + d['claims'].get('conflict', 0)
                      for d in decisions.values())
        # Decision records before 'requeries' only said whether.
        requeries = [d.get('requeries', int(bool(d.get('second_query'))))
                     for d in decisions.values()]
        retries = sum(requeries)

        def lost(r):
            c = decisions.get(r['request_id'], {}).get('claims', {})
            return c.get('capacity', 0) + c.get('conflict', 0) > 0

        def empty(r):
            d = decisions.get(r['request_id'], {})
            return d.get('placement', {}).get('candidates') == 0
        retry_note = ('candidate queries asked again after lost claims, by '
                      f'{sum(1 for n in requeries if n)} requests')
        pending_dir = os.path.join(workdir, 'pending-releases')
        pending = (len(os.listdir(pending_dir))
                   if os.path.isdir(pending_dir) else 0)
    else:
        by_inst, gen_retries, out_of_retries = (
            storm_services.nova_claim_failures(text))
        refused = sum(by_inst.values())
        retries = sum(gen_retries.values())

        def lost(r):
            return any(by_inst.get(i) for i in r['instances'])

        no_candidates = storm_services.nova_no_candidates(text)

        def empty(r):
            return r['request_id'] in no_candidates
        retry_note = (f'generation-conflict retries ({out_of_retries} '
                      'out of retries)')
        pending = 0
    latencies = [r['seconds'] * 1000 for r in results]
    instances = len(placed)
    return {
        'requests': len(results),
        'instances asked': sum(r['n'] for r in results),
        'instances placed': instances,
        'requests placed': sum(1 for r in results
                               if r['outcome'] == 'placed'),
        'NoValidHost': len(failed),
        'errors': sorted({r['outcome'] for r in results
                          if r['outcome'].startswith('error')}),
        'error count': sum(1 for r in results
                           if r['outcome'].startswith('error')),
        'storm seconds': wall,
        'instances/s': instances / wall,
        'requests/s': len(results) / wall,
        'p50 ms': percentile(latencies, 0.5),
        'p99 ms': percentile(latencies, 0.99),
        'claims refused by Placement': refused,
        'requests losing a claim race': sum(1 for r in results if lost(r)),
        'retries': retries,
        'retries are': retry_note,
        'spurious NoValidHost': len(spurious),
        'spurious, after losing a claim race': sum(
            1 for r in spurious if lost(r)),
        'spurious, no candidates at the time': sum(
            1 for r in spurious if not lost(r) and empty(r)),
        'spurious by size': _by_size(spurious),
        'NoValidHost by size': _by_size(failed),
        'over-committed providers': len(acct.over_committed()),
        'leaked allocations': len(leaked),
        'placed without their allocation': len(wrong),
        'pending releases journaled': pending,
        'free slots at end': sum(usable),
        'hosts with a free slot at end': len(usable),
    }


def _by_size(results):
    counts = {}
    for r in results:
        key = f"{r['n']}{'aa' if r['aa'] else ''}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def run_side(side, args, workdir, conf_path, vhost, api, send_syncs,
             pdb, fill, reqs):
    service = (storm_services.ours if side == 'ours'
               else storm_services.nova)(workdir, conf_path)
    try:
        started = time.monotonic()
        service.start()
        service.wait_consumers(vhost, args.workers)
        rounds = storm_services.sync_rounds(send_syncs, service, vhost)
        ready = time.monotonic() - started
        print(f'{side}: ready in {ready:.0f} s ({rounds} sync rounds); '
              f'storm of {len(reqs)} requests', flush=True)
        results, wall = storm(api, reqs, args.threads)
    finally:
        service.stop()
    figures = measure(side, results, wall, pdb, args.hosts, fill,
                      service, workdir)
    figures['service ready s'] = ready
    print(f'{side}: {json.dumps(figures)}', flush=True)
    return figures


ROWS = ('requests', 'instances asked', 'instances placed', 'NoValidHost',
        'error count', 'storm seconds', 'instances/s', 'requests/s',
        'p50 ms', 'p99 ms', 'claims refused by Placement',
        'requests losing a claim race', 'retries', 'spurious NoValidHost',
        'spurious, after losing a claim race',
        'spurious, no candidates at the time', 'over-committed providers',
        'leaked allocations', 'placed without their allocation',
        'pending releases journaled', 'free slots at end')


def table(ours, nova):
    lines = ['| | hardened-scheduler | nova 34 | ours/nova |',
             '|---|---|---|---|']
    for row in ROWS:
        a, b = ours[row], nova[row]
        ratio = f'{a / b:.2f}' if isinstance(a, (int, float)) and b else '-'
        fmt = (lambda v: f'{v:.1f}') if isinstance(a, float) else str
        lines.append(f'| {row} | {fmt(a)} | {fmt(b)} | {ratio} |')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--short', action='store_true',
                        help='100 hosts (the bench-short env)')
    parser.add_argument('--hosts', type=int)
    parser.add_argument('--requests', type=int,
                        help='default: enough to ask for 115%% of the '
                        'free slots')
    parser.add_argument('--threads', type=int, default=8)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--seed', default='1')
    parser.add_argument('--json')
    parser.add_argument('--keep', action='store_true',
                        help='keep the work directory (logs, databases)')
    args = parser.parse_args()
    args.hosts = args.hosts or (100 if args.short else 1000)
    load_before = os.getloadavg()
    started = time.monotonic()
    # tmpfs when there is one: SQLite commits without waiting for a disk.
    shm = '/dev/shm'  # noqa: S108  (mkdtemp makes a private directory)
    workdir = tempfile.mkdtemp(prefix='boot-storm-', dir=(
        shm if os.path.isdir(shm) else None))
    placement = placement_process.PlacementProcess(workdir)
    vhost = storm_services.VirtualHost()
    transport = None
    try:
        placement.start()
        admin = placement_admin.Admin(placement.endpoint)
        api_url, cell_url = nova_cloud.create_databases(workdir)
        cloud = nova_cloud.Cloud(api_url, cell_url, admin)
        print(f'Placement and nova databases ready in '
              f'{time.monotonic() - started:.0f} s', flush=True)
        mark = time.monotonic()
        pdb = placement_db_mod.PlacementDB(placement.db_path)
        fill = storm_cloud.build(cloud, pdb, args.hosts, args.seed)
        free = sum(storm_cloud.Accounting(pdb, args.hosts)
                   .free_slots().values())
        used = 1 - free * storm_cloud.FLAVOR['memory_mb'] / (
            args.hosts * cloud_rows.HOST_SIZE['memory_mb'])
        print(f'cloud: {args.hosts} hosts, {len(fill)} instances, '
              f'{free} free slots (RAM {used:.1%} used), built in '
              f'{time.monotonic() - mark:.0f} s', flush=True)
        reqs = storm_requests(free, args.seed, args.requests)
        vhost.create()
        conf_path = os.path.join(workdir, 'nova.conf')
        storm_services.nova_conf(conf_path, vhost, placement, workdir,
                                 api_url, cell_url, args.workers)
        conffixture.ConfFixture(CONF)
        # As nova's services: exchange nova.
        nova_rpc.set_defaults(control_exchange='nova')
        transport = oslo_messaging.get_rpc_transport(
            CONF, url=vhost.url,
            allowed_remote_exmods=nova_rpc.get_allowed_exmods())
        nova_rpc.TRANSPORT = transport
        api = rpcapi.SchedulerAPI()
        query = nova_query.SchedulerQueryClient()
        host_insts = {}
        for i in range(args.hosts):
            host_insts[cloud_rows.host_name(i)] = [
                u for u, _, _ in storm_cloud.host_fill(i, args.seed)]

        def send_syncs():
            ctxt = nova_context.get_admin_context()
            for host, insts in host_insts.items():
                query.sync_instance_info(ctxt, host, insts)

        figures = {}
        for side in ('ours', 'nova'):
            figures[side] = run_side(side, args, workdir, conf_path, vhost,
                                     api, send_syncs, pdb, fill, reqs)
            removed = pdb.reset(fill)
            print(f'{side}: reset, {removed} allocations deleted',
                  flush=True)
        load_after = os.getloadavg()
        print()
        print(f'Boot storm: {args.hosts} hosts, {len(reqs)} requests, '
              f'{args.threads} client threads, {args.workers} workers each;'
              f' load average before {load_before[0]:.2f}, after '
              f'{load_after[0]:.2f}')
        print(table(figures['ours'], figures['nova']))
        for side in ('ours', 'nova'):
            f = figures[side]
            print(f"{side}: NoValidHost by size {f['NoValidHost by size']},"
                  f" spurious by size {f['spurious by size']}; retries are"
                  f" {f['retries are']}; errors {f['errors']}")
        if args.json:
            with open(args.json, 'w') as out:
                json.dump({'args': vars(args), 'load_before': load_before,
                           'load_after': load_after, **figures}, out,
                          indent=1)
        ours, nova = figures['ours'], figures['nova']
        verdict = {
            'instances/s >= 3x nova': (
                nova['instances placed'] > 0
                and ours['instances/s'] >= 3 * nova['instances/s']),
            'every request answered': ours['error count'] == 0,
            'zero over-commit': ours['over-committed providers'] == 0,
            'zero leaked allocations': ours['leaked allocations'] == 0,
            # A lost claim race, or no candidates while concurrent
            # requests held the capacity (released when they failed).
            'zero unexplained spurious NoValidHost': (
                ours['spurious NoValidHost']
                == ours['spurious, after losing a claim race']
                + ours['spurious, no candidates at the time']),
        }
        for goal, met in verdict.items():
            print(f"{goal}: {'met' if met else 'NOT met'}")
    finally:
        if transport is not None:
            transport.cleanup()
        try:
            vhost.delete()
        except (OSError, subprocess.SubprocessError) as exc:
            print(f'could not delete virtual host {vhost.name}: {exc}')
        placement.stop()
        if args.keep:
            print(f'work directory: {workdir}')
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()
