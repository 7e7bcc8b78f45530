"""Run out-of-tree filters and weighers written for nova, unchanged.

A site filter or weigher (Blazar's BlazarFilter, a home-grown weigher)
subclasses nova.scheduler.filters.BaseHostFilter or
nova.scheduler.weights.BaseHostWeigher and is configured by dotted path
in ``[filter_scheduler]``. :func:`load_plugin` imports such a class and
wraps it as one of our filters or weighers (:mod:`.wrappers`), converting
our HostState and RequestSpec to nova's objects (:mod:`.to_nova`). nova
itself is imported only then, never for a deployment without such
plugins. A dotted path to a class derived from our own bases is loaded
as it is.
"""

import importlib

from scheduler import filters as filters_mod
from scheduler import weighers as weighers_mod
from scheduler.nova_bridge import runtime

FILTER = 'filter'
WEIGHER = 'weigher'
_NOVA_BASES = {
    FILTER: ('scheduler.filters', 'BaseHostFilter'),
    WEIGHER: ('scheduler.weights', 'BaseHostWeigher'),
}


class BridgeError(Exception):
    """A configured dotted path that cannot be run; says why."""


def _import_module(path: str, module_name: str) -> object:
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        missing = exc.name or ''
        if missing == 'nova' or missing.startswith('nova.'):
            raise BridgeError(
                f'{path} is a nova plugin but nova is not installed; '
                'install nova (the same release as the deployment) to run '
                'out-of-tree nova plugins') from None
        raise BridgeError(
            f'cannot import module {module_name}: {exc}') from None
    except Exception as exc:
        raise BridgeError(
            f'importing {module_name} failed: {type(exc).__name__}: '
            f'{exc}') from None


def load_plugin(path: str, kind: str) -> type:
    """Our filter/weigher class for the class at ``path``.

    :param kind: ``'filter'`` or ``'weigher'``.
    :raises BridgeError: not importable, not a class, or not a nova (or
        our) filter/weigher of that kind.
    """
    module_name, _, attr = path.rpartition('.')
    if not module_name or not attr:
        raise BridgeError(f'{path} is not a dotted path to a class')
    module = _import_module(path, module_name)
    cls = getattr(module, attr, None)
    if not isinstance(cls, type):
        raise BridgeError(f'module {module_name} has no class {attr}')
    ours = filters_mod.BaseHostFilter if kind == FILTER else (
        weighers_mod.BaseWeigher)
    if issubclass(cls, ours):
        return cls
    nova_module, base_name = _NOVA_BASES[kind]
    try:
        nova_base = getattr(runtime.nova(nova_module), base_name)
    except ImportError:
        raise BridgeError(
            f'{path} is not one of our {kind}s and nova, whose {kind}s it '
            'could be, is not installed') from None
    if not issubclass(cls, nova_base):
        raise BridgeError(
            f'{path} is not a {kind}: it derives from neither '
            f'nova.{nova_module}.{base_name} nor our base class')
    from scheduler.nova_bridge import wrappers
    if kind == FILTER:
        return wrappers.filter_class(cls)
    return wrappers.weigher_class(cls)
