"""Driving a workload through the scheduler and recording what happened.

Requests go out one at a time through a ``Driver`` (the RPC client of a
running service, see ``rpc_service``), which answers with Selections or
raises the client's NoValidHost; ``FailedStage`` then names the stage
that failed and ``FilterCounts`` what each filter did.
"""

from collections.abc import Callable, Sequence
import dataclasses
import random
import time
import types
import uuid

from oslo_utils import timeutils

from scheduler.pipeline import consumption
from scheduler import explanation
from scheduler.hoststate import source as host_source
from scheduler.objects import context as context_obj
from scheduler.objects import flavor as flavor_obj
from scheduler.objects import instance_group
from scheduler.objects import request_spec
from scheduler.objects import selection
from scheduler.rpc import client as rpc_client
from scheduler.simulator import model
from scheduler.simulator import progress

# (context, spec, instance uuids) -> one Selection list per instance;
# raises rpc_client.NoValidHost.
Driver = Callable[[context_obj.RequestContext, request_spec.RequestSpec,
                   Sequence[str]], list[list[selection.Selection]]]
# The stage of the NoValidHost the driver just raised.
FailedStage = Callable[[], str]
# What each filter did for the request just answered (the service's
# decision record).
FilterCounts = Callable[[], tuple[explanation.FilterCount, ...]]


@dataclasses.dataclass(frozen=True)
class Outcome:
    flavor: str
    instances: int
    seconds: float
    hosts: tuple[str, ...] = ()
    alternates: int = 0
    stage: str | None = None
    reason: str | None = None
    zone: str | None = None
    # The server group's policy, if the request had one.
    group: str | None = None
    # Recorded for failed requests only.
    filters: tuple[explanation.FilterCount, ...] = ()


@dataclasses.dataclass
class RunResult:
    label: str
    outcomes: list[Outcome]
    consumers: list[str]
    wall_seconds: float


def _expand(workload: model.WorkloadDescription,
            rng: random.Random) -> list[model.RequestDescription]:
    items = [r for r in workload.requests for _ in range(r.count)]
    rng.shuffle(items)
    return items


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _spec(item: model.RequestDescription,
          flavor: model.FlavorDescription, instances: Sequence[str],
          rng: random.Random) -> request_spec.RequestSpec:
    group = None
    hints: dict[str, tuple[str, ...]] = {}
    if item.group:
        group_uuid = _uuid(rng)
        # Conductor fills members with the instances being built.
        group = instance_group.InstanceGroup(
            uuid=group_uuid, policy=item.group, policies=(item.group,),
            members=tuple(instances), project_id=item.project)
        hints['group'] = (group_uuid,)
    return request_spec.RequestSpec(
        flavor=flavor_obj.Flavor(
            vcpus=flavor.vcpus, memory_mb=flavor.ram_mb,
            root_gb=flavor.disk_gb, ephemeral_gb=0, swap=0,
            name=flavor.name, flavorid=flavor.name,
            extra_specs=dict(flavor.extra_specs)),
        project_id=item.project, user_id='simulator',
        availability_zone=item.zone, num_instances=len(instances),
        instance_group=group, scheduler_hints=hints,
        instance_uuid=instances[0])


def _consume(source: host_source.InMemoryHostSource,
             spec: request_spec.RequestSpec,
             rows: list[list[selection.Selection]],
             instances: Sequence[str]) -> None:
    """Play nova-compute: the chosen hosts now run the new instances."""
    snapshot = source.snapshot()
    hosts = dict(snapshot.hosts)
    now = timeutils.utcnow()
    for row, instance in zip(rows, instances, strict=True):
        chosen = row[0].compute_node_uuid
        hosts[chosen] = consumption.consume_host(
            hosts[chosen], spec.replace(instance_uuid=instance), now)
    source.replace(dataclasses.replace(
        snapshot, hosts=types.MappingProxyType(hosts)))


# nova-compute reports every [DEFAULT]report_interval (10 s) seconds.
HEARTBEAT_SECONDS = 10.0


def _heartbeat(source: host_source.InMemoryHostSource) -> None:
    """Play nova-compute's service reports: every service is up now."""
    snapshot = source.snapshot()
    now = timeutils.utcnow()
    hosts = {uuid: dataclasses.replace(h, service=dataclasses.replace(
        h.service, last_seen_up=now)) for uuid, h in snapshot.hosts.items()}
    source.replace(dataclasses.replace(
        snapshot, hosts=types.MappingProxyType(hosts)))


def run(label: str, workload: model.WorkloadDescription, driver: Driver,
        source: host_source.InMemoryHostSource,
        failed_stage: FailedStage,
        filter_counts: FilterCounts) -> RunResult:
    # Seeded for a repeatable workload, never for anything secret.
    rng = random.Random(workload.seed)  # noqa: S311
    items = _expand(workload, rng)
    outcomes: list[Outcome] = []
    consumers: list[str] = []
    shown = progress.Progress(f'running {label}', len(items), 'requests')
    failed = 0
    started = beat = time.monotonic()
    _heartbeat(source)
    for n, item in enumerate(items, 1):
        if time.monotonic() - beat >= HEARTBEAT_SECONDS:
            _heartbeat(source)
            beat = time.monotonic()
        instances = [_uuid(rng) for _ in range(item.instances)]
        spec = _spec(item, workload.flavors[item.flavor], instances, rng)
        # What nova-conductor forwards for a project member's boot.
        context = context_obj.RequestContext(
            user_id='simulator', project_id=item.project,
            request_id=f'req-{_uuid(rng)}', roles=('member', 'reader'))
        t0 = time.perf_counter()
        try:
            rows = driver(context, spec, instances)
        except rpc_client.NoValidHost as exc:
            seconds = time.perf_counter() - t0
            failed += 1
            outcomes.append(Outcome(
                item.flavor, item.instances, seconds,
                stage=failed_stage(), reason=exc.reason, zone=item.zone,
                group=item.group, filters=filter_counts()))
        else:
            seconds = time.perf_counter() - t0
            consumers.extend(instances)
            _consume(source, spec, rows, instances)
            outcomes.append(Outcome(
                item.flavor, item.instances, seconds,
                hosts=tuple(r[0].service_host for r in rows),
                alternates=sum(len(r) - 1 for r in rows)))
        shown.update(n, f'{failed} NoValidHost')
    shown.done(len(outcomes), f'{failed} NoValidHost')
    return RunResult(label, outcomes, consumers,
                     time.monotonic() - started)
