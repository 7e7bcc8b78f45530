"""Request filters that add root traits."""

import dataclasses

import os_traits

from scheduler.objects import request_spec
from scheduler.request_filters import FilterEnv


def compute_status_filter(spec: request_spec.RequestSpec, env: FilterEnv
                          ) -> request_spec.RequestSpec | None:
    """Never offer compute nodes whose service is disabled."""
    params = spec.request_level_params
    params = dataclasses.replace(
        params, root_forbidden=params.root_forbidden
        | {os_traits.COMPUTE_STATUS_DISABLED})
    return spec.replace(request_level_params=params)
