"""Cloud and workload descriptions, read from YAML and validated.

A description error names the file and the entry, and nothing is built
from a description that failed validation.
"""

from collections.abc import Mapping
import dataclasses
import importlib.resources
from typing import Any

import yaml


class DescriptionError(ValueError):
    pass


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


def _load(path: str | None, default: str) -> tuple[str, Any]:
    if path is None:
        ref = importlib.resources.files('scheduler.simulator') / 'data'
        text = (ref / default).read_text()
        path = f'<built-in {default}>'
    else:
        try:
            with open(path) as f:
                text = f.read()
        except OSError as exc:
            raise DescriptionError(f'{path}: {exc.strerror}') from None
    try:
        return path, yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DescriptionError(f'{path}: not valid YAML: {exc}') from None


def _fields(where: str, cls: type, data: Any, **extra: Any) -> Any:
    if not isinstance(data, dict):
        raise DescriptionError(f'{where}: expected a mapping')
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise DescriptionError(f'{where}: unknown keys {sorted(unknown)}')
    values = {**data, **extra}
    for f in dataclasses.fields(cls):
        if f.name in values and f.type in ('int', int):
            value = values[f.name]
            if isinstance(value, bool) or not isinstance(value, int) or (
                    value < 0):
                raise DescriptionError(
                    f'{where}: {f.name} must be a non-negative integer')
        if f.name in values and isinstance(values[f.name], list):
            values[f.name] = tuple(str(v) for v in values[f.name])
    try:
        return cls(**values)
    except TypeError as exc:
        raise DescriptionError(f'{where}: {exc}') from None


def load_cloud(path: str | None = None) -> CloudDescription:
    where, data = _load(path, 'cloud.yaml')
    if not isinstance(data, dict) or not data.get('host_groups'):
        raise DescriptionError(f'{where}: needs a list of host_groups')
    aggregates = {}
    for name, agg in (data.get('aggregates') or {}).items():
        metadata = (agg or {}).get('metadata') or {}
        aggregates[str(name)] = {str(k): str(v) for k, v in metadata.items()}
    groups = tuple(
        _fields(f'{where}: host_groups[{i}]', HostGroup, g)
        for i, g in enumerate(data['host_groups']))
    for group in groups:
        missing = set(group.aggregates) - set(aggregates)
        if missing:
            raise DescriptionError(
                f'{where}: host group {group.name} names unknown '
                f'aggregates {sorted(missing)}')
        if group.disabled > group.count:
            raise DescriptionError(
                f'{where}: host group {group.name}: disabled > count')
    return CloudDescription(groups, aggregates)


def load_workload(path: str | None = None) -> WorkloadDescription:
    where, data = _load(path, 'workload.yaml')
    if not isinstance(data, dict) or not data.get('requests'):
        raise DescriptionError(f'{where}: needs a list of requests')
    flavors = {}
    for name, flavor in (data.get('flavors') or {}).items():
        flavor = dict(flavor or {})
        flavor['extra_specs'] = {
            str(k): str(v) for k, v in (flavor.get('extra_specs') or
                                        {}).items()}
        flavors[str(name)] = _fields(f'{where}: flavors.{name}',
                                     FlavorDescription, flavor,
                                     name=str(name))
    requests = tuple(
        _fields(f'{where}: requests[{i}]', RequestDescription, r)
        for i, r in enumerate(data['requests']))
    for i, request in enumerate(requests):
        if request.flavor not in flavors:
            raise DescriptionError(
                f'{where}: requests[{i}] names unknown flavor '
                f'{request.flavor}')
        if request.group not in (None, 'affinity', 'anti-affinity',
                                 'soft-affinity', 'soft-anti-affinity'):
            raise DescriptionError(
                f'{where}: requests[{i}]: unknown group policy '
                f'{request.group}')
        if request.instances < 1:
            raise DescriptionError(
                f'{where}: requests[{i}]: instances must be at least 1')
    seed = data.get('seed', 0)
    if not isinstance(seed, int):
        raise DescriptionError(f'{where}: seed must be an integer')
    return WorkloadDescription(seed, flavors, requests)
