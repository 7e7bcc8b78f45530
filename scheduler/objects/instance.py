"""Instance info: only what scheduling needs of an instance.

Compute nodes send whole Instance objects (user_data, key_data, IPs, ...);
the codec keeps these fields and drops the rest at decode time.
"""

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceInfo:
    uuid: str
    host: str | None = None
    node: str | None = None
    project_id: str | None = None
