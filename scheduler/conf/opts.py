"""The ``oslo.config.opts`` entry point: every option, by group."""

import itertools

from oslo_config import cfg

from scheduler import conf as conf_pkg


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Options grouped as oslo-config-generator expects them.

    Each module's ``list_opts()`` returns a mapping of group name to a list
    of options; groups that several modules contribute to are merged.
    """
    merged: dict[str, list[cfg.Opt]] = {}
    for module in conf_pkg.option_modules():
        for group, opts in module.list_opts().items():
            merged.setdefault(group, []).extend(opts)
    return [(group, merged[group]) for group in sorted(
        merged, key=lambda g: (g != 'DEFAULT', g))]


def all_opts() -> list[cfg.Opt]:
    return list(itertools.chain.from_iterable(o for _, o in list_opts()))
