"""The ``oslo.config.opts`` entry point: every option, by group."""

from oslo_config import cfg

from scheduler import conf as conf_pkg


def list_opts() -> list[tuple[str | cfg.OptGroup, list[cfg.Opt]]]:
    """Options grouped as oslo-config-generator expects them.

    Each module's ``list_opts()`` returns a mapping of group (an
    ``OptGroup``, or a name such as ``'DEFAULT'``) to a list of options;
    groups that several modules contribute to are merged by name. The
    ``OptGroup`` object is kept where one is given, so the sample shows
    the group's help text.
    """
    groups: dict[str, str | cfg.OptGroup] = {}
    merged: dict[str, list[cfg.Opt]] = {}
    for module in conf_pkg.option_modules():
        for group, opts in module.list_opts().items():
            name = group.name if isinstance(group, cfg.OptGroup) else group
            if isinstance(group, cfg.OptGroup) or name not in groups:
                groups[name] = group
            merged.setdefault(name, []).extend(opts)
    return [(groups[name], merged[name]) for name in sorted(
        merged, key=lambda g: (g != 'DEFAULT', g))]

