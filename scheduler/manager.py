"""The scheduling pipeline, top to bottom.

RequestSpec -> admission -> request filters -> Placement candidates ->
host states -> filters -> weighers -> claims -> Selections. Each stage
returns a frozen result or raises StageFailed naming itself; the manager
alone writes the request's explanation from those, and every failure
ends in NoValidHost built from it. Every claim made for a request that
fails is released, whatever the failure was.
"""

from collections.abc import Callable, Iterator, Sequence
import contextlib
import logging
import random
import time
from typing import Any

from oslo_config import cfg
from oslo_utils import timeutils

from scheduler.pipeline import admission
from scheduler.pipeline import alternates
from scheduler.authz import authorization
from scheduler.pipeline import candidates as candidates_mod
from scheduler import decision_record
from scheduler.pipeline import choosing
from scheduler.pipeline import claims as claims_mod
from scheduler import errors
from scheduler import explanation
from scheduler.pipeline import host_gathering
from scheduler.hoststate import source as host_source
from scheduler import metrics as metrics_mod
from scheduler.placement import pending_releases
from scheduler import plugins
from scheduler.pipeline import recent_claims
from scheduler.request_filters import base as request_filter_base
from scheduler.request_filters import runner as request_filter_runner
from scheduler.filters import base as filters_base
from scheduler.neutron import client as neutron_client
from scheduler.numa import consume as numa_consume
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec
from scheduler.objects import selection
from scheduler.placement import client as placement_client
from scheduler.placement import errors as placement_errors
from scheduler.rpc import refusals
from scheduler.weighers import base as weighers_base
from scheduler.weighers import engine as weighers_engine

LOG = logging.getLogger(__name__)


