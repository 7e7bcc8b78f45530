"""Run filters and weighers written for nova, unchanged.

A site filter or weigher (Blazar's BlazarFilter, a home-grown weigher,
a test class shipped with nova) subclasses
nova.scheduler.filters.BaseHostFilter or
nova.scheduler.weights.BaseHostWeigher and is configured by dotted path
in ``[filter_scheduler]``, whatever its module (``nova.`` paths
included). :func:`load_plugins` reads such a path as nova's loader
(nova.loadables.BaseLoader.get_matching_classes) does: a class, or a
function returning classes. Each nova class is wrapped as one of our
filters or weighers (:mod:`.wrappers`), converting our HostState and
RequestSpec to nova's objects (:mod:`.to_nova`). nova itself is imported
only then, never for a deployment without such plugins. A class derived
from our own bases is loaded as it is.
"""

from collections.abc import Callable
import importlib
import importlib.util
import inspect
import types

from scheduler.filters import base as filters_base
from scheduler.nova_bridge import runtime
from scheduler.weighers import base as weighers_base

FILTER = 'filter'
WEIGHER = 'weigher'
_NOVA_BASES = {
    FILTER: ('scheduler.filters', 'BaseHostFilter'),
    WEIGHER: ('scheduler.weights', 'BaseHostWeigher'),
}


class BridgeError(Exception):
    """A configured dotted path that cannot be run; says why."""

    def __init__(self, path: str, why: str) -> None:
        self.path = path
        self.why = why
        super().__init__(f'{path}: {why}')


def _import_module(path: str, module_name: str) -> types.ModuleType:
    # The module may import nova, which must not eventlet-patch us.
    runtime.native_threads()
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        missing = exc.name or ''
        if missing == 'nova' or (missing.startswith('nova.')
                                 and not _nova_installed()):
            raise BridgeError(
                path, 'nova is not installed; a nova plugin needs nova '
                '(the same release as the deployment) installed next to '
                'the scheduler') from None
        raise BridgeError(
            path, f'cannot import module {module_name}: {exc}') from None
    except Exception as exc:
        raise BridgeError(
            path, f'importing {module_name} failed: {type(exc).__name__}: '
            f'{exc}') from None


def _nova_installed() -> bool:
    return importlib.util.find_spec('nova') is not None


def _import(path: str) -> object:
    """What ``path`` names: ``module.attribute`` (nova's import_class)."""
    module_name, _, attr = path.rpartition('.')
    if not module_name or not attr:
        raise BridgeError(path, 'not a dotted path to a class')
    module = _import_module(path, module_name)
    obj = getattr(module, attr, None)
    if obj is None and _is_module(path):
        obj = importlib.import_module(path)
    if obj is None:
        raise BridgeError(path, f'module {module_name} has no class {attr}')
    return obj


def _is_module(path: str) -> bool:
    try:
        return importlib.util.find_spec(path) is not None
    except Exception:
        return False


def _nova_base(path: str, kind: str) -> type:
    nova_module, base_name = _NOVA_BASES[kind]
    try:
        base: type = getattr(runtime.nova(nova_module), base_name)
    except ImportError:
        raise BridgeError(
            path, f'not one of our {kind}s, and nova, whose {kind}s it '
            'could be, is not installed') from None
    return base


def _plugin_class(path: str, cls: type, kind: str) -> type:
    """``cls`` as our filter/weigher class: itself if ours, else wrapped."""
    ours = filters_base.BaseHostFilter if kind == FILTER else (
        weighers_base.BaseWeigher)
    if issubclass(cls, ours):
        return cls
    nova_base = _nova_base(path, kind)
    if not issubclass(cls, nova_base):
        nova_module, base_name = _NOVA_BASES[kind]
        what = '' if class_path(cls) == path else f'{class_path(cls)} is '
        raise BridgeError(
            path, f'{what}not a {kind}: it derives from neither '
            f'nova.{nova_module}.{base_name} nor our base class')
    from scheduler.nova_bridge import wrappers
    if kind == FILTER:
        return wrappers.filter_class(cls)
    return wrappers.weigher_class(cls)


def load_plugin(path: str, kind: str) -> type:
    """Our filter/weigher class for the class at ``path``.

    :param kind: ``'filter'`` or ``'weigher'``.
    :raises BridgeError: not importable, not a class, or not a nova (or
        our) filter/weigher of that kind.
    """
    obj = _import(path)
    if not isinstance(obj, type):
        raise BridgeError(path, f'not a class (type {type(obj).__name__})')
    return _plugin_class(path, obj, kind)


def class_path(cls: type) -> str:
    """The dotted path a class is defined at."""
    return f'{cls.__module__}.{cls.__qualname__}'


def load_plugins(path: str, kind: str) -> list[tuple[str, type]]:
    """The plugins ``path`` names, as nova's loader reads it.

    ``path`` is a class (its name must not start with ``_``) or a
    function returning classes, like nova's ``all_filters``; a module or
    anything else is refused, as nova refuses it. Each class comes with
    the dotted path it is defined at (so that the caller can recognise
    nova's in-tree classes) and as our filter/weigher class.

    :param kind: ``'filter'`` or ``'weigher'``.
    :raises BridgeError: naming why.
    """
    obj = _import(path)
    if isinstance(obj, type):
        if obj.__name__.startswith('_'):
            raise BridgeError(path, 'a private class (its name starts with '
                              "'_'), which nova does not load either")
        return [(class_path(obj), _plugin_class(path, obj, kind))]
    if inspect.isfunction(obj):
        return [(class_path(cls), _plugin_class(path, cls, kind))
                for cls in _returned_classes(path, obj)]
    if isinstance(obj, types.ModuleType):
        raise BridgeError(
            path, 'a module; name a class in it, or a function returning '
            'classes, as nova requires')
    raise BridgeError(path, 'neither a class nor a function returning '
                      f'classes (type {type(obj).__name__})')


def _returned_classes(path: str, function: Callable[[], object]
                      ) -> list[type]:
    try:
        returned = list(function())  # type: ignore[call-overload]
    except Exception as exc:
        raise BridgeError(path, f'calling it failed: {type(exc).__name__}: '
                          f'{exc}') from None
    classes = []
    for item in returned:
        if not isinstance(item, type):
            raise BridgeError(path, f'it returned {item!r}, not a class')
        classes.append(item)
    return classes
