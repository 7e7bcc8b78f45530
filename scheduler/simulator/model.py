"""Cloud and workload descriptions, read from YAML and validated.

Every field is type-checked and every count bounded (``BOUNDS``) before
anything is built: a description with problems raises
:class:`DescriptionError` carrying all of them, each one line naming the
file and the field (``cloud.yaml: host_groups[2].aggregates: expected a
list of names, got a string 'fast'``).
"""

from collections.abc import Callable, Mapping, Sequence, Set
import dataclasses
import importlib.resources
from typing import Any, TypeVar

from scheduler.simulator import description_reader as reader_mod

Bound = reader_mod.Bound
T = TypeVar('T')

# The simulator's bounds: generous for a real cloud, small enough that a
# typo (a count of 100000000) is refused instead of eating the memory.
BOUNDS: Mapping[str, Bound] = {
    # cloud.yaml
    'host_groups': Bound(1, 1000, 'host groups'),
    'hosts': Bound(0, 20000, 'hosts'),
    'cells': Bound(1, 100, 'cells'),
    'zones': Bound(1, 1000, 'availability zones'),
    'aggregates': Bound(0, 1000, 'aggregates'),
    'metadata': Bound(0, 100, 'metadata keys per aggregate'),
    'traits': Bound(0, 100, 'traits per host group'),
    'host_vcpus': Bound(1, 4096, 'vCPUs per host'),
    'host_ram_mb': Bound(1, 16 * 1024 * 1024, 'MB of RAM per host'),
    'host_disk_gb': Bound(1, 1024 * 1024, 'GB of disk per host'),
    # workload.yaml
    'flavors': Bound(1, 1000, 'flavors'),
    'extra_specs': Bound(0, 100, 'extra specs per flavor'),
    'flavor_vcpus': Bound(1, 4096, 'vCPUs per flavor'),
    'flavor_ram_mb': Bound(1, 16 * 1024 * 1024, 'MB of RAM per flavor'),
    'flavor_disk_gb': Bound(0, 1024 * 1024, 'GB of disk per flavor'),
    'request_entries': Bound(1, 10000, 'request entries'),
    'requests': Bound(0, 100000, 'requests'),
    'instances': Bound(1, 10000, 'instances per request'),
    'all_instances': Bound(0, 1000000, 'instances in all requests'),
    'seed': Bound(0, 2 ** 63 - 1, 'seed'),
}
GROUP_POLICIES = ('affinity', 'anti-affinity', 'soft-affinity',
                  'soft-anti-affinity')


