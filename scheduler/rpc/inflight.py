"""Requests being handled, so that a shutdown can drain them.

Every dispatched message runs inside ``InFlight.track``. A graceful stop
waits for the tracked requests to finish; past its bound it aborts the
rest: an aborted request fails at its next Placement call (so the
manager releases what it claimed) and a request still running after that
has the claims it made released for it. ``GuardedPlacement`` is the
Placement client as the requests see it: it refuses calls of aborted
requests and records which consumers each request holds claims for.

A request whose endpoint returned (the dispatcher then ``settle``-s its
ticket) is never aborted and its claims are never released: they belong
to the caller's reply.
"""

from collections.abc import Iterator, Mapping
import contextlib
import dataclasses
import logging
import threading
import time
from typing import Any

from scheduler.placement import pending_releases
from scheduler import redaction
from scheduler.placement import client as placement_client
from scheduler.placement import query as query_mod
from scheduler.placement import results

LOG = logging.getLogger(__name__)


class Aborted(Exception):
    """The service is stopping and gave up on this request."""


class Closed(Aborted):
    """The service is stopping: a request that had not begun is refused."""


@dataclasses.dataclass(eq=False)
class Ticket:
    method: str
    request_id: str
    global_request_id: str | None = None
    aborted: bool = False
    settled: bool = False
    # Claims this request may hold and has not released, by consumer.
    claimed: dict[str, results.ClaimUndo] = dataclasses.field(
        default_factory=dict)


class InFlight:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._tickets: set[Ticket] = set()
        self._closed = False
        self._local = threading.local()

    @contextlib.contextmanager
    def track(self, method: str, request_id: str,
              global_request_id: str | None = None) -> Iterator[Ticket]:
        """Run one request as tracked; refused once the service closed."""
        ticket = Ticket(method, request_id, global_request_id)
        with self._lock:
            if self._closed:
                raise Closed()
            self._tickets.add(ticket)
        self._local.ticket = ticket
        try:
            yield ticket
        finally:
            self._local.ticket = None
            with self._lock:
                self._tickets.discard(ticket)
                self._changed.notify_all()

    def current(self) -> Ticket | None:
        """The ticket of the request running in this thread."""
        ticket: Ticket | None = getattr(self._local, 'ticket', None)
        return ticket

    def settle(self, ticket: Ticket) -> tuple[results.ClaimUndo, ...]:
        """``ticket``'s request has its reply: its claims are kept, never
        aborted nor released; returns them."""
        with self._lock:
            ticket.settled = True
            return tuple(ticket.claimed.values())

    def count(self) -> int:
        with self._lock:
            return len(self._tickets)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is in flight; False if time ran out."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            while self._tickets:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def abort(self) -> list[Ticket]:
        """Refuse new requests and abort the unsettled ones in flight."""
        with self._lock:
            self._closed = True
            aborted = [t for t in self._tickets if not t.settled]
            for ticket in aborted:
                ticket.aborted = True
            return aborted

    def unreleased(self) -> list[tuple[Ticket, results.ClaimUndo]]:
        """Claims that aborted requests still hold."""
        with self._lock:
            return [(t, t.claimed[consumer]) for t in self._tickets
                    if t.aborted and not t.settled
                    for consumer in sorted(t.claimed)]

    def check(self) -> Ticket | None:
        """This thread's ticket; raises Aborted if it was aborted."""
        ticket = self.current()
        if ticket is not None and ticket.aborted:
            raise Aborted()
        return ticket

    def record_claim(self, ticket: Ticket, undo: results.ClaimUndo) -> bool:
        """Record a claim; True when the request was aborted meanwhile."""
        with self._lock:
            ticket.claimed[undo.consumer] = undo
            return ticket.aborted

    def record_release(self, ticket: Ticket | None, consumer: str) -> None:
        if ticket is not None:
            with self._lock:
                ticket.claimed.pop(consumer, None)


class GuardedPlacement:
    """Delegates to a PlacementClient on behalf of tracked requests.

    Releases always go through, aborted or not.
    """

    def __init__(self, client: placement_client.PlacementClient,
                 inflight: InFlight) -> None:
        self._client = client
        self._inflight = inflight
        # Set by the service (its journal is built over this guard): a
        # claim given back here that Placement does not take is journaled.
        self.releaser: pending_releases.Releaser | None = None

    def with_deadline(self, seconds: float | None) -> 'GuardedPlacement':
        """The same guard over a client bounded by a request deadline."""
        bounded = GuardedPlacement(self._client.with_deadline(seconds),
                                   self._inflight)
        bounded.releaser = self.releaser
        return bounded

    def deadline_passed(self) -> bool:
        return self._client.deadline_passed()

    def get_allocation_candidates(
            self, query: query_mod.PlacementQuery,
            global_request_id: str | None = None) -> results.CandidateSet:
        self._inflight.check()
        return self._client.get_allocation_candidates(
            query, global_request_id=global_request_id)

    def get_consumer_allocations(
            self, consumer_uuid: str,
            global_request_id: str | None = None,
    ) -> results.ConsumerAllocations:
        self._inflight.check()
        return self._client.get_consumer_allocations(
            consumer_uuid, global_request_id=global_request_id)

    def get_provider_aggregates(
            self, rp_uuid: str,
            global_request_id: str | None = None) -> frozenset[str]:
        self._inflight.check()
        return self._client.get_provider_aggregates(
            rp_uuid, global_request_id=global_request_id)

    def claim(self, consumer_uuid: str,
              allocation_request: Mapping[str, Any],
              project_id: str | None, user_id: str | None,
              allocation_request_version: str = (
                  placement_client.CANDIDATES_VERSION),
              global_request_id: str | None = None) -> results.ClaimOutcome:
        ticket = self._inflight.check()
        outcome = self._client.claim(
            consumer_uuid, allocation_request, project_id, user_id,
            allocation_request_version=allocation_request_version,
            global_request_id=global_request_id)
        if (outcome.undo is not None and ticket is not None
                and self._inflight.record_claim(ticket, outcome.undo)):
            # Aborted while the claim was on its way: the manager never
            # learns of this claim, so give it back here.
            if self.releaser is not None:
                self.releaser.release(outcome.undo,
                                      global_request_id=global_request_id,
                                      why='its request was aborted')
            else:
                self.release(outcome.undo, global_request_id)
            raise Aborted()
        return outcome

    def release(self, undo: results.ClaimUndo,
                global_request_id: str | None = None) -> str:
        outcome = self._client.release(
            undo, global_request_id=global_request_id)
        self._inflight.record_release(self._inflight.current(),
                                      undo.consumer)
        return outcome

    def release_unfinished(self, releaser: pending_releases.Releaser) -> int:
        """Release what aborted requests still hold; how many are pending.
        """
        pending = 0
        for ticket, undo in self._inflight.unreleased():
            LOG.warning('Releasing the claim for consumer %(consumer)s of '
                        'request %(req)s, aborted by the shutdown',
                        {'consumer': redaction.instance(undo.consumer),
                         'req': ticket.request_id})
            if releaser.release(undo,
                                global_request_id=ticket.global_request_id,
                                why='its request was aborted'):
                self._inflight.record_release(ticket, undo.consumer)
            else:
                pending += 1
        return pending

