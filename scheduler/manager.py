"""The scheduling pipeline, top to bottom.

RequestSpec -> request filters -> Placement candidates -> host states ->
filters -> weighers -> claims -> Selections. Every failure ends in
NoValidHost built from the request's explanation, and every claim made
for a request that fails is released, whatever the failure was.
"""

from collections.abc import Callable, Mapping, Sequence
import logging
import random
import time
from typing import Any

from oslo_config import cfg
from oslo_utils import timeutils

from scheduler import admission
from scheduler import alternates
from scheduler import authorization
from scheduler import candidates as candidates_mod
from scheduler import decision_record
from scheduler import claims as claims_mod
from scheduler import consumption
from scheduler import errors
from scheduler import explanation
from scheduler import filters as filters_mod
from scheduler import host_gathering
from scheduler import host_ordering
from scheduler import host_source
from scheduler import host_state
from scheduler import metrics as metrics_mod
from scheduler import pending_releases
from scheduler import plugins
from scheduler import redaction
from scheduler import request_filters
from scheduler import weighers as weighers_mod
from scheduler.neutron import client as neutron_client
from scheduler.numa import consume as numa_consume
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec
from scheduler.objects import selection
from scheduler.placement import client as placement_client
from scheduler.placement import errors as placement_errors

LOG = logging.getLogger(__name__)
Chosen = list[tuple[host_state.HostState, Mapping[str, Any] | None]]


