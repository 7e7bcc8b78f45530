"""Loading host filters and weighers by name, through stevedore.

Plugins are entry points in the ``hardened_scheduler.filters`` and
``hardened_scheduler.weighers`` namespaces, named like nova's classes, so
an existing nova.conf keeps working. An entry of
``[filter_scheduler] available_filters``, ``enabled_filters`` or
``weight_classes`` may be:

* the entry-point (nova class) name: ``ComputeFilter``, ``RAMWeigher``;
* nova's dotted path of the same in-tree class:
  ``nova.scheduler.filters.compute_filter.ComputeFilter``,
  ``nova.scheduler.weights.ram.RAMWeigher``;
* nova's ``nova.scheduler.filters.all_filters`` or
  ``nova.scheduler.weights.all_weighers``: every plugin we have;
* any other dotted path, read as nova's loader reads it (a class, or a
  function returning classes) and run through :mod:`scheduler.nova_bridge`
  when its classes derive from nova's BaseHostFilter / BaseHostWeigher
  (or from our bases), whatever the module: a site package or ``nova.``
  (nova's own test plugins, a newer nova's filter).

``enabled_filters`` names classes by class name among the available
ones, as nova does (the last available class of a name wins); a dotted
path there must be available too.

Any other entry fails start-up with one ``UnknownPluginError`` naming the
option and every offending entry (with why, for a dotted path), as nova
fails on an unknown filter.
"""

from collections.abc import Iterable, Mapping, Sequence
import dataclasses
from typing import Any

from oslo_config import cfg
from stevedore import extension

from scheduler import nova_bridge
from scheduler.filters import base as filters_base
from scheduler.weighers import base as weighers_base

FILTER_NAMESPACE = 'hardened_scheduler.filters'
WEIGHER_NAMESPACE = 'hardened_scheduler.weighers'
ALL_FILTERS = 'nova.scheduler.filters.all_filters'
ALL_WEIGHERS = 'nova.scheduler.weights.all_weighers'


class UnknownPluginError(Exception):
    """Configured filter or weigher names that cannot be loaded."""

    def __init__(self, kind: str, option: str, unknown: Sequence[str] = (),
                 unloadable: Sequence[str] = (),
                 unavailable: Sequence[str] = (),
                 reasons: Mapping[str, str] | None = None) -> None:
        self.kind = kind
        self.option = option
        self.unknown = tuple(unknown)
        # Dotted paths that name no plugin we can run.
        self.unloadable = tuple(unloadable)
        self.unavailable = tuple(unavailable)
        # Why each unloadable entry could not be loaded.
        self.reasons = dict(reasons or {})
        where = f'[filter_scheduler] {option}'
        parts = []
        if self.unknown:
            parts.append(f'Unknown {kind}(s) in {where}: '
                         + ', '.join(self.unknown))
        if self.unloadable:
            parts.append(
                f'Cannot load {kind}(s) in {where}: ' + ', '.join(
                    f'{name} ({self.reasons[name]})'
                    if name in self.reasons else name
                    for name in self.unloadable))
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
class _Registry:
    """The plugins of one kind known so far: ours, then dotted paths'."""

    kind: _Kind
    # By name: the class name, or the dotted path when another class
    # already has that name.
    classes: dict[str, type]
    # Dotted path -> name: nova's paths of our classes, loaded paths.
    paths: dict[str, str]
    # Our entry-point names (what nova's all_filters/all_weighers mean).
    native: tuple[str, ...]
    # Names loaded through the bridge (site code: constructing may fail).
    bridged: set[str] = dataclasses.field(default_factory=set)
    # Dotted paths already loaded -> the names they stand for.
    expanded: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    # Name -> the dotted path configured for it (for errors).
    entries: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, kind: _Kind) -> '_Registry':
        classes, paths = _plugins(kind)
        return cls(kind, classes, paths, tuple(sorted(classes)))

    def add(self, path: str, plugin: type) -> str:
        """The name of the class at ``path``, registering it if new."""
        if path in self.paths:
            return self.paths[path]
        name = plugin.__name__
        if self.classes.get(name, plugin) is not plugin:
            name = path
        self.classes[name] = plugin
        self.paths[path] = name
        if name not in self.native:
            self.bridged.add(name)
        return name


@dataclasses.dataclass
class _Resolution:
    names: list[str] = dataclasses.field(default_factory=list)
    unknown: list[str] = dataclasses.field(default_factory=list)
    unloadable: list[str] = dataclasses.field(default_factory=list)
    reasons: dict[str, str] = dataclasses.field(default_factory=dict)


_OTHER = {'filter': _WEIGHERS, 'weigher': _FILTERS}


