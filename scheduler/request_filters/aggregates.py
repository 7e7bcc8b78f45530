"""Request filters that turn aggregate metadata into member_of.

The aggregates come from the request's host snapshot (the API database
cache), not from a database query per request as in nova. Metadata keys
and values are compared exactly (nova's SQL compares with the database
collation, case-insensitive on MySQL's default).
"""

from oslo_log import log as logging

from scheduler import errors
from scheduler.objects import request_spec
from scheduler.placement import resources
from scheduler.request_filters.base import FilterEnv
from scheduler.request_filters import edits

LOG = logging.getLogger(__name__)

TENANT_METADATA_KEY = 'filter_tenant_id'
TRAIT_KEY_PREFIX = 'trait:'
TRAIT_REQUIRED = 'required'


def require_tenant_aggregate(spec: request_spec.RequestSpec, env: FilterEnv
                             ) -> request_spec.RequestSpec | None:
    """Confine a project to aggregates tagged filter_tenant_id*=project."""
    if not env.conf.scheduler.limit_tenants_to_placement_aggregate:
        return None
    uuids = sorted(
        agg.uuid for agg in env.snapshot.aggregates
        if any(key.startswith(TENANT_METADATA_KEY)
               and value == spec.project_id
               for key, value in agg.metadata.items()))
    if uuids:
        return edits.require_aggregates(spec, uuids)
    if env.conf.scheduler.placement_aggregate_required_for_tenants:
        # nova names the project at WARNING; we keep ids at DEBUG.
        LOG.warning('A tenant has no available aggregates')
        LOG.debug('Tenant %s has no available aggregates', spec.project_id)
        raise errors.RequestFilterFailed('No hosts available for tenant')
    return None


def map_az_to_placement_aggregate(spec: request_spec.RequestSpec,
                                  env: FilterEnv
                                  ) -> request_spec.RequestSpec | None:
    """Limit to the aggregates that make up the requested AZ."""
    az = spec.availability_zone
    if not az:
        return None
    uuids = sorted(agg.uuid for agg in env.snapshot.aggregates
                   if agg.metadata.get('availability_zone') == az)
    if not uuids:
        return None
    return edits.require_aggregates(spec, uuids)


def isolate_aggregates(spec: request_spec.RequestSpec, env: FilterEnv
                       ) -> request_spec.RequestSpec | None:
    """Keep out of aggregates that require a trait the request lacks.

    An aggregate with metadata ``trait:<T>=required`` is forbidden unless
    the flavor or image (or a port/device group) requires ``T``.

    :raises: the query builder's QueryError for an invalid flavor/image,
        where nova's ResourceRequest raises.
    """
    if not env.conf.scheduler.enable_isolated_aggregate_filtering:
        return None
    built = resources.from_request_spec(spec, True)
    wanted = {TRAIT_KEY_PREFIX + trait
              for group in built.groups.values() for trait in group.required}
    isolated = sorted(
        agg.uuid for agg in env.snapshot.aggregates
        if any(key.startswith(TRAIT_KEY_PREFIX) and value == TRAIT_REQUIRED
               and key not in wanted for key, value in agg.metadata.items()))
    if not isolated:
        return None
    return edits.forbid_aggregates(spec, isolated)
