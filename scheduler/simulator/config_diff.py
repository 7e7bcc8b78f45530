"""Which options a run's configuration files change from the defaults.

The defaults are ours, which are nova's for nova's options. Only options
the scheduler registers are compared (an option a file sets for another
service is not the scheduler's); options listed for the sample only
(keystoneauth plugin options, registered when the plugin loads) are
skipped. Secret options show as ``***`` and every other value goes
through the log redaction's secret masking (URLs with passwords).
"""

from collections.abc import Iterator, Mapping, Sequence
import dataclasses
from typing import Any

from oslo_config import cfg
from oslo_policy import opts as policy_opts

from scheduler import conf as conf_pkg
from scheduler.conf import opts as opts_mod
from scheduler.redaction import secrets

DEFAULT_GROUP = 'DEFAULT'


@dataclasses.dataclass(frozen=True)
class ChangedOption:
    """``[group] name = value``, the value as text (masked if secret)."""

    group: str
    name: str
    value: str

    @property
    def key(self) -> str:
        return f'[{self.group}] {self.name}'


def _listed() -> Iterator[tuple[str, cfg.Opt]]:
    groups = [*opts_mod.list_opts(), *policy_opts.list_opts()]
    for group, opts in groups:
        name = group.name if isinstance(group, cfg.OptGroup) else group
        for opt in opts:
            yield str(name), opt


def _value(conf: cfg.ConfigOpts, group: str, opt: cfg.Opt) -> Any:
    if group == DEFAULT_GROUP:
        return conf[opt.dest]
    return conf[group][opt.dest]


def _text(value: Any) -> str:
    if value is None:
        return '(unset)'
    if isinstance(value, Mapping):
        return ', '.join(f'{k}:{_text(v)}' for k, v in value.items())
    if isinstance(value, list | tuple):
        return ', '.join(_text(v) for v in value)
    return str(value)


def _parsed(config_files: Sequence[str]) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    args: list[str] = []
    for name in config_files:
        args += ['--config-file', name]
    conf(args, project='hardened-scheduler', default_config_files=[],
         default_config_dirs=[])
    return conf


def changed_options(config_files: Sequence[str]
                    ) -> tuple[ChangedOption, ...]:
    """Every registered option ``config_files`` set to a non-default
    value, sorted by group ([DEFAULT] first) and name."""
    conf = _parsed(config_files)
    defaults = _parsed(())
    changed = []
    for group, opt in _listed():
        try:
            value = _value(conf, group, opt)
        except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
            continue
        if value == _value(defaults, group, opt):
            continue
        text = secrets.MASK if opt.secret else secrets.mask_secrets(
            _text(value))
        changed.append(ChangedOption(group, opt.dest, text))
    unique = {(c.group, c.name): c for c in changed}
    return tuple(sorted(unique.values(), key=lambda c: (
        c.group != DEFAULT_GROUP, c.group, c.name)))


def differences(baseline: Sequence[ChangedOption],
                other: Sequence[ChangedOption]
                ) -> tuple[tuple[str, str, str], ...]:
    """(option, baseline value, other value) where the two runs differ;
    ``(default)`` where a run leaves the option at its default."""
    base = {c.key: c.value for c in baseline}
    mine = {c.key: c.value for c in other}
    keys = sorted(set(base) | set(mine))
    return tuple((k, base.get(k, '(default)'), mine.get(k, '(default)'))
                 for k in keys if base.get(k) != mine.get(k))