class SchedulerManager:
    def __init__(self, conf: cfg.ConfigOpts, *,
                 placement: placement_client.PlacementClient,
                 hosts: host_source.HostSource,
                 filters: Sequence[filters_base.BaseHostFilter] | None = None,
                 weighers: Sequence[weighers_base.BaseWeigher] | None = None,
                 request_filter_chain: Sequence[
                     request_filter_base.RequestFilter] | None = None,
                 rng: random.Random | None = None,
                 clock: Callable[[], Any] = timeutils.utcnow,
                 metrics: metrics_mod.SchedulerMetrics | None = None,
                 neutron: request_filter_base.NeutronReader | None = None,
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
            else request_filter_runner.default_filters())
        # Attach candidates to every host only when a filter reads them.
        self._attach_candidates = any(
            f.USES_ALLOCATION_CANDIDATES for f in self.filters)
        self._numa_packing = numa_consume.numa_packing(conf)
        # This worker's claims its host data does not count yet, and the
        # hosts Placement refused to it lately.
        self.recent = recent_claims.RecentClaims(
            numa_packing=self._numa_packing)
        self.rng = rng or random.SystemRandom()
        self.clock = clock
        self.chooser = choosing.Chooser(
            conf, filters=self.filters, weighers=self.weighers, rng=self.rng,
            clock=clock, recent=self.recent, numa_packing=self._numa_packing)
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
        run = choosing.Run(
            context,
            # One time budget for every Placement call of this request.
            self.placement.with_deadline(
                self.conf.hardened_scheduler.request_deadline),
            # Every change committed before the request began.
            host_source.fresh_snapshot(self.hosts), recorder,
            weighers_engine.WeighingMemo())
        claims = claims_mod.Claims(run.placement, self.releases,
                                   context.global_id, worker=self.recent,
                                   clock=self.clock)
        try:
            rows = self._schedule(run, spec, instance_uuids, count,
                                  return_alternates, claims)
        except errors.StageFailed as exc:
            claims.release()
            recorder.failed(exc.stage, exc.failure, exc.detail, exc.counts,
                            exc.target)
            raise self._no_valid_host(recorder, started, context) from None
        except (placement_errors.PlacementUnavailable,
                placement_errors.PlacementRequestError) as exc:
            # An answer (or silence) of Placement that no stage expected:
            # still a NoValidHost that says so, never an internal error.
            claims.release()
            recorder.failed(explanation.Stage.PLACEMENT, None, None,
                            _unexpected(exc), None)
            raise self._no_valid_host(recorder, started, context) from None
        except BaseException:
            claims.release()
            self._done(recorder, started, 'error', context)
            raise
        self._done(recorder, started, 'scheduled', context, rows)
        return rows

    def _schedule(self, run: choosing.Run, spec: request_spec.RequestSpec,
                  instance_uuids: Sequence[str] | None, count: int,
                  return_alternates: bool, claims: claims_mod.Claims
                  ) -> list[list[selection.Selection]]:
        """The stages in order; StageFailed when one fails."""
        with _timed(run.recorder, 'admission'):
            admitted = admission.admit(self.authorizer, run.context, spec,
                                       instance_uuids, run.snapshot)
        run.recorder.authorization_drops = tuple(
            d.field for d in admitted.drops)
        spec = admitted.spec
        offer = None
        chooser = self.chooser
        if admitted.rebuild:
            gathered = host_gathering.rebuild_hosts(spec, run.snapshot)
            _record_gathered(run.recorder, gathered)
            picked = chooser.choose(run, spec, gathered.hosts, count, None,
                                    rebuild=True)
        else:
            spec = self._request_filters(run, spec)
            offer = self._offer(run, spec)
            if instance_uuids is None:
                picked = chooser.choose(run, spec, offer.hosts, count, None)
            else:
                picked, offer = chooser.claim_rounds(
                    run, spec, claims, offer, count, instance_uuids,
                    ask=lambda spec: self._offer(run, spec))
        if len(picked.chosen) < count:
            raise _shortfall(run.recorder)
        num_alts = (self.conf.scheduler.max_attempts - 1
                    if return_alternates else 0)
        ordered = picked.ordered
        if len(picked.chosen) > 1 and num_alts:
            # Later instances consumed capacity: order once more.
            ordered = chooser.order(run, spec, ordered,
                                    len(picked.chosen) - 1, admitted.rebuild)
        claimed = offer is not None and instance_uuids is not None
        return alternates.build(
            picked.chosen, ordered, num_alts=num_alts,
            allocation_request_version=(
                offer.version if claimed and offer else None),
            default_az=self.conf.default_availability_zone,
            candidates_of=(offer.candidates_of if claimed and offer
                           else None))

    def _request_filters(self, run: choosing.Run,
                         spec: request_spec.RequestSpec
                         ) -> request_spec.RequestSpec:
        env = request_filter_base.FilterEnv(
            self.conf, run.context, run.snapshot, neutron=self.neutron,
            placement=run.placement)
        try:
            spec, applied = request_filter_runner.process(
                spec, env, self.request_filters)
        except errors.RequestFilterFailed as exc:
            raise errors.StageFailed(
                explanation.Stage.REQUEST_FILTERS, exc.safe_message,
                detail=exc.message) from None
        except placement_errors.QueryError as exc:
            # An impossible flavor/image, reported as candidates.fetch does.
            raise errors.StageFailed(explanation.Stage.REQUEST,
                                     str(exc)) from None
        run.recorder.request_filters.extend(applied)
        return spec

    def _offer(self, run: choosing.Run, spec: request_spec.RequestSpec
               ) -> choosing.Offer:
        """Placement's candidates of now, as hosts this worker sees."""
        with _timed(run.recorder, 'placement'):
            found = candidates_mod.fetch(run.placement, self.conf, spec,
                                         run.snapshot, run.context.global_id)
        run.recorder.placement = found.count
        fetched = time.monotonic()
        gathered = host_gathering.candidate_hosts(
            spec, found, run.snapshot, attach=self._attach_candidates,
            source=self.hosts)
        _record_gathered(run.recorder, gathered)
        return choosing.Offer(self.recent.overlay(gathered.hosts),
                      gathered.candidates_of, fetched, found.version)

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

    def _no_valid_host(self, recorder: explanation.Recorder, started: float,
                       context: context_obj.RequestContext
                       ) -> errors.NoValidHost:
        """A refusal (not authorized, or no host): recorded and answered
        in ``refusals``, as every refusal is."""
        recorder.timed('total', (time.monotonic() - started) * 1000)
        return refusals.no_valid_host(
            recorder.freeze(), context, self.decisions, self.metrics,
            nova_compatible=(
                self.conf.hardened_scheduler.nova_compatible_reasons))


@contextlib.contextmanager
def _timed(recorder: explanation.Recorder, stage: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        recorder.timed(stage, (time.monotonic() - started) * 1000)


def _record_gathered(recorder: explanation.Recorder,
                     gathered: host_gathering.Gathered) -> None:
    for why, n in gathered.losses:
        recorder.lose_hosts(why, n)
    recorder.hosts_found = len(gathered.hosts)
    recorder.unavailable_cells = gathered.unavailable_cells


def _shortfall(recorder: explanation.Recorder) -> errors.StageFailed:
    """Fewer hosts than instances: the claims lost them, or the filters."""
    passed = bool(recorder.filters) and recorder.filters[-1].hosts_out > 0
    return errors.StageFailed(
        explanation.Stage.CLAIMS if recorder.claims.tried and passed
        else explanation.Stage.FILTERS)


def _unexpected(exc: placement_errors.PlacementUnavailable
                | placement_errors.PlacementRequestError
                ) -> explanation.PlacementCount:
    down = isinstance(exc, placement_errors.PlacementUnavailable)
    return explanation.PlacementCount(unreachable=down, failure=(
        f'no answer to {exc.call}' if down else
        f'Placement answered {exc.call} with HTTP {exc.status}'))
