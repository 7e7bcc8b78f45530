"""Claiming chosen hosts in Placement, and giving claims back.

Every claim a request may have made (a PUT that succeeded, or one whose
answer never came) is remembered until the request ends; if it ends in
any failure, ``release()`` gives them all back, so a failed request never
leaves allocations behind (nova only cleans up on NoValidHost, and
forgets a claim whose answer was lost). A release Placement does not take
goes to the pending-release journal (``scheduler.placement.pending_releases``).

When Placement cannot answer a claim (down, no answer, an answer a claim
cannot use), the request stops at once instead of trying every further
host against a Placement that is not there. When Placement keeps
refusing claims because concurrent requests took the capacity, the list
of candidates has gone stale: after a few refusals in a row
(``give_up_after``) the caller asks Placement again (``Attempt.stale``)
instead of walking the rest of the list until the deadline.
"""

from collections.abc import Callable, Mapping, Sequence
import dataclasses
import datetime
from typing import Any

from scheduler.pipeline import consumption
from scheduler import errors
from scheduler import explanation
from scheduler.hoststate import host_state
from scheduler.placement import pending_releases
from scheduler.pipeline import recent_claims
from scheduler.objects import request_spec
from scheduler.placement import client as placement_client
from scheduler.placement import results

# The allocation candidates of a host for this request.
CandidatesOf = Callable[[host_state.HostState],
                        Sequence[Mapping[str, Any]]]
# Outcomes after which no further host is tried: Placement is not there.
STOP_TRYING = frozenset({results.UNREACHABLE, results.FAILED})


@dataclasses.dataclass(frozen=True, slots=True)
class Attempt:
    """One pass over the ordered hosts for one instance.

    ``host``, ``allocation_request`` and ``spec`` (the request with the
    providers Placement mapped to its groups) are set when a claim
    succeeded; otherwise ``stale`` says candidates were refused, or
    skipped as taken, so asking Placement again may find room. ``claims``
    counts the claims of this pass by outcome.
    """

    host: host_state.HostState | None = None
    allocation_request: Mapping[str, Any] | None = None
    spec: request_spec.RequestSpec | None = None
    stale: bool = False
    claims: explanation.ClaimCount = explanation.ClaimCount()


class Claims:
    def __init__(self, client: placement_client.PlacementClient,
                 releaser: pending_releases.Releaser,
                 global_request_id: str | None, *,
                 worker: recent_claims.RecentClaims,
                 clock: Callable[[], datetime.datetime]) -> None:
        self._client = client
        self._releaser = releaser
        self._global_request_id = global_request_id
        self._worker = worker
        self._clock = clock
        # Every claim that may be in Placement, in the order made.
        self.held: list[results.ClaimUndo] = []
        # Claims of this request lost to concurrent requests so far.
        self._lost = 0

    def claim_first(self, hosts: list[host_state.HostState],
                    spec: request_spec.RequestSpec, instance_uuid: str,
                    user_id: str | None, candidates_of: CandidatesOf,
                    allocation_request_version: str,
                    fetched: float | None = None,
                    give_up_after: int | None = None) -> Attempt:
        """Claim the first host in order that Placement accepts.

        As nova, each host's first remaining allocation candidate is tried.
        A host refused to another request of this worker after the
        candidates were read (``fetched``, monotonic; asked host by host,
        so a refusal during this pass counts) is not tried, and after
        ``give_up_after`` refusals in a row the rest are not either (None:
        every host is tried, as nova does). A consumer
        generation conflict propagates (nova raises AllocationUpdateFailed
        for it). Raises StageFailed (stage claims) when Placement cannot
        answer: trying further hosts would only spend the deadline.
        """
        count = explanation.ClaimCount()
        refused = 0
        skipped = False
        for host in hosts:
            if fetched is not None and self._worker.refused_after(
                    host.uuid, fetched):
                skipped = True
                continue
            candidates = candidates_of(host)
            if not candidates:
                continue
            alloc_req = candidates[0]
            outcome = self._client.claim(
                instance_uuid, alloc_req, project_id=spec.project_id,
                user_id=user_id,
                allocation_request_version=allocation_request_version,
                global_request_id=self._global_request_id)
            if outcome.undo is not None:
                self.held.append(outcome.undo)
            if outcome.claimed:
                spec = consumption.with_provider_mappings(spec, alloc_req)
                self._worker.claimed(instance_uuid, host.uuid, spec,
                                     self._clock())
                return Attempt(host, alloc_req, spec,
                               claims=count.add(outcome.reason))
            if outcome.reason in STOP_TRYING:
                raise self._stop(outcome.reason, count)
            count = count.add(outcome.reason)
            if outcome.reason == results.CAPACITY:
                self._worker.refused(host.uuid)
            self._lost += 1
            refused += 1
            if give_up_after is not None and refused >= give_up_after:
                return Attempt(stale=True, claims=count)
        return Attempt(stale=bool(refused) or skipped, claims=count)

    def _stop(self, reason: str, count: explanation.ClaimCount
              ) -> errors.StageFailed:
        """Placement did not answer a claim: end the request's claims.

        When the request's deadline ran out after Placement had refused
        some of its claims, the time went on races lost to concurrent
        requests, not on a Placement that is away: say so.
        """
        if (reason == results.UNREACHABLE and self._lost
                and self._client.deadline_passed()):
            reason = explanation.OUT_OF_TIME
        return errors.StageFailed(explanation.Stage.CLAIMS,
                                  counts=count.add(reason))

    def release(self) -> None:
        """Give back every claim this failed request may have made."""
        self._worker.forget(u.consumer for u in self.held)
        while self.held:
            self._releaser.release(
                self.held.pop(), global_request_id=self._global_request_id,
                why='a failed request')
