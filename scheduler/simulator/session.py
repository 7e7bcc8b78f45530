"""One simulation: embedded Placement, a built cloud, one or more runs.

Each run starts its own scheduler service (``rpc_service``) over the same
cloud and drives the workload through its RPC client.
"""

from collections.abc import Sequence
import os
import tempfile

from oslo_config import cfg
from oslo_utils import timeutils

from scheduler import conf as conf_pkg
from scheduler.hoststate import source as host_source
from scheduler.simulator import cloud as cloud_mod
from scheduler.simulator import config_diff
from scheduler.simulator import embedded_placement
from scheduler.simulator import model
from scheduler.simulator import placement_admin
from scheduler.simulator import progress
from scheduler.simulator import report_data
from scheduler.simulator import rpc_service
from scheduler.simulator import workload_run


def _conf(placement: embedded_placement.EmbeddedPlacement,
          config_files: Sequence[str], workdir: str) -> cfg.ConfigOpts:
    path = os.path.join(workdir, 'placement.conf')
    with open(path, 'w') as f:
        f.write(placement.config_lines())
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    args = []
    for name in (*config_files, path):
        args += ['--config-file', name]
    conf(args, project='hardened-scheduler', default_config_files=[],
         default_config_dirs=[])
    # The simulated cloud's releases only: a configured journal holds the
    # real Placement's pending releases, which this Placement would answer
    # "nothing held" for (and so drop them).
    conf.set_override('pending_releases_dir',
                      os.path.join(workdir, 'pending-releases'),
                      'hardened_scheduler')
    return conf


def _usage(admin: placement_admin.Admin,
           built: cloud_mod.BuiltCloud) -> list[report_data.HostUsage]:
    rows = []
    for host in built.hosts:
        usage = admin.usages(host.uuid)
        rows.append(report_data.HostUsage(
            host=host.host, zone=built.zone_of[host.host],
            vcpu_used=usage.get('VCPU', 0),
            vcpu_capacity=host.vcpus_total * host.cpu_allocation_ratio,
            ram_used=usage.get('MEMORY_MB', 0),
            ram_capacity=host.total_usable_ram_mb))
    return rows


def simulate(cloud: model.CloudDescription,
             workload: model.WorkloadDescription,
             scenarios: Sequence[tuple[str, Sequence[str]]]
             ) -> list[report_data.Summary]:
    """Run the workload once per (label, config files) scenario.

    Every scenario starts from the same empty cloud, with a service of
    its own: allocations made by the previous one are deleted and host
    states reset.
    """
    placement = embedded_placement.EmbeddedPlacement().start()
    try:
        admin = placement_admin.Admin(placement.endpoint)
        building = progress.Progress('building cloud', cloud.host_count,
                                     'hosts')
        built = cloud_mod.build(cloud, admin, timeutils.utcnow(),
                                building.update)
        building.done(len(built.hosts))
        summaries = []
        with tempfile.TemporaryDirectory(prefix='hs-sim-') as workdir:
            for label, files in scenarios:
                conf = _conf(placement, files, workdir)
                source = host_source.InMemoryHostSource(built.snapshot())
                with rpc_service.ServiceRun(conf, source) as scheduler:
                    result = workload_run.run(
                        label, workload, scheduler.select_destinations,
                        source, scheduler.failed_stage,
                        scheduler.filter_counts)
                summaries.append(report_data.summarize(
                    result, _usage(admin, built), files,
                    config_diff.changed_options(files)))
                for consumer in result.consumers:
                    admin.delete_allocations(consumer)
        return summaries
    finally:
        placement.stop()