def _resolve_path(registry: _Registry, path: str) -> list[str]:
    """The names of what a dotted path names, loading it through the bridge.

    :raises nova_bridge.BridgeError: it names no plugin of this kind.
    """
    kind = registry.kind
    other = _OTHER[kind.noun]
    if path.startswith(other.nova_package + '.') and (
            path in _plugins(other)[1] or path == other.all_name):
        raise nova_bridge.BridgeError(
            path, f"one of nova's {other.noun}s, not a {kind.noun}")
    loaded = nova_bridge.load_plugins(path, kind.noun)
    names = []
    for origin, plugin in loaded:
        # nova's in-tree classes (named by another path, or returned by a
        # function): ours stand in for them.
        name = registry.paths.get(origin) or registry.add(origin, plugin)
        registry.entries.setdefault(name, path if len(loaded) == 1
                                    else origin)
        names.append(name)
    registry.expanded[path] = names
    return names


def _resolve(registry: _Registry, entries: Iterable[str],
             result: _Resolution | None = None) -> _Resolution:
    if result is None:
        result = _Resolution()
    for raw in entries:
        entry = raw.strip()
        if entry == registry.kind.all_name:
            result.names.extend(registry.native)
        elif entry in registry.classes and '.' not in entry:
            result.names.append(entry)
        elif entry in registry.paths:
            result.names.append(registry.paths[entry])
        elif entry in registry.expanded:
            result.names.extend(registry.expanded[entry])
        elif '.' in entry:
            try:
                result.names.extend(_resolve_path(registry, entry))
            except nova_bridge.BridgeError as exc:
                result.unloadable.append(entry)
                result.reasons[entry] = exc.why
        else:
            result.unknown.append(entry)
    return result


def _instantiate(registry: _Registry, option: str, names: Iterable[str],
                 conf: cfg.ConfigOpts, base: type) -> list[Any]:
    loaded = []
    failed: dict[str, str] = {}
    for name in names:
        cls: Any = registry.classes[name]
        if not issubclass(cls, base):
            raise TypeError(f'{name} is not a host {registry.kind.noun}')
        if name not in registry.bridged:
            # One of ours: an exception here is our bug.
            loaded.append(cls(conf))
            continue
        try:
            loaded.append(cls(conf))
        except Exception as exc:
            failed[registry.entries.get(name, name)] = (
                f'creating it failed: {type(exc).__name__}: '
                f'{exc}').rstrip(': ')
    if failed:
        raise UnknownPluginError(registry.kind.noun, option,
                                 unloadable=list(failed), reasons=failed)
    return loaded


def load_filters(conf: cfg.ConfigOpts
                 ) -> tuple[filters_base.BaseHostFilter, ...]:
    """The enabled filters, in [filter_scheduler]enabled_filters order."""
    group = conf.filter_scheduler
    registry = _Registry.of(_FILTERS)
    available = _resolve(registry, group.available_filters)
    if available.unknown or available.unloadable:
        raise UnknownPluginError('filter', 'available_filters',
                                 available.unknown, available.unloadable,
                                 reasons=available.reasons)
    # nova's HostManager.filter_cls_map: available classes by class name.
    by_class_name = {registry.classes[name].__name__: name
                     for name in available.names}
    allowed = set(available.names)
    enabled = _Resolution()
    unavailable: list[str] = []
    for raw in group.enabled_filters:
        entry = raw.strip()
        if entry in by_class_name:
            enabled.names.append(by_class_name[entry])
            continue
        before = len(enabled.names)
        _resolve(registry, [entry], enabled)
        unavailable.extend(name for name in enabled.names[before:]
                           if name not in allowed)
    if enabled.unknown or enabled.unloadable or unavailable:
        raise UnknownPluginError('filter', 'enabled_filters',
                                 enabled.unknown, enabled.unloadable,
                                 unavailable, reasons=enabled.reasons)
    return tuple(_instantiate(registry, 'enabled_filters', enabled.names,
                              conf, filters_base.BaseHostFilter))


def load_weighers(conf: cfg.ConfigOpts
                  ) -> tuple[weighers_base.BaseWeigher, ...]:
    """The weighers of [filter_scheduler]weight_classes, in that order."""
    registry = _Registry.of(_WEIGHERS)
    resolved = _resolve(registry, conf.filter_scheduler.weight_classes)
    if resolved.unknown or resolved.unloadable:
        raise UnknownPluginError('weigher', 'weight_classes',
                                 resolved.unknown, resolved.unloadable,
                                 reasons=resolved.reasons)
    return tuple(_instantiate(registry, 'weight_classes', resolved.names,
                              conf, weighers_base.BaseWeigher))