class DescriptionError(ValueError):
    """Every problem found in the descriptions, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__('\n'.join(self.problems))


@dataclasses.dataclass(frozen=True)
class HostGroup:
    name: str
    cell: str
    zone: str
    count: int
    vcpus: int
    ram_mb: int
    disk_gb: int
    traits: tuple[str, ...] = ()
    aggregates: tuple[str, ...] = ()
    disabled: int = 0


@dataclasses.dataclass(frozen=True)
class CloudDescription:
    host_groups: tuple[HostGroup, ...]
    aggregates: Mapping[str, Mapping[str, str]]

    @property
    def host_count(self) -> int:
        return sum(g.count for g in self.host_groups)


@dataclasses.dataclass(frozen=True)
class FlavorDescription:
    name: str
    vcpus: int
    ram_mb: int
    disk_gb: int
    extra_specs: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class RequestDescription:
    flavor: str
    count: int
    instances: int = 1
    zone: str | None = None
    group: str | None = None
    project: str = 'demo'


@dataclasses.dataclass(frozen=True)
class WorkloadDescription:
    seed: int
    flavors: Mapping[str, FlavorDescription]
    requests: tuple[RequestDescription, ...]


def _text(path: str | None, default: str) -> tuple[str, str]:
    if path is None:
        ref = importlib.resources.files('scheduler.simulator') / 'data'
        return f'<built-in {default}>', (ref / default).read_text()
    return path, reader_mod.read_text(path)


def _host_group(r: reader_mod.Reader, path: str, data: Any,
                aggregates: Mapping[str, object]) -> HostGroup | None:
    fields = r.mapping(path, data, required=(
        'name', 'cell', 'zone', 'count', 'vcpus', 'ram_mb', 'disk_gb'),
        optional=('traits', 'aggregates', 'disabled'))
    if fields is None:
        return None
    name = r.name(f'{path}.name', fields.get('name'))
    cell = r.name(f'{path}.cell', fields.get('cell'))
    zone = r.name(f'{path}.zone', fields.get('zone'))
    count = r.integer(f'{path}.count', fields.get('count'), BOUNDS['hosts'])
    disabled = r.integer(f'{path}.disabled', fields.get('disabled', 0),
                         BOUNDS['hosts'])
    if disabled > count and not r.failed & {f'{path}.count',
                                            f'{path}.disabled'}:
        r.fail(f'{path}.disabled', f'{disabled} is more than the group\'s '
               f'count ({count})')
    aggs = r.names(f'{path}.aggregates', fields.get('aggregates', []),
                   BOUNDS['aggregates'])
    for agg in aggs:
        if agg and agg not in aggregates:
            known = ', '.join(sorted(aggregates)) or 'none'
            r.fail(f'{path}.aggregates', f'names unknown aggregate {agg!r} '
                   f'(aggregates: {known})')
    return HostGroup(
        name=name, cell=cell, zone=zone, count=count,
        vcpus=r.integer(f'{path}.vcpus', fields.get('vcpus'),
                        BOUNDS['host_vcpus']),
        ram_mb=r.integer(f'{path}.ram_mb', fields.get('ram_mb'),
                         BOUNDS['host_ram_mb']),
        disk_gb=r.integer(f'{path}.disk_gb', fields.get('disk_gb'),
                          BOUNDS['host_disk_gb']),
        traits=r.traits(f'{path}.traits', fields.get('traits', []),
                        BOUNDS['traits']),
        aggregates=aggs, disabled=disabled)


def _cloud(r: reader_mod.Reader, data: Any) -> CloudDescription | None:
    top = r.mapping('', data, required=('host_groups',),
                    optional=('aggregates',))
    if top is None:
        return None
    aggregates = {}
    for name, agg in r.entries('aggregates', top.get('aggregates', {}),
                               BOUNDS['aggregates']):
        fields = r.mapping(f'aggregates.{name}', {} if agg is None else agg,
                           optional=('metadata',))
        aggregates[name] = r.scalars(
            f'aggregates.{name}.metadata',
            (fields or {}).get('metadata', {}), BOUNDS['metadata'])
    groups = [_host_group(r, f'host_groups[{i}]', item, aggregates)
              for i, item in enumerate(r.items(
                  'host_groups', top['host_groups'], BOUNDS['host_groups'])
                  if 'host_groups' in top else [])]
    valid = [g for g in groups if g is not None]
    seen: dict[str, int] = {}
    for i, group in enumerate(groups):
        if group is None or not (group.name and group.cell and group.zone):
            continue
        key = f'{group.cell}-{group.zone}-{group.name}'
        if key in seen:
            r.fail(f'host_groups[{i}]', 'same name, cell and zone as '
                   f'host_groups[{seen[key]}] (their host names would '
                   'collide)')
        seen.setdefault(key, i)
    r.total('host_groups', sum(g.count for g in valid), BOUNDS['hosts'],
            'the sum of their counts')
    r.total('host_groups', len({g.cell for g in valid}), BOUNDS['cells'],
            'distinct cell names')
    r.total('host_groups', len({g.zone for g in valid}), BOUNDS['zones'],
            'distinct zone names')
    return CloudDescription(tuple(valid), aggregates)


def _flavor(r: reader_mod.Reader, path: str, name: str,
            data: Any) -> FlavorDescription | None:
    fields = r.mapping(path, data, required=('vcpus', 'ram_mb', 'disk_gb'),
                       optional=('extra_specs',))
    if fields is None:
        return None
    return FlavorDescription(
        name=name,
        vcpus=r.integer(f'{path}.vcpus', fields.get('vcpus'),
                        BOUNDS['flavor_vcpus']),
        ram_mb=r.integer(f'{path}.ram_mb', fields.get('ram_mb'),
                         BOUNDS['flavor_ram_mb']),
        disk_gb=r.integer(f'{path}.disk_gb', fields.get('disk_gb'),
                          BOUNDS['flavor_disk_gb']),
        extra_specs=r.scalars(f'{path}.extra_specs',
                              fields.get('extra_specs', {}),
                              BOUNDS['extra_specs']))


def _request(r: reader_mod.Reader, path: str, data: Any,
             flavors: Set[str]) -> RequestDescription | None:
    fields = r.mapping(path, data, required=('flavor', 'count'),
                       optional=('instances', 'zone', 'group', 'project'))
    if fields is None:
        return None
    flavor = r.name(f'{path}.flavor', fields.get('flavor'))
    if flavor and flavors and flavor not in flavors:
        r.fail(f'{path}.flavor', f'names unknown flavor {flavor} '
               f'(flavors: {", ".join(sorted(flavors))})')
    zone = fields.get('zone')
    group = fields.get('group')
    return RequestDescription(
        flavor=flavor,
        count=r.integer(f'{path}.count', fields.get('count'),
                        BOUNDS['requests']),
        instances=r.integer(f'{path}.instances', fields.get('instances', 1),
                            BOUNDS['instances']),
        zone=None if zone is None else r.name(f'{path}.zone', zone),
        group=None if group is None else r.choice(
            f'{path}.group', group, GROUP_POLICIES),
        project=r.name(f'{path}.project', fields.get('project', 'demo')))


def _workload(r: reader_mod.Reader, data: Any) -> WorkloadDescription | None:
    top = r.mapping('', data, required=('flavors', 'requests'),
                    optional=('seed',))
    if top is None:
        return None
    flavors = {}
    entries = r.entries('flavors', top['flavors'], BOUNDS['flavors']
                        ) if 'flavors' in top else []
    for name, item in entries:
        flavor = _flavor(r, f'flavors.{name}', name, item)
        if flavor is not None:
            flavors[name] = flavor
    names = {name for name, _ in entries}
    requests = [
        _request(r, f'requests[{i}]', item, names)
        for i, item in enumerate(r.items(
            'requests', top['requests'], BOUNDS['request_entries'])
            if 'requests' in top else [])]
    valid = [q for q in requests if q is not None]
    r.total('requests', sum(q.count for q in valid), BOUNDS['requests'],
            'the sum of their counts')
    r.total('requests', sum(q.count * q.instances for q in valid),
            BOUNDS['all_instances'], 'the sum of count x instances')
    return WorkloadDescription(
        seed=r.integer('seed', top.get('seed', 0), BOUNDS['seed']),
        flavors=flavors, requests=tuple(valid))


def _load(path: str | None, default: str,
          read: Callable[[reader_mod.Reader, Any], T | None]) -> T:
    try:
        where, text = _text(path, default)
        r = reader_mod.Reader(where)
        parsed = read(r, reader_mod.parse_yaml(where, text))
    except reader_mod.FileProblem as exc:
        raise DescriptionError([str(exc)]) from None
    if r.problems:
        raise DescriptionError(r.problems)
    assert parsed is not None  # noqa: S101 - no problems, so built
    return parsed


def load_cloud(path: str | None = None) -> CloudDescription:
    """The cloud of ``path`` (the built-in one without it).

    :raises DescriptionError: with every problem found.
    """
    return _load(path, 'cloud.yaml', _cloud)


def load_workload(path: str | None = None) -> WorkloadDescription:
    """The workload of ``path`` (the built-in one without it).

    :raises DescriptionError: with every problem found.
    """
    return _load(path, 'workload.yaml', _workload)
