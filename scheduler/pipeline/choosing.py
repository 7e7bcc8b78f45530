"""Choosing a host for each instance of a request, and claiming it.

For each instance in turn: order the hosts (``host_ordering``), claim the
first one Placement accepts (``claims``), and consume it so the next
instances see what this one took (``consumption``). When claims keep
being lost to concurrent requests, Placement is asked again and the
remaining instances go on with its answer of now. What each step returns
is written into the request's explanation here, as the manager does
with the other stages.
"""

from collections.abc import Callable, Mapping, Sequence
import dataclasses
import logging
import random
from typing import Any

from oslo_config import cfg

from scheduler.pipeline import claims as claims_mod
from scheduler.pipeline import consumption
from scheduler import errors
from scheduler import explanation
from scheduler.pipeline import host_ordering
from scheduler.hoststate import source as host_source
from scheduler.hoststate import host_state
from scheduler.pipeline import recent_claims
from scheduler import redaction
from scheduler.filters import base as filters_base
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec
from scheduler.placement import client as placement_client
from scheduler.weighers import base as weighers_base
from scheduler.weighers import engine as weighers_engine

LOG = logging.getLogger('scheduler.manager')
Chosen = list[tuple[host_state.HostState, Mapping[str, Any] | None]]


@dataclasses.dataclass(frozen=True, slots=True)
class Offer:
    """The hosts of one Placement answer, as this worker sees them."""

    hosts: list[host_state.HostState]
    candidates_of: claims_mod.CandidatesOf
    # When the answer came (monotonic): later refusals make hosts stale.
    fetched: float
    version: str
    # Whether Placement may be asked again when claims keep being refused.
    last: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class Picked:
    """Hosts chosen so far, the hosts in their last order, the request as
    the next instance sees it, and whether asking Placement again may find
    room (claims were refused or hosts skipped as taken)."""

    chosen: Chosen
    ordered: list[host_state.HostState]
    spec: request_spec.RequestSpec
    stale: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Run:
    """What every stage of one request shares."""

    context: context_obj.RequestContext
    # Bounded by the request's deadline.
    placement: placement_client.PlacementClient
    snapshot: host_source.HostSnapshot
    recorder: explanation.Recorder
    memo: weighers_engine.WeighingMemo


