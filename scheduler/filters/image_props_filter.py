"""ImagePropertiesFilter: hosts that can run the image's kind of guest.

The image's hw_architecture (or [filter_scheduler]
image_properties_default_architecture), img_hv_type and hw_vm_mode must
all appear in one of the host's supported_instances triples, the
hypervisor version must satisfy img_hv_requested_version, and the host
must offer at least hw_maxphysaddr_bits physical address bits.

Deliberate differences from nova 34:

* nova reads the address bits with ``host_state.cpu_info.get(...)`` but
  cpu_info is the JSON string from the database, so any image with
  hw_maxphysaddr_bits makes nova's filter raise AttributeError. We decode
  cpu_info; a host whose cpu_info does not state the bits passes, as
  nova intends.
* an img_hv_requested_version nova cannot parse makes its filter raise;
  here the host is rejected with a reason.
"""

import dataclasses
import json
from typing import Any

from oslo_config import cfg
from oslo_utils import versionutils

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.objects import hv_spec
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.IMAGE

NO_SUPPORTED_INSTANCES = 'host advertises no supported instances'
UNSUPPORTED_PROPERTIES = 'image architecture/hypervisor type/vm mode'
HYPERVISOR_VERSION = 'hypervisor version'
BAD_VERSION_REQUIREMENT = 'invalid img_hv_requested_version'
MAXPHYSADDR_BITS = 'physical address bits'


def maxphysaddr_bits(cpu_info: str | None) -> int | None:
    """The host's physical address bits from its cpu_info, if stated."""
    if not cpu_info:
        return None
    try:
        info = json.loads(cpu_info)
    except ValueError:
        return None
    address = info.get('maxphysaddr') if isinstance(info, dict) else None
    bits = address.get('bits') if isinstance(address, dict) else None
    if isinstance(bits, bool) or not isinstance(bits, (int, float)):
        return None
    return int(bits) if bits else None


def _version_ok(hypervisor_version: int | None, required: Any) -> bool:
    if not (hypervisor_version and required):
        return True
    predicate = versionutils.VersionPredicate(str(required))
    return bool(predicate.satisfied_by(
        versionutils.convert_version_to_str(hypervisor_version)))


@dataclasses.dataclass(frozen=True, slots=True)
class _Wanted:
    """What the image asks of a host, read once per request."""

    # (architecture, hypervisor type, vm mode); None where not asked.
    triple: tuple[str | None, str | None, str | None]
    requested_version: Any
    required_bits: Any


class ImagePropertiesFilter(base.BaseHostFilter):
    """Hosts whose supported instances match the image properties."""

    RUN_ON_REBUILD = True
    run_filter_once_per_request = True

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        # Read once: this runs per host per request.
        self._default_arch = (
            conf.filter_scheduler.image_properties_default_architecture)

    def _wanted(self, spec: request_spec.RequestSpec) -> _Wanted | None:
        """None when the image asks for nothing this filter checks."""
        props = spec.image.properties if spec.image else None

        def prop(name: str, default: Any = None) -> Any:
            return props.get(name, default) if props is not None else default

        triple = (hv_spec.canonical_architecture(
                      prop('hw_architecture', self._default_arch)),
                  hv_spec.canonical_hv_type(prop('img_hv_type')),
                  hv_spec.canonical_vm_mode(prop('hw_vm_mode')))
        if not any(triple):
            return None
        return _Wanted(triple, prop('img_hv_requested_version'),
                       prop('hw_maxphysaddr_bits'))

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        wanted = self._wanted(spec)
        return None if wanted is None else self._check(host, wanted, {})

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        wanted = self._wanted(spec)
        if wanted is None:
            return None
        # Hosts of a cloud share a few hypervisor versions: each is
        # compared with the requested version once per request.
        versions: dict[int | None, bool | None] = {}

        def check(host: host_state.HostState
                  ) -> host_state.HostState | base.Rejection:
            rejection = self._check(host, wanted, versions)
            return host if rejection is None else rejection
        return check

    def _check(self, host: host_state.HostState, wanted: _Wanted,
               versions: dict[int | None, bool | None]
               ) -> base.Rejection | None:
        if not host.supported_instances:
            return self.reject(NO_SUPPORTED_INSTANCES, CODE)
        triple = wanted.triple
        if not any(all(not w or w in supported for w in triple)
                   for supported in host.supported_instances):
            return self.reject(UNSUPPORTED_PROPERTIES, CODE)
        version = host.hypervisor_version
        if version not in versions:
            try:
                versions[version] = _version_ok(version,
                                                wanted.requested_version)
            except ValueError:
                versions[version] = None
        version_ok = versions[version]
        if version_ok is None:
            return self.reject(BAD_VERSION_REQUIREMENT, CODE)
        if not version_ok:
            return self.reject(HYPERVISOR_VERSION, CODE)
        required_bits = wanted.required_bits
        if required_bits:
            bits = maxphysaddr_bits(host.cpu_info)
            if bits and bits < required_bits:
                return self.reject(MAXPHYSADDR_BITS, CODE)
        return None
