"""One simulation: embedded Placement, a built cloud, one or more runs."""

from collections.abc import Sequence
import os
import tempfile

from oslo_config import cfg
from oslo_utils import timeutils

from scheduler import conf as conf_pkg
from scheduler import host_source
from scheduler import manager
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec
from scheduler.objects import selection
from scheduler.placement import client as placement_client
from scheduler.simulator import cloud as cloud_mod
from scheduler.simulator import embedded_placement
from scheduler.simulator import model
from scheduler.simulator import placement_admin
from scheduler.simulator import report
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
    return conf


def _usage(admin: placement_admin.Admin,
           built: cloud_mod.BuiltCloud) -> list[report.HostUsage]:
    rows = []
    for host in built.hosts:
        usage = admin.usages(host.uuid)
        rows.append(report.HostUsage(
            host=host.host, zone=built.zone_of[host.host],
            vcpu_used=usage.get('VCPU', 0),
            vcpu_capacity=host.vcpus_total * host.cpu_allocation_ratio,
            ram_used=usage.get('MEMORY_MB', 0),
            ram_capacity=host.total_usable_ram_mb))
    return rows


def _direct_driver(scheduler: manager.SchedulerManager
                   ) -> workload_run.Driver:
    def driver(context: context_obj.RequestContext,
               spec: request_spec.RequestSpec, instances: Sequence[str]
               ) -> list[list[selection.Selection]]:
        return scheduler.select_destinations(
            context, spec, instances, return_alternates=True)
    return driver


def simulate(cloud: model.CloudDescription,
             workload: model.WorkloadDescription,
             scenarios: Sequence[tuple[str, Sequence[str]]]
             ) -> list[report.Summary]:
    """Run the workload once per (label, config files) scenario.

    Every scenario starts from the same empty cloud: allocations made by
    the previous one are deleted and host states reset.
    """
    placement = embedded_placement.EmbeddedPlacement().start()
    try:
        admin = placement_admin.Admin(placement.endpoint)
        built = cloud_mod.build(cloud, admin, timeutils.utcnow())
        summaries = []
        with tempfile.TemporaryDirectory(prefix='hs-sim-') as workdir:
            for label, files in scenarios:
                conf = _conf(placement, files, workdir)
                source = host_source.InMemoryHostSource(built.snapshot())
                scheduler = manager.SchedulerManager(
                    conf, placement=placement_client.PlacementClient(conf),
                    hosts=source)
                result = workload_run.run(
                    label, workload, _direct_driver(scheduler), source)
                summaries.append(report.summarize(
                    result, _usage(admin, built)))
                for consumer in result.consumers:
                    admin.delete_allocations(consumer)
        return summaries
    finally:
        placement.stop()
