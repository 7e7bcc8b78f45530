"""The per-request freshness read alone: no Placement, no nova scheduler.

nova's API and cell databases (SQLite files, nova's own migrations, the
rows ``nova_cloud`` writes for the side-by-side benchmark), our
HostStateCache loaded from them, then ``fresh_snapshot()`` timed in the
same three cloud states as ``bench_select_destinations --fresh-reads``:
heartbeats, idle, all rows written at once. ``--profile N`` prints the N
most expensive functions (CPU time, yappi: every thread, as the cell
reads run in cell_scatter's threads) of the heartbeat reads.

Run: python benchmarks/fresh_read.py --hosts 1000,10000 --reads 50
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from benchmarks import nova_cloud  # noqa: E402  (before nova imports)
from benchmarks import bench_select_destinations as bench  # noqa: E402


def main(argv=None):
    # This process stands for the scheduler service's own process,
    # whose full host-cache loads settle the collector.
    from scheduler.hoststate import gc_settle
    gc_settle.own_process()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', default='1000,10000')
    parser.add_argument('--reads', type=int, default=50)
    parser.add_argument('--profile', type=int, metavar='N',
                        help='print the N most expensive functions, ms '
                        'per read: total, own, calls per read')
    parser.add_argument('--clock', default='cpu', choices=('cpu', 'wall'))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='hs-fresh-') as workdir:
        api_url, cell_url = nova_cloud.create_databases(workdir)
        conf = bench.our_conf(workdir, 'http://127.0.0.1:1', api_url,
                              cell_url)
        cloud = nova_cloud.Cloud(api_url, cell_url, None)
        for size in (int(s) for s in args.hosts.split(',')):
            cloud.grow_to(size)
            cache, _ = bench.load_cache(conf)
            if args.profile:
                import yappi
                yappi.set_clock_type(args.clock)
                yappi.start()
                for _ in range(args.reads):
                    cache.fresh_snapshot()
                yappi.stop()
                stats = yappi.get_func_stats()
                for sort in ('ttot', 'tsub'):
                    print(f'-- {size} hosts, {args.reads} reads, by {sort}')
                    stats.sort(sort).print_all(columns={
                        0: ('name', 90), 1: ('ncall', 8), 2: ('tsub', 8),
                        3: ('ttot', 8)}, out=sys.stdout) if False else [
                        print(f'{st.ttot * 1000 / args.reads:8.2f} '
                              f'{st.tsub * 1000 / args.reads:8.2f} '
                              f'{st.ncall / args.reads:8.1f}  '
                              f'{st.module.split("site-packages/")[-1]}'
                              f':{st.lineno} {st.name}')
                        for st in list(stats.sort(sort))[:args.profile]]
                yappi.clear_stats()
            alone = bench.fresh_alone(cache, cloud, args.reads)
            print(f'{size:5d} hosts: ' + bench.format_alone(alone),
                  flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
