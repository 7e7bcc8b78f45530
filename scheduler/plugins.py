"""Loading host filters and weighers by name, through stevedore.

Plugins are entry points in the ``hardened_scheduler.filters`` and
``hardened_scheduler.weighers`` namespaces, named like nova's classes, so
an existing nova.conf keeps working. A name may be:

* the entry-point (nova class) name: ``ComputeFilter``, ``RAMWeigher``;
* nova's dotted path of the same in-tree class:
  ``nova.scheduler.filters.compute_filter.ComputeFilter``,
  ``nova.scheduler.weights.ram.RAMWeigher``;
* nova's ``nova.scheduler.filters.all_filters`` or
  ``nova.scheduler.weights.all_weighers``: every plugin we have;
* the dotted path of an out-of-tree class written for nova (deriving from
  nova's BaseHostFilter / BaseHostWeigher), run through
  :mod:`scheduler.nova_bridge`; in ``enabled_filters`` such a filter may
  also be named by its class name once ``available_filters`` lists its
  path, as in nova.

Any other name fails start-up with one ``UnknownPluginError`` naming every
offending entry, as nova fails on an unknown filter.
"""

from collections.abc import Iterable, Mapping, Sequence
import dataclasses
from typing import Any

from oslo_config import cfg
from stevedore import extension

from scheduler import filters as filters_mod
from scheduler import nova_bridge
from scheduler import weighers as weighers_mod

FILTER_NAMESPACE = 'hardened_scheduler.filters'
WEIGHER_NAMESPACE = 'hardened_scheduler.weighers'
ALL_FILTERS = 'nova.scheduler.filters.all_filters'
ALL_WEIGHERS = 'nova.scheduler.weights.all_weighers'


class UnknownPluginError(Exception):
    """Configured filter or weigher names that cannot be loaded."""

    def __init__(self, kind: str, option: str, unknown: Sequence[str] = (),
                 out_of_tree: Sequence[str] = (),
                 unavailable: Sequence[str] = (),
                 reasons: Mapping[str, str] | None = None) -> None:
        self.kind = kind
        self.option = option
        self.unknown = tuple(unknown)
        self.out_of_tree = tuple(out_of_tree)
        self.unavailable = tuple(unavailable)
        # Why each out-of-tree entry could not be loaded.
        self.reasons = dict(reasons or {})
        where = f'[filter_scheduler] {option}'
        parts = []
        if self.unknown:
            parts.append(f'Unknown {kind}(s) in {where}: '
                         + ', '.join(self.unknown))
        if self.out_of_tree:
            parts.append(
                f'Out-of-tree nova {kind}(s) in {where} could not be '
                'loaded: ' + ', '.join(
                    f'{name} ({self.reasons[name]})'
                    if name in self.reasons else name
                    for name in self.out_of_tree)
                + ' (out-of-tree nova plugins are not supported yet unless '
                'their class imports and derives from nova\'s base class)')
        if self.unavailable:
            parts.append(f'{kind.capitalize()}(s) in {where} not in '
                         '[filter_scheduler] available_filters: '
                         + ', '.join(self.unavailable))
        super().__init__('; '.join(parts))


@dataclasses.dataclass(frozen=True, slots=True)
class _Kind:
    noun: str
    namespace: str
    our_package: str
    nova_package: str
    all_name: str


_FILTERS = _Kind('filter', FILTER_NAMESPACE, 'scheduler.filters',
                 'nova.scheduler.filters', ALL_FILTERS)
_WEIGHERS = _Kind('weigher', WEIGHER_NAMESPACE, 'scheduler.weighers',
                  'nova.scheduler.weights', ALL_WEIGHERS)


def _raise_load_failure(manager: Any, entry_point: Any,
                        exc: BaseException) -> None:
    # A plugin we ship that does not import is a bug, not a missing name.
    raise exc


def _plugins(kind: _Kind) -> tuple[dict[str, type], dict[str, str]]:
    """Classes by entry-point name, and nova dotted paths to those names."""
    manager: extension.ExtensionManager[Any] = extension.ExtensionManager(
        namespace=kind.namespace, invoke_on_load=False,
        on_load_failure_callback=_raise_load_failure)
    classes: dict[str, type] = {}
    nova_paths: dict[str, str] = {}
    for ext in manager:
        classes[ext.name] = ext.plugin
        module, _, attr = ext.entry_point.value.partition(':')
        if module.startswith(kind.our_package + '.'):
            # Our modules mirror nova's: scheduler.weighers.ram:RAMWeigher
            # is nova.scheduler.weights.ram.RAMWeigher.
            tail = module[len(kind.our_package):]
            nova_paths[f'{kind.nova_package}{tail}.{attr}'] = ext.name
    return classes, nova_paths


