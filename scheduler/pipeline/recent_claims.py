"""What this worker claimed, and saw refused, since its data was read.

Two things go stale between reading and claiming. Host states come from
nova's compute_nodes rows, which count an instance only once its compute
reports: until then every request of this worker would weigh a host it
just filled as empty and chase it again (nova's HostManager consumes the
chosen host in memory for the same reason). And an allocation-candidates
answer lists hosts whose capacity another request, in this worker or
another, may have claimed since: a host Placement refused once for a
lack of capacity will refuse the next request that read the same answer.

``RecentClaims`` remembers both, per worker, for a short while: claims
are laid over the host states until the compute's row is newer than the
claim (as nova keeps its consumed HostState until then), and refusals
let requests that read their candidates before the refusal skip that
host. A claim of a request that fails is forgotten when it is released.
"""

from collections.abc import Callable, Iterable, Sequence
import dataclasses
import datetime
import threading
import time

from oslo_utils import timeutils

from scheduler.pipeline import consumption
from scheduler.hoststate import host_state
from scheduler.objects import request_spec

# Long enough for a compute to report a build; a bound, not a schedule:
# a claim stops counting as soon as its host's row is newer.
CLAIM_SECONDS = 300.0
# A refusal matters to requests whose candidates are older than it: those
# are seconds old at most (the request deadline bounds them).
REFUSAL_SECONDS = 60.0
# Bounded memory whatever the rate of requests.
MAX_CLAIMS = 10_000
MAX_REFUSALS = 10_000


@dataclasses.dataclass(frozen=True, slots=True)
class _Claim:
    instance_uuid: str
    host_uuid: str
    # The request as this instance was claimed with it.
    spec: request_spec.RequestSpec
    # When (naive UTC), on the clock compute nodes' updated_at is
    # compared with.
    at: datetime.datetime
    # When, on the monotonic clock (for expiry).
    since: float


class RecentClaims:
    def __init__(self, *, numa_packing: bool,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._numa_packing = numa_packing
        self._monotonic = monotonic
        self._lock = threading.Lock()
        # instance uuid -> claim, oldest first.
        self._claims: dict[str, _Claim] = {}
        # host uuid -> its claims, oldest first.
        self._by_host: dict[str, tuple[_Claim, ...]] = {}
        # host uuid -> (the host state the claims were laid over, the
        # claims laid, the result): a host of the shared snapshot is laid
        # over once, not once per request.
        self._laid: dict[str, tuple[host_state.HostState,
                                    tuple[_Claim, ...],
                                    host_state.HostState]] = {}
        # host uuid -> monotonic time of its last refusal, oldest first.
        self._refusals: dict[str, float] = {}

    def claimed(self, uuid: str, host_uuid: str,
                spec: request_spec.RequestSpec,
                at: datetime.datetime) -> None:
        """Instance ``uuid`` of ``spec`` was claimed on the host at ``at``.
        """
        claim = _Claim(uuid, host_uuid, spec.replace(instance_uuid=uuid),
                       timeutils.normalize_time(at), self._monotonic())
        with self._lock:
            self._drop(uuid)
            self._claims[uuid] = claim
            self._by_host[host_uuid] = (
                self._by_host.get(host_uuid, ()) + (claim,))
            while len(self._claims) > MAX_CLAIMS:
                self._drop(next(iter(self._claims)))

    def forget(self, instance_uuids: Iterable[str]) -> None:
        """The claims of these instances were given back."""
        with self._lock:
            for uuid in instance_uuids:
                self._drop(uuid)

    def refused(self, host_uuid: str) -> None:
        """Placement refused a claim on the host for lack of capacity."""
        with self._lock:
            self._refusals.pop(host_uuid, None)
            self._refusals[host_uuid] = self._monotonic()
            while len(self._refusals) > MAX_REFUSALS:
                del self._refusals[next(iter(self._refusals))]

    def refused_after(self, host_uuid: str, since: float) -> bool:
        """Whether the host was refused after ``since`` (monotonic)."""
        with self._lock:
            at = self._refusals.get(host_uuid)
            return at is not None and at > since and (
                self._monotonic() - at <= REFUSAL_SECONDS)

    def overlay(self, hosts: Sequence[host_state.HostState]
                ) -> list[host_state.HostState]:
        """``hosts`` with this worker's claims their rows do not count yet.
        """
        with self._lock:
            self._expire()
            if not self._by_host:
                return list(hosts)
            by_host = self._by_host
            pending = [(i, host, by_host[host.uuid])
                       for i, host in enumerate(hosts)
                       if host.uuid in by_host]
        out = list(hosts)
        for i, host, claims in pending:
            out[i] = self._laid_over(host, claims)
        return out

    def _laid_over(self, host: host_state.HostState,
                   claims: tuple[_Claim, ...]) -> host_state.HostState:
        base, laid, result = self._laid.get(host.uuid, (None, (), host))
        if base is host and laid is claims:
            # Laid over this very host state with these very claims: what
            # follows would decide the same.
            return result
        updated = (None if host.updated is None
                   else timeutils.normalize_time(host.updated))
        if updated is not None and updated >= claims[-1].at:
            # The compute reported after the last claim: its row counts
            # the instances (or their failures) already.
            self.forget(c.instance_uuid for c in claims
                        if c.at <= updated)
            return host
        if base is not host or laid != claims[:len(laid)]:
            laid, result = (), host
        for claim in claims[len(laid):]:
            if updated is not None and updated >= claim.at:
                continue
            result = consumption.consume_host(
                result, claim.spec, claim.at,
                numa_packing=self._numa_packing)
            # consume_host() marks the host updated; what decides for the
            # next claim is the row's own time.
            result = dataclasses.replace(result, updated=host.updated)
        with self._lock:
            if self._by_host.get(host.uuid) == claims:
                self._laid[host.uuid] = (host, claims, result)
        return result

    def _drop(self, uuid: str) -> None:
        """Forget one claim (the lock is held)."""
        claim = self._claims.pop(uuid, None)
        if claim is None:
            return
        left = tuple(c for c in self._by_host.get(claim.host_uuid, ())
                     if c.instance_uuid != uuid)
        if left:
            self._by_host[claim.host_uuid] = left
        else:
            self._by_host.pop(claim.host_uuid, None)
        self._laid.pop(claim.host_uuid, None)

    def _expire(self) -> None:
        now = self._monotonic()
        claims, refusals = self._claims, self._refusals
        while claims:
            first = next(iter(claims.values()))
            if now - first.since <= CLAIM_SECONDS:
                break
            self._drop(first.instance_uuid)
        while refusals:
            host, at = next(iter(refusals.items()))
            if now - at <= REFUSAL_SECONDS:
                break
            del refusals[host]
