"""Claiming chosen hosts in Placement, and giving claims back.

Every claim a request makes is remembered until the request ends; if it
ends in any failure, ``release()`` deletes them all, so a failed request
never leaves allocations behind (nova only cleans up on NoValidHost).
"""

from collections.abc import Callable, Mapping, Sequence
import logging
from typing import Any

from scheduler import explanation
from scheduler import host_state
from scheduler import redaction
from scheduler.objects import request_spec
from scheduler.placement import client as placement_client
from scheduler.placement import errors as placement_errors

LOG = logging.getLogger(__name__)
# The allocation candidates of a host for this request.
CandidatesOf = Callable[[host_state.HostState],
                        Sequence[Mapping[str, Any]]]


class Claims:
    def __init__(self, client: placement_client.PlacementClient,
                 recorder: explanation.Recorder,
                 global_request_id: str | None,
                 allocation_request_version: str | None) -> None:
        self._client = client
        self._recorder = recorder
        self._global_request_id = global_request_id
        self._version = allocation_request_version
        self.claimed: list[str] = []

    def claim_first(self, hosts: list[host_state.HostState],
                    spec: request_spec.RequestSpec, instance_uuid: str,
                    user_id: str | None, candidates_of: CandidatesOf
                    ) -> tuple[host_state.HostState, Mapping[str, Any]] | None:
        """Claim the first host in order that Placement accepts.

        As nova, each host's first remaining allocation candidate is tried.
        A consumer generation conflict propagates (nova raises
        AllocationUpdateFailed for it).
        """
        for host in hosts:
            candidates = candidates_of(host)
            if not candidates:
                continue
            alloc_req = candidates[0]
            outcome = self._client.claim(
                instance_uuid, alloc_req, project_id=spec.project_id,
                user_id=user_id,
                allocation_request_version=self._version or '1.36',
                global_request_id=self._global_request_id)
            self._recorder.claims = self._recorder.claims.add(outcome.reason)
            if outcome.claimed:
                self.claimed.append(instance_uuid)
                return host, alloc_req
        return None

    def release(self) -> None:
        """Delete every allocation this request made; log what fails."""
        while self.claimed:
            consumer = self.claimed.pop()
            try:
                self._client.delete_allocations(
                    consumer, global_request_id=self._global_request_id)
            except (placement_errors.AllocationDeleteError,
                    placement_errors.PlacementUnavailable) as exc:
                LOG.error('Could not release the allocations of consumer '
                          '%(consumer)s after a failed request: %(error)s',
                          {'consumer': redaction.instance(consumer),
                           'error': exc})
