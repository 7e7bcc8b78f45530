"""Out-of-tree plugins written against nova's classes, as a site has them.

PoolFilter is shaped like Blazar's BlazarFilter: its option lives on
oslo.config's global CONF, it reads aggregates, a scheduler hint and the
project, and runs once per request. FreeRamPerCpuWeigher takes its
multiplier from aggregate metadata through nova's helper. Probe records
what it is given.
"""

from oslo_config import cfg

from tests.compat.codec import nova_env  # noqa: F401  (no monkey-patching)

from nova.scheduler import filters  # noqa: E402,I100
from nova.scheduler import utils  # noqa: E402
from nova.scheduler import weights  # noqa: E402

cfg.CONF.register_opts([
    cfg.StrOpt('pool_prefix', default='pool-',
               help='Name prefix of reservation pool aggregates.'),
], 'site_pools')


class PoolFilter(filters.BaseHostFilter):
    """Hosts in a pool only for requests naming it (hint ``pool``)."""

    run_filter_once_per_request = True

    def host_passes(self, host_state, spec_obj):
        prefix = cfg.CONF.site_pools.pool_prefix
        pools = [agg for agg in host_state.aggregates
                 if agg.name.startswith(prefix)]
        wanted = spec_obj.get_scheduler_hint('pool')
        if not wanted:
            return not pools
        return any(agg.name == prefix + wanted
                   and agg.metadata.get(spec_obj.project_id) == 'allowed'
                   for agg in pools)


class FreeRamPerCpuWeigher(weights.BaseHostWeigher):
    minval = 0

    def weight_multiplier(self, host_state):
        return utils.get_weight_multiplier(
            host_state, 'site_weight_multiplier', 1.0)

    def _weigh_object(self, host_state, weight_properties):
        return host_state.free_ram_mb / max(1, host_state.vcpus_total)


class Probe(filters.BaseHostFilter):
    """Passes every host; keeps the last (host state, spec) it saw."""

    seen = None

    def host_passes(self, host_state, spec_obj):
        Probe.seen = (host_state, spec_obj)
        return True


def site_filters():
    """Like nova's all_filters: a function returning filter classes.

    AllHostsFilter is one of nova's in-tree filters: ours runs instead.
    """
    from nova.scheduler.filters import all_hosts_filter

    return [all_hosts_filter.AllHostsFilter, PoolFilter]
