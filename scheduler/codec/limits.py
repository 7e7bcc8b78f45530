"""Bounds on what one decoded message may contain."""

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True, slots=True)
class DecodeLimits:
    """Size bounds applied while decoding.

    The defaults match the ``[hardened_scheduler]`` options of the same
    names, so tests and tools that have no ``ConfigOpts`` get the same
    behaviour as the service.
    """

    max_list_length: int = 10000
    max_string_length: int = 65535
    max_nesting_depth: int = 32
    max_num_instances: int = 1000

    @classmethod
    def from_conf(cls, conf: Any) -> 'DecodeLimits':
        """Read the limits from ``conf.hardened_scheduler``."""
        group = conf.hardened_scheduler
        return cls(
            max_list_length=int(group.max_list_length),
            max_string_length=int(group.max_string_length),
            max_nesting_depth=int(group.max_nesting_depth),
            max_num_instances=int(group.max_num_instances),
        )


DEFAULT_LIMITS = DecodeLimits()