@dataclasses.dataclass
class _Resolution:
    names: list[str] = dataclasses.field(default_factory=list)
    unknown: list[str] = dataclasses.field(default_factory=list)
    out_of_tree: list[str] = dataclasses.field(default_factory=list)


def _resolve(kind: _Kind, entries: Iterable[str], classes: dict[str, type],
             nova_paths: dict[str, str]) -> _Resolution:
    result = _Resolution()
    for raw in entries:
        entry = raw.strip()
        if entry == kind.all_name:
            result.names.extend(sorted(classes))
        elif entry in classes:
            result.names.append(entry)
        elif entry in nova_paths:
            result.names.append(nova_paths[entry])
        elif '.' in entry and not entry.startswith('nova.'):
            # A class path outside nova: an out-of-tree nova plugin.
            result.out_of_tree.append(entry)
        else:
            result.unknown.append(entry)
    return result


def _resolve_bridged(kind: _Kind, entries: Iterable[str],
                     classes: dict[str, type], nova_paths: dict[str, str]
                     ) -> tuple[_Resolution, dict[str, str]]:
    """As _resolve, loading out-of-tree classes through the nova bridge.

    Loaded classes join ``classes`` under their class name (their dotted
    path if another class has that name) and ``nova_paths``; entries that
    fail stay out-of-tree, with the reason returned by entry.
    """
    entries = list(entries)
    reasons: dict[str, str] = {}
    for path in _resolve(kind, entries, classes, nova_paths).out_of_tree:
        try:
            cls = nova_bridge.load_plugin(path, kind.noun)
        except nova_bridge.BridgeError as exc:
            reasons[path] = str(exc)
            continue
        name = cls.__name__ if classes.get(cls.__name__, cls) is cls else (
            path)
        classes[name] = cls
        nova_paths[path] = name
    # Again, now that the loaded paths are known: the configured order.
    return _resolve(kind, entries, classes, nova_paths), reasons


def load_filters(conf: cfg.ConfigOpts
                 ) -> tuple[filters_mod.BaseHostFilter, ...]:
    """The enabled filters, in [filter_scheduler]enabled_filters order."""
    group = conf.filter_scheduler
    classes, nova_paths = _plugins(_FILTERS)
    available, reasons = _resolve_bridged(
        _FILTERS, group.available_filters, classes, nova_paths)
    if available.unknown or available.out_of_tree:
        raise UnknownPluginError('filter', 'available_filters',
                                 available.unknown, available.out_of_tree,
                                 reasons=reasons)
    enabled, reasons = _resolve_bridged(
        _FILTERS, group.enabled_filters, classes, nova_paths)
    allowed = set(available.names)
    unavailable = [name for name in enabled.names if name not in allowed]
    if enabled.unknown or enabled.out_of_tree or unavailable:
        raise UnknownPluginError('filter', 'enabled_filters',
                                 enabled.unknown, enabled.out_of_tree,
                                 unavailable, reasons=reasons)
    loaded = []
    for name in enabled.names:
        cls = classes[name]
        if not issubclass(cls, filters_mod.BaseHostFilter):
            raise TypeError(f'{name} is not a host filter')
        loaded.append(cls(conf))
    return tuple(loaded)


def load_weighers(conf: cfg.ConfigOpts
                  ) -> tuple[weighers_mod.BaseWeigher, ...]:
    """The weighers of [filter_scheduler]weight_classes, in that order."""
    classes, nova_paths = _plugins(_WEIGHERS)
    resolved, reasons = _resolve_bridged(
        _WEIGHERS, conf.filter_scheduler.weight_classes, classes, nova_paths)
    if resolved.unknown or resolved.out_of_tree:
        raise UnknownPluginError('weigher', 'weight_classes',
                                 resolved.unknown, resolved.out_of_tree,
                                 reasons=reasons)
    loaded = []
    for name in resolved.names:
        cls = classes[name]
        if not issubclass(cls, weighers_mod.BaseWeigher):
            raise TypeError(f'{name} is not a weigher')
        loaded.append(cls(conf))
    return tuple(loaded)
