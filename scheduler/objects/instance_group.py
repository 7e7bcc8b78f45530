"""A server group, as conductor fills it in before calling us."""

from collections.abc import Mapping
import dataclasses
import types

EMPTY: Mapping[str, str] = types.MappingProxyType({})


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceGroup:
    uuid: str | None = None
    name: str | None = None
    user_id: str | None = None
    project_id: str | None = None
    # ``policy`` is the source of truth since InstanceGroup 1.11; older
    # senders only set ``policies``, so the codec derives one from the other.
    policy: str | None = None
    policies: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    rules: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: EMPTY)

    @property
    def max_server_per_host(self) -> int:
        """The anti-affinity rule, 1 when unset (nova's default)."""
        try:
            return max(1, int(self.rules.get('max_server_per_host', 1)))
        except (TypeError, ValueError):
            return 1