class Chooser:
    """Chooses hosts with this worker's filters, weighers and memory."""

    def __init__(self, conf: cfg.ConfigOpts, *,
                 filters: Sequence[filters_base.BaseHostFilter],
                 weighers: Sequence[weighers_base.BaseWeigher],
                 rng: random.Random, clock: Callable[[], Any],
                 recent: recent_claims.RecentClaims,
                 numa_packing: bool) -> None:
        self.conf = conf
        self.filters = filters
        self.weighers = weighers
        self.rng = rng
        self.clock = clock
        self.recent = recent
        self._numa_packing = numa_packing

    def claim_rounds(
            self, run: Run, spec: request_spec.RequestSpec,
            claims: claims_mod.Claims, offer: Offer, count: int,
            instance_uuids: Sequence[str],
            ask: Callable[[request_spec.RequestSpec], Offer]
    ) -> tuple[Picked, Offer]:
        """Choose and claim, asking Placement again while claims are lost.

        Concurrent requests take capacity we were offered (or hold some
        they give back later): once claims keep being refused, the rest of
        the list is stale and Placement's answer of now is not (the claims
        this request holds are already counted in it). The hosts chosen
        so far keep their claims; the others are tried on fresh
        candidates, up to [hardened_scheduler] max_candidate_queries.
        ``ask`` asks Placement again for the request as it stands.
        """
        recorder = run.recorder
        consumed: dict[str, host_state.HostState] = {}
        limit = self.conf.hardened_scheduler.max_candidate_queries

        def last(requeries: int) -> bool:
            return (requeries + 1 >= limit
                    or run.placement.deadline_passed())

        offer = dataclasses.replace(offer, last=last(0))
        picked = self.choose(run, spec, offer.hosts, count, instance_uuids,
                             claims=claims, offer=offer, consumed=consumed)
        while (len(picked.chosen) < count and picked.stale
               and not last(recorder.requeries)):
            recorder.requeries += 1
            try:
                offer = ask(picked.spec)
            except errors.StageFailed:
                # Nothing more to be had: the claims lost to concurrent
                # requests explain the request.
                break
            # Hosts this request consumed keep what it consumed there.
            offer = dataclasses.replace(
                offer, hosts=[consumed.get(h.uuid, h) for h in offer.hosts],
                last=last(recorder.requeries))
            picked = self.choose(
                run, picked.spec, offer.hosts, count, instance_uuids,
                claims=claims, offer=offer, chosen=picked.chosen,
                consumed=consumed)
        return picked, offer

    def choose(self, run: Run, spec: request_spec.RequestSpec,
               hosts: list[host_state.HostState], count: int,
               instance_uuids: Sequence[str] | None, *,
               rebuild: bool = False,
               claims: claims_mod.Claims | None = None,
               offer: Offer | None = None,
               chosen: Chosen | None = None,
               consumed: dict[str, host_state.HostState] | None = None
               ) -> Picked:
        """Pick (and claim, with ``claims``) a host for each instance.

        ``chosen``: hosts already chosen for the first instances (a later
        round goes on from there); ``consumed`` collects each chosen host
        as this request consumed it.
        """
        chosen = list(chosen or [])
        ordered = hosts
        for index in range(len(chosen), count):
            uuid = instance_uuids[index] if instance_uuids else None
            if uuid is not None:
                spec = spec.replace(instance_uuid=uuid)
            ordered = self.order(run, spec, ordered, index, rebuild)
            if not ordered:
                break
            host, alloc_req = ordered[0], None
            if claims is not None and offer is not None and uuid:
                attempt = self._claim(run, spec, ordered, uuid, claims,
                                      offer)
                if attempt.host is None or attempt.spec is None:
                    return Picked(chosen, ordered, spec, attempt.stale)
                host, alloc_req = attempt.host, attempt.allocation_request
                spec = attempt.spec
            chosen.append((host, alloc_req))
            run.recorder.instances_placed = len(chosen)
            spec, ordered = consumption.consume(
                spec, ordered, host, self.clock(),
                numa_packing=self._numa_packing)
            if consumed is not None:
                consumed.update((h.uuid, h) for h in ordered
                                if h.uuid == host.uuid)
        return Picked(chosen, ordered, spec)

    def _claim(self, run: Run, spec: request_spec.RequestSpec,
               ordered: list[host_state.HostState], uuid: str,
               claims: claims_mod.Claims, offer: Offer
               ) -> claims_mod.Attempt:
        attempt = claims.claim_first(
            ordered, spec, uuid, spec.user_id or run.context.user_id,
            offer.candidates_of, offer.version,
            # The last answer is tried in full, as nova does.
            fetched=None if offer.last else offer.fetched,
            give_up_after=None if offer.last else (
                self.conf.hardened_scheduler.claim_refusals_before_requery))
        run.recorder.claims = run.recorder.claims.plus(attempt.claims)
        return attempt

    def order(self, run: Run, spec: request_spec.RequestSpec,
              hosts: Sequence[host_state.HostState], index: int,
              rebuild: bool) -> list[host_state.HostState]:
        """The hosts for instance ``index``, best first (recorded)."""
        ordered = host_ordering.sorted_hosts(
            hosts, spec, index, filters=self.filters,
            weighers=self.weighers, conf=self.conf, rng=self.rng,
            is_rebuild=rebuild, memo=run.memo)
        recorder = run.recorder
        recorder.filters = ordered.counts
        for name, ms in ordered.filter_ms:
            recorder.timed_filter(name, ms)
        recorder.timed('filters', ordered.filters_ms)
        if ordered.weighers_ms is not None:
            recorder.timed('weighers', ordered.weighers_ms)
        if LOG.isEnabledFor(logging.DEBUG):
            # Bounded: the first debug_top_hosts, then a count.
            LOG.debug('Request %s, instance %d: %s', recorder.request_id,
                      index + 1, redaction.TopHosts.of(
                          ((h.host, h.nodename, None) for h in ordered.hosts),
                          self.conf.hardened_scheduler.debug_top_hosts))
        return ordered.hosts

