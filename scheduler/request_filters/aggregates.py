"""Request filters that turn aggregate metadata into member_of."""

import dataclasses

from scheduler import errors
from scheduler.objects import destination as destination_obj
from scheduler.objects import request_spec
from scheduler.request_filters import FilterEnv

TENANT_METADATA_KEY = 'filter_tenant_id'


def _require_aggregates(spec: request_spec.RequestSpec,
                        uuids: list[str]) -> request_spec.RequestSpec:
    """Add one OR-set of aggregates, as nova's require_aggregates."""
    dest = spec.requested_destination or destination_obj.Destination()
    dest = dataclasses.replace(
        dest, aggregates=(dest.aggregates or ()) + (','.join(uuids),))
    return spec.replace(requested_destination=dest)


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
        return _require_aggregates(spec, uuids)
    if env.conf.scheduler.placement_aggregate_required_for_tenants:
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
    return _require_aggregates(spec, uuids)
