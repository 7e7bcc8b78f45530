"""What the host cache needs from the configuration."""

import dataclasses

from oslo_config import cfg

from scheduler.hoststate import builder as host_builder
from scheduler.hoststate import loader as loader_mod
from scheduler.db import engines


@dataclasses.dataclass(frozen=True, slots=True)
class CacheSettings:
    loader: loader_mod.LoaderSettings
    resync_interval: float = 10.0
    # Seconds a request's read starts before the watermark.
    change_overlap: float = 2.0
    full_resync_interval: float = 600.0
    track_instance_changes: bool = True
    load_instance_images: bool = False
    ratios: host_builder.AllocationRatioDefaults = (
        host_builder.AllocationRatioDefaults())

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts) -> 'CacheSettings':
        hardened = conf.hardened_scheduler
        return cls(
            loader=loader_mod.LoaderSettings(
                api_connection=conf.api_database.connection,
                cell_url_default=conf.database.connection,
                api_pool=engines.PoolOptions.from_group(conf,
                                                        'api_database'),
                cell_pool=engines.PoolOptions.from_group(conf, 'database'),
                cell_timeout=hardened.cell_database_timeout,
                cell_workers=conf.cell_worker_thread_pool_size),
            resync_interval=hardened.host_state_resync_interval,
            change_overlap=hardened.host_state_change_overlap,
            full_resync_interval=hardened.host_state_full_resync_interval,
            track_instance_changes=(
                conf.filter_scheduler.track_instance_changes),
            load_instance_images=(
                conf.filter_scheduler.image_props_weight_multiplier != 0.0),
            ratios=host_builder.AllocationRatioDefaults.from_conf(conf))