class SchedulerManager:
    def __init__(self, conf: cfg.ConfigOpts, *,
                 placement: placement_client.PlacementClient,
                 hosts: host_source.HostSource,
                 filters: Sequence[filters_mod.BaseHostFilter] | None = None,
                 weighers: Sequence[weighers_mod.BaseWeigher] | None = None,
                 request_filter_chain: Sequence[
                     request_filters.RequestFilter] | None = None,
                 rng: random.Random | None = None,
                 clock: Callable[[], Any] = timeutils.utcnow,
                 metrics: metrics_mod.SchedulerMetrics | None = None,
                 neutron: request_filters.NeutronReader | None = None,
                 authorizer: authorization.Authorizer | None = None,
                 decisions: decision_record.DecisionLog | None = None,
                 releases: pending_releases.Releaser | None = None
                 ) -> None:
        self.conf = conf
        self.placement = placement
        # Without the service's journal (embedding, tests): releases that
        # fail are kept in memory and retried only by a started one.
        self.releases = (releases if releases is not None
                         else pending_releases.Releases(conf, placement))
        # Connects on first use: only the network request filters call it.
        self.neutron = (neutron if neutron is not None
                        else neutron_client.NeutronClient(conf))
        self.hosts = hosts
        self.filters = tuple(filters if filters is not None
                             else plugins.load_filters(conf))
        self.weighers = tuple(weighers if weighers is not None
                              else plugins.load_weighers(conf))
        self.request_filters = tuple(
            request_filter_chain if request_filter_chain is not None
            else request_filters.default_filters())
        # Attach candidates to every host only when a filter reads them.
        self._attach_candidates = any(
            f.USES_ALLOCATION_CANDIDATES for f in self.filters)
        self._numa_packing = numa_consume.numa_packing(conf)
        self.rng = rng or random.SystemRandom()
        self.clock = clock
        self.metrics = metrics
        self.authorizer = authorizer or authorization.Authorizer(conf)
        self.decisions = decisions or decision_record.DecisionLog(conf)

    def select_destinations(
            self, context: context_obj.RequestContext,
            spec: request_spec.RequestSpec,
            instance_uuids: Sequence[str] | None = None, *,
            return_alternates: bool = False,
    ) -> list[list[selection.Selection]]:
        """One list per instance: the chosen host, then alternates."""
        count = len(instance_uuids) if instance_uuids else spec.num_instances
        recorder = explanation.Recorder(context.global_id, count)
        started = time.monotonic()
        # One time budget for every Placement call of this request.
        placement = self.placement.with_deadline(
            self.conf.hardened_scheduler.request_deadline)
        # Every change committed before the request began (admission
        # reads it too).
        snapshot = host_source.fresh_snapshot(self.hosts)
        claims: claims_mod.Claims | None = None
        candidates_of: claims_mod.CandidatesOf | None = None
        memo = weighers_mod.WeighingMemo()
        try:
            admitted = admission.admit(self.authorizer, context, spec,
                                       instance_uuids, snapshot, recorder)
            spec, rebuild = admitted.spec, admitted.rebuild
            if rebuild:
                hosts = host_gathering.rebuild_hosts(spec, snapshot,
                                                     recorder)
                version = None
            else:
                spec = self._request_filters(context, spec, snapshot,
                                             recorder, placement)
                found = candidates_mod.fetch(
                    placement, self.conf, spec, snapshot, recorder,
                    context.global_id)
                hosts, candidates_of = host_gathering.candidate_hosts(
                    spec, found, snapshot, recorder,
                    attach=self._attach_candidates, source=self.hosts)
                version = found.version
            num_alts = (self.conf.scheduler.max_attempts - 1
                        if return_alternates else 0)
            if instance_uuids is None or rebuild:
                chosen, ordered, _ = self._choose(
                    spec, hosts, count, None, recorder, rebuild, memo)
            else:
                claims = claims_mod.Claims(
                    placement, self.releases, recorder, context.global_id,
                    version)
                user_id = spec.user_id or context.user_id
                consumed: dict[str, host_state.HostState] = {}
                chosen, ordered, next_spec = self._choose(
                    spec, hosts, count, instance_uuids, recorder, False,
                    memo, claims=claims, user_id=user_id,
                    candidates_of=candidates_of, consumed=consumed)
                if len(chosen) < count and _raced(recorder):
                    chosen, ordered, candidates_of = self._second_round(
                        context, next_spec, snapshot, recorder, memo,
                        claims, placement, chosen, consumed, ordered, count,
                        instance_uuids, user_id, candidates_of)
            if len(chosen) < count:
                recorder.fail(explanation.STAGE_CLAIMS
                              if recorder.claims.tried
                              and recorder.filters
                              and recorder.filters[-1].hosts_out
                              else explanation.STAGE_FILTERS)
                raise errors.StageFailed()
            if len(chosen) > 1 and num_alts:
                # Later instances consumed capacity: order once more.
                ordered = self._sorted(spec, ordered, len(chosen) - 1,
                                       recorder, rebuild, memo)
            result = alternates.build(
                chosen, ordered, num_alts=num_alts,
                allocation_request_version=(
                    version if claims is not None else None),
                default_az=self.conf.default_availability_zone,
                candidates_of=candidates_of if claims is not None else None)
        except errors.StageFailed:
            if claims is not None:
                claims.release()
            raise self._no_valid_host(recorder, started, context) from None
        except (placement_errors.PlacementUnavailable,
                placement_errors.PlacementRequestError) as exc:
            # An answer (or silence) of Placement that no stage expected:
            # still a NoValidHost that says so, never an internal error.
            if claims is not None:
                claims.release()
            down = isinstance(exc, placement_errors.PlacementUnavailable)
            recorder.placement = explanation.PlacementCount(
                unreachable=down, failure=(
                    f'no answer to {exc.call}' if down else
                    f'Placement answered {exc.call} with HTTP {exc.status}'))
            recorder.fail(explanation.STAGE_PLACEMENT)
            raise self._no_valid_host(recorder, started, context) from None
        except BaseException:
            if claims is not None:
                claims.release()
            self._done(recorder, started, 'error', context)
            raise
        recorder.instances_placed = len(chosen)
        self._done(recorder, started, 'scheduled', context, result)
        return result

    def _second_round(
            self, context: context_obj.RequestContext,
            spec: request_spec.RequestSpec,
            snapshot: host_source.HostSnapshot,
            recorder: explanation.Recorder, memo: weighers_mod.WeighingMemo,
            claims: claims_mod.Claims,
            placement: placement_client.PlacementClient, chosen: Chosen,
            consumed: dict[str, host_state.HostState],
            ordered: list[host_state.HostState], count: int,
            instance_uuids: Sequence[str], user_id: str | None,
            first_candidates: claims_mod.CandidatesOf | None
    ) -> tuple[Chosen, list[host_state.HostState],
               claims_mod.CandidatesOf | None]:
        """Go on with Placement's answer of now, once, after a race.

        Concurrent requests took capacity we were offered, or held some
        that they have given back since: the candidates of the first query
        are stale, Placement's answer of now is not (the claims this
        request holds are already counted in it). The hosts chosen so far
        keep their claims; the others are tried on fresh candidates.
        """
        recorder.second_query = True
        try:
            found = candidates_mod.fetch(placement, self.conf, spec,
                                         snapshot, recorder,
                                         context.global_id)
            hosts, candidates_of = host_gathering.candidate_hosts(
                spec, found, snapshot, recorder,
                attach=self._attach_candidates, source=self.hosts)
        except errors.StageFailed:
            # Nothing more to be had: the first round's outcome explains
            # the request (the claims it lost to concurrent requests).
            recorder.clear_failure()
            return chosen, ordered, first_candidates
        # Hosts this request consumed keep what it consumed there.
        hosts = [consumed.get(h.uuid, h) for h in hosts]
        assert candidates_of is not None
        chosen, ordered, _ = self._choose(
            spec, hosts, count, instance_uuids, recorder, False, memo,
            claims=claims, user_id=user_id, candidates_of=candidates_of,
            chosen=chosen, consumed=consumed)
        return chosen, ordered, candidates_of

    def _done(self, recorder: explanation.Recorder, started: float,
              result: str, context: context_obj.RequestContext,
              rows: Sequence[Sequence[selection.Selection]] = ()
              ) -> explanation.Explanation:
        """Metrics and the one decision record of the request."""
        recorder.timed('total', (time.monotonic() - started) * 1000)
        expl = recorder.freeze()
        if self.metrics is not None:
            self.metrics.observe_decision(expl, result)
        self.decisions.record(expl, context, result, rows)
        return expl

    def _request_filters(self, context: context_obj.RequestContext,
                         spec: request_spec.RequestSpec,
                         snapshot: host_source.HostSnapshot,
                         recorder: explanation.Recorder,
                         placement: placement_client.PlacementClient
                         ) -> request_spec.RequestSpec:
        env = request_filters.FilterEnv(
            self.conf, context, snapshot, neutron=self.neutron,
            placement=placement)
        try:
            spec, applied = request_filters.process(
                spec, env, self.request_filters)
        except errors.RequestFilterFailed as exc:
            recorder.fail(explanation.STAGE_REQUEST_FILTERS,
                          exc.safe_message, detail=exc.message)
            raise errors.StageFailed() from None
        except placement_errors.QueryError as exc:
            # An impossible flavor/image, reported as candidates.fetch does.
            recorder.fail(explanation.STAGE_REQUEST, str(exc))
            raise errors.StageFailed() from None
        recorder.request_filters.extend(applied)
        return spec

    def _sorted(self, spec: request_spec.RequestSpec,
                hosts: Sequence[host_state.HostState], index: int,
                recorder: explanation.Recorder, rebuild: bool,
                memo: weighers_mod.WeighingMemo
                ) -> list[host_state.HostState]:
        return host_ordering.sorted_hosts(
            hosts, spec, index, filters=self.filters,
            weighers=self.weighers, conf=self.conf, rng=self.rng,
            recorder=recorder, is_rebuild=rebuild, memo=memo)

    def _choose(self, spec: request_spec.RequestSpec,
                hosts: list[host_state.HostState], count: int,
                instance_uuids: Sequence[str] | None,
                recorder: explanation.Recorder, rebuild: bool,
                memo: weighers_mod.WeighingMemo, *,
                claims: claims_mod.Claims | None = None,
                user_id: str | None = None,
                candidates_of: claims_mod.CandidatesOf | None = None,
                chosen: Chosen | None = None,
                consumed: dict[str, host_state.HostState] | None = None
                ) -> tuple[Chosen, list[host_state.HostState],
                           request_spec.RequestSpec]:
        """Pick (and claim, when asked to) a host for each instance.

        ``chosen``: hosts already chosen for the first instances (a second
        round goes on from there); ``consumed`` collects each chosen host
        as this request consumed it. Returns the chosen hosts, the hosts in
        their last order and the request as the next instance would see
        it.
        """
        chosen = list(chosen or [])
        ordered = hosts
        for index in range(len(chosen), count):
            uuid = instance_uuids[index] if instance_uuids else None
            if uuid is not None:
                spec = spec.replace(instance_uuid=uuid)
            ordered = self._sorted(spec, ordered, index, recorder, rebuild,
                                   memo)
            if LOG.isEnabledFor(logging.DEBUG):
                # Bounded: the first debug_top_hosts, then a count.
                LOG.debug('Request %s, instance %d: %s', recorder.request_id,
                          index + 1, redaction.TopHosts.of(
                              ((h.host, h.nodename, None) for h in ordered),
                              self.conf.hardened_scheduler.debug_top_hosts))
            if not ordered:
                break
            if claims is not None and uuid is not None:
                assert candidates_of is not None
                claimed = claims.claim_first(ordered, spec, uuid, user_id,
                                             candidates_of)
                if claimed is None:
                    break
                host, alloc_req = claimed
                spec = consumption.with_provider_mappings(spec, alloc_req)
            else:
                host, alloc_req = ordered[0], None
            chosen.append((host, alloc_req))
            recorder.instances_placed = len(chosen)
            spec, ordered = consumption.consume(
                spec, ordered, host, self.clock(),
                numa_packing=self._numa_packing)
            if consumed is not None:
                consumed.update((h.uuid, h) for h in ordered
                                if h.uuid == host.uuid)
        return chosen, ordered, spec

    def _no_valid_host(self, recorder: explanation.Recorder, started: float,
                       context: context_obj.RequestContext
                       ) -> errors.NoValidHost:
        result = ('denied'
                  if recorder.failed_stage == explanation.STAGE_AUTHORIZATION
                  else 'no_valid_host')
        expl = self._done(recorder, started, result, context)
        return errors.NoValidHost(
            expl, self.conf.hardened_scheduler.nova_compatible_reasons)


def _raced(recorder: explanation.Recorder) -> bool:
    """Whether a shortfall may be a race with concurrent requests.

    Placement refused a claim on a host our filters passed: its capacity
    was taken since the candidates were read, so they are stale. Only once
    per request (the second round is recorded).
    """
    c = recorder.claims
    return not recorder.second_query and bool(c.capacity or c.conflict)
