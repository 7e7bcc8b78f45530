"""Claiming chosen hosts in Placement, and giving claims back.

Every claim a request may have made (a PUT that succeeded, or one whose
answer never came) is remembered until the request ends; if it ends in
any failure, ``release()`` gives them all back, so a failed request never
leaves allocations behind (nova only cleans up on NoValidHost, and
forgets a claim whose answer was lost). A release Placement does not take
goes to the pending-release journal (``scheduler.pending_releases``).

When Placement cannot answer a claim (down, no answer, the request's
deadline spent, an answer a claim cannot use), the request stops at once
instead of trying every further host against a Placement that is not
there.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scheduler import errors
from scheduler import explanation
from scheduler import host_state
from scheduler import pending_releases
from scheduler.objects import request_spec
from scheduler.placement import client as placement_client
from scheduler.placement import results

# The allocation candidates of a host for this request.
CandidatesOf = Callable[[host_state.HostState],
                        Sequence[Mapping[str, Any]]]
# Outcomes after which no further host is tried: Placement is not there.
STOP_TRYING = frozenset({results.UNREACHABLE, results.FAILED})


class Claims:
    def __init__(self, client: placement_client.PlacementClient,
                 releaser: pending_releases.Releaser,
                 recorder: explanation.Recorder,
                 global_request_id: str | None,
                 allocation_request_version: str | None) -> None:
        self._client = client
        self._releaser = releaser
        self._recorder = recorder
        self._global_request_id = global_request_id
        self._version = allocation_request_version
        # Every claim that may be in Placement, in the order made.
        self.held: list[results.ClaimUndo] = []

    def claim_first(self, hosts: list[host_state.HostState],
                    spec: request_spec.RequestSpec, instance_uuid: str,
                    user_id: str | None, candidates_of: CandidatesOf
                    ) -> tuple[host_state.HostState, Mapping[str, Any]] | None:
        """Claim the first host in order that Placement accepts.

        As nova, each host's first remaining allocation candidate is tried.
        A consumer generation conflict propagates (nova raises
        AllocationUpdateFailed for it). Raises StageFailed (stage claims)
        when Placement cannot answer: trying further hosts would only
        spend the request's deadline.
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
            if outcome.undo is not None:
                self.held.append(outcome.undo)
            if outcome.claimed:
                return host, alloc_req
            if outcome.reason in STOP_TRYING:
                self._recorder.fail(explanation.STAGE_CLAIMS)
                raise errors.StageFailed()
        return None

    def release(self) -> None:
        """Give back every claim this failed request may have made."""
        while self.held:
            self._releaser.release(
                self.held.pop(), global_request_id=self._global_request_id,
                why='a failed request')
