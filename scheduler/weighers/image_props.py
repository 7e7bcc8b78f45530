"""ImagePropertiesWeigher: by image properties shared with the host's
instances.

A positive multiplier packs instances of alike images together, a
negative one spreads them; 0.0 (the default) disables the weigher. The
weight counts, over the instances on the host, the (property, value)
pairs they share with the requested image, each pair scaled by its ratio
in image_props_weight_setting when that option is set.

nova reads each instance's system_metadata from the cell database for
every host of every request; here the host state already carries the
instances' image properties (``HostState.instance_images``).
"""

from oslo_config import cfg

from scheduler.hoststate import host_state
from scheduler.objects import request_spec
from scheduler.weighers import base


class ImagePropertiesWeigher(base.BaseWeigher):
    multiplier_option = 'image_props_weight_multiplier'

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self.setting = dict(base.parse_weight_setting(
            conf.filter_scheduler.image_props_weight_setting,
            'filter_scheduler.image_props_weight_setting'))

    def constant_weight(self, spec: request_spec.RequestSpec
                        ) -> float | None:
        return 0.0 if self.configured_multiplier() == 0.0 else None

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        # nova skips the work when the configured multiplier is 0, even if
        # an aggregate overrides it.
        if self.configured_multiplier() == 0.0:
            return 0.0
        requested = set()
        if spec.image is not None:
            requested = {
                (name, host_state.render_image_property(value))
                for name, value in spec.image.properties.values.items()}
        existing: list[tuple[str, str]] = []
        for uuid in host.instances:
            existing.extend(host.instance_images.get(uuid, {}).items())
        weight = 0.0
        for pair in sorted(requested.intersection(existing)):
            count = existing.count(pair)
            if self.setting:
                weight += self.setting.get(pair[0], 0.0) * count
            else:
                weight += count
        return weight
