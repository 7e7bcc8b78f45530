"""The scheduler's calls to the Placement API.

The same five calls, microversions and claim semantics as nova 34's
SchedulerReportClient, with the failures typed instead of folded into
None/False: an unreachable Placement is not "no candidates". How a call
is sent, retried and bounded in time is ``http.Exchanges``; here is what
each call asks and how its answer is read. Nothing logged or raised here
carries a token or an endpoint URL.
"""

from collections.abc import Callable, Mapping
import copy
import functools
import random
import time
from typing import Any, TypeVar

from oslo_config import cfg
from oslo_log import log as logging

from scheduler import redaction
from scheduler.placement import candidates_body
from scheduler.placement import claim_payload as claims
from scheduler.placement import errors
from scheduler.placement import http
from scheduler.placement import query as query_mod
from scheduler.placement import results

LOG = logging.getLogger(__name__)

CANDIDATES_VERSION = '1.36'  # same_subtree; claims are PUT at it too
CONSUMER_GENERATION_VERSION = claims.CONSUMER_GENERATION_VERSION
AGGREGATES_VERSION = '1.19'
# A provider uuid that never exists: probe() lists it to test credentials.
PROBE_UUID = '00000000-0000-0000-0000-000000000000'
CONCURRENT_UPDATE = 'placement.concurrent_update'
# What release() found: the claim was given back; the consumer held
# nothing (already released); it held something else (not ours any more).
RELEASE_RELEASED = 'released'
RELEASE_ABSENT = 'absent'
RELEASE_CHANGED = 'changed'
# Resource-provider generation races are Placement-internal: a short,
# jittered wait (seconds, times the attempt number) is enough.
CONFLICT_WAIT = 0.25
T = TypeVar('T')


def _hardened_option(conf: cfg.ConfigOpts | None, name: str,
                     default: T) -> T:
    """An option of [hardened_scheduler], or ``default`` if not there."""
    group = (getattr(conf, 'hardened_scheduler', None)
             if conf is not None else None)
    value = getattr(group, name, None) if group is not None else None
    return default if value is None else value


class PlacementClient:
    """Calls to Placement with service credentials from [placement].

    Build it from a ConfigOpts, or hand it a ready ``adapter`` (tests,
    embedding). ``sleep``, ``clock`` and ``rng`` are injectable so retries
    can be tested without waiting.
    """

    def __init__(self, conf: cfg.ConfigOpts | None = None, *,
                 adapter: http.HTTPAdapter | None = None,
                 retry_attempts: int | None = None,
                 retry_max_seconds: float | None = None,
                 claim_conflict_retries: int | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None,
                 observer: http.Observer | None = None) -> None:
        if adapter is None:
            if conf is None:
                raise TypeError('PlacementClient needs conf or an adapter')
            adapter = http.adapter_from_conf(conf)
        self._http = http.Exchanges(
            adapter,
            attempts=max(1, retry_attempts if retry_attempts is not None
                         else _hardened_option(
                             conf, 'placement_retry_attempts', 3)),
            max_seconds=float(
                retry_max_seconds if retry_max_seconds is not None
                else _hardened_option(
                    conf, 'placement_retry_max_seconds', 10.0)),
            sleep=sleep, clock=clock,
            # Jitter only, never security relevant.
            rng=rng or random.Random(),  # noqa: S311
            observer=observer)
        self._conflict_retries = max(0, (
            claim_conflict_retries if claim_conflict_retries is not None
            else _hardened_option(conf, 'claim_conflict_retries', 3)))

    def with_deadline(self, seconds: float | None) -> 'PlacementClient':
        """This client, with every call ending ``seconds`` from now.

        One budget for all the calls of one request (retries included):
        past it, a call raises PlacementUnavailable at once. None: no
        budget. The copy shares the connection pool.
        """
        bounded = copy.copy(self)
        bounded._http = self._http.with_deadline(seconds)
        return bounded

    def deadline_passed(self) -> bool:
        """Whether this client's request budget (with_deadline) is spent.
        """
        return self._http.deadline_passed()

    def _conflict_wait(self, attempt: int) -> None:
        """Before another attempt after a generation conflict."""
        if attempt:
            self._http.sleep(
                self._http.rng.uniform(0, CONFLICT_WAIT * attempt))

    # -- calls -----------------------------------------------------------

    def get_allocation_candidates(
            self, query: query_mod.PlacementQuery,
            global_request_id: str | None = None) -> results.CandidateSet:
        call = 'GET /allocation_candidates'
        path = '/allocation_candidates?' + query.to_querystring()
        resp = self._http.retrying(call, lambda: self._http.send(
            'GET', path, call, global_request_id=global_request_id,
            microversion=CANDIDATES_VERSION))
        if resp.status_code != 200:
            raise http.unexpected(call, resp)
        try:
            body = candidates_body.decode(resp.content)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            LOG.warning('Placement %(call)s answered a malformed body: '
                        '%(why)s [%(req)s]', {'call': call, 'why': exc,
                                              'req': http.request_id(resp)})
            raise errors.PlacementRequestError(
                call, resp.status_code, None, 'malformed body') from None
        return results.CandidateSet(
            allocation_requests=body.requests,
            provider_summaries=body.summaries,
            version=CANDIDATES_VERSION, limit=query.limit,
            allocations=body.allocations)

    def _read_consumer(self, consumer_uuid: str,
                       global_request_id: str | None) -> (
            results.ConsumerAllocations):
        """One GET /allocations attempt (5xx/transport: http.Transient)."""
        call = 'GET /allocations'
        resp = self._http.send(
            'GET', f'/allocations/{consumer_uuid}', call,
            global_request_id=global_request_id,
            microversion=CONSUMER_GENERATION_VERSION)
        if resp.status_code != 200:
            raise http.unexpected(call, resp)
        try:
            data = resp.json()
            return results.ConsumerAllocations(
                allocations=data.get('allocations') or {},
                consumer_generation=data.get('consumer_generation'),
                project_id=data.get('project_id'),
                user_id=data.get('user_id'))
        except (ValueError, AttributeError):
            raise errors.PlacementRequestError(
                call, resp.status_code, None, 'malformed body') from None

    def get_consumer_allocations(
            self, consumer_uuid: str,
            global_request_id: str | None = None) -> (
            results.ConsumerAllocations):
        return self._http.retrying(
            'GET /allocations',
            lambda: self._read_consumer(consumer_uuid, global_request_id))

    def _put_claim(self, consumer_uuid: str, payload: Mapping[str, Any],
                   version: str, global_request_id: str | None,
                   sent: list[bool]) -> http.Response | None:
        """PUT the claim; None when a lost answer turns out to have landed.

        After a transport failure or 5xx we cannot know whether the PUT was
        applied, so the consumer is read again first: our allocations are
        there -> done; untouched -> PUT again; changed by someone else ->
        consumer generation conflict. ``sent[0]`` becomes True once a PUT
        went out: from then on the claim may be in Placement.
        """
        call = 'PUT /allocations'

        def attempt() -> http.Response | None:
            if sent[0]:
                now = self._read_consumer(consumer_uuid, global_request_id)
                if claims.same_allocations(
                        now.allocations, payload['allocations']):
                    return None
                if now.consumer_generation != payload.get(
                        'consumer_generation'):
                    raise errors.ConsumerGenerationConflict(
                        consumer_uuid, 'the consumer changed while our '
                        'claim had no answer')
            sent[0] = True
            return self._http.send(
                'PUT', f'/allocations/{consumer_uuid}', call,
                global_request_id=global_request_id, microversion=version,
                body=payload)
        return self._http.retrying(call, attempt)

    def claim(self, consumer_uuid: str,
              allocation_request: Mapping[str, Any],
              project_id: str | None, user_id: str | None,
              allocation_request_version: str = CANDIDATES_VERSION,
              global_request_id: str | None = None) -> results.ClaimOutcome:
        """Claim ``allocation_request`` for the consumer (nova's
        claim_resources).

        A missing project or user is sent as is, as nova does; Placement
        then refuses the claim ('capacity'). The outcome carries an undo
        whenever the claim may be in Placement, including a PUT whose
        answer never came.

        :raises ConsumerGenerationConflict: the consumer changed under us.
        """
        undo: results.ClaimUndo | None = None
        sent = [False]
        try:
            for attempt in range(self._conflict_retries + 1):
                self._conflict_wait(attempt)
                current = self.get_consumer_allocations(
                    consumer_uuid, global_request_id)
                payload = claims.claim_payload(
                    current, allocation_request, project_id, user_id,
                    allocation_request_version)
                sent = [False]
                undo = results.ClaimUndo(
                    consumer_uuid, payload['allocations'],
                    current.allocations, project_id, user_id)
                resp = self._put_claim(consumer_uuid, payload,
                                       allocation_request_version,
                                       global_request_id, sent)
                if resp is None or resp.status_code == 204:
                    return results.ClaimOutcome(True, results.CLAIMED, undo)
                # Placement answered: this PUT did not land.
                undo = None
                refused = _claim_refused(consumer_uuid, resp)
                if refused is not None:
                    return refused
        except errors.PlacementUnavailable:
            return results.ClaimOutcome(
                False, results.UNREACHABLE, undo if sent[0] else None)
        except errors.PlacementRequestError:
            # Reading the consumer got an answer a claim cannot use; the
            # client logged it.
            return results.ClaimOutcome(
                False, results.FAILED, undo if sent[0] else None)
        LOG.warning('Placement PUT /allocations for %s: resource provider '
                    'conflicts outlived %d retries',
                    redaction.instance(consumer_uuid), self._conflict_retries)
        return results.ClaimOutcome(False, results.CONFLICT)

    def release(self, undo: results.ClaimUndo,
                global_request_id: str | None = None) -> str:
        """Give one claim back: RELEASED, ABSENT or CHANGED.

        Conditional, with the consumer generation (as nova's
        delete_allocation_for_instance without force): the consumer's
        ``previous`` allocations are put back (none: they are removed) only
        while it holds exactly what the claim put. A consumer that holds
        nothing is ABSENT; one that holds something else was changed by
        another operation since (e.g. the conductor scheduled it again) and
        is left alone: CHANGED.

        :raises PlacementUnavailable: no answer within the retry bounds.
        :raises AllocationDeleteError: Placement refused the release.
        """
        call = 'PUT /allocations'
        consumer = undo.consumer
        for attempt in range(self._conflict_retries + 1):
            self._conflict_wait(attempt)
            try:
                now = self.get_consumer_allocations(
                    consumer, global_request_id)
            except errors.PlacementRequestError as exc:
                raise errors.AllocationDeleteError(
                    consumer, exc.status, exc.code, exc.detail) from None
            if not now.allocations:
                return RELEASE_ABSENT
            if not claims.same_allocations(now.allocations, undo.placed):
                return RELEASE_CHANGED
            body = {'allocations': {rp: {'resources': dict(a['resources'])}
                                    for rp, a in undo.previous.items()},
                    'project_id': now.project_id or undo.project_id,
                    'user_id': now.user_id or undo.user_id,
                    'consumer_generation': now.consumer_generation}
            # A lost answer is sent again with the same generation: if the
            # first one landed, Placement answers 409 and we read again.
            resp = self._http.retrying(call, functools.partial(
                self._http.send, 'PUT', f'/allocations/{consumer}', call,
                global_request_id=global_request_id,
                microversion=CONSUMER_GENERATION_VERSION, body=body))
            if resp.status_code == 204:
                return RELEASE_RELEASED
            code, detail = http.error_code(resp)
            if code == CONCURRENT_UPDATE:
                # The consumer or a provider moved on: read it again.
                continue
            LOG.warning('Placement %(call)s (release) for %(uuid)s failed: '
                        'HTTP %(status)d %(code)s [%(req)s]',
                        {'call': call, 'uuid': redaction.instance(consumer),
                         'status': resp.status_code, 'code': code,
                         'req': http.request_id(resp)})
            raise errors.AllocationDeleteError(
                consumer, resp.status_code, code, detail)
        raise errors.AllocationDeleteError(
            consumer, 409, CONCURRENT_UPDATE,
            'the consumer kept changing while it was being released')

    def get_provider_aggregates(
            self, rp_uuid: str,
            global_request_id: str | None = None) -> frozenset[str]:
        call = 'GET /resource_providers/{uuid}/aggregates'
        resp = self._http.retrying(call, lambda: self._http.send(
            'GET', f'/resource_providers/{rp_uuid}/aggregates', call,
            global_request_id=global_request_id,
            microversion=AGGREGATES_VERSION))
        if resp.status_code != 200:
            raise http.unexpected(call, resp)
        try:
            return frozenset(resp.json()['aggregates'])
        except (ValueError, KeyError, TypeError):
            raise errors.PlacementRequestError(
                call, resp.status_code, None, 'malformed body') from None

    def probe(self, global_request_id: str | None = None) -> str | None:
        """Check Placement answers an authenticated call; its max version.

        GET / (version discovery) then a cheap authenticated
        GET /resource_providers filtered to a uuid that never exists.
        Returns the highest microversion Placement announces (None if its
        root document has none); raises like the other calls.
        """
        call = 'GET /'
        resp = self._http.retrying(call, lambda: self._http.send(
            'GET', '/', call, global_request_id=global_request_id))
        if resp.status_code != 200:
            raise http.unexpected(call, resp)
        try:
            versions = resp.json().get('versions') or []
            max_version = max(
                (str(v['max_version']) for v in versions
                 if v.get('max_version')),
                key=lambda v: tuple(int(p) for p in v.split('.')),
                default=None)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise errors.PlacementRequestError(
                call, resp.status_code, None, 'malformed body') from None
        call = 'GET /resource_providers'
        resp = self._http.retrying(call, lambda: self._http.send(
            'GET', '/resource_providers?uuid=' + PROBE_UUID, call,
            global_request_id=global_request_id))
        if resp.status_code != 200:
            raise http.unexpected(call, resp)
        return max_version


def _claim_refused(consumer_uuid: str, resp: http.Response
                   ) -> results.ClaimOutcome | None:
    """The outcome of a claim Placement refused; None when a resource
    provider generation conflict is worth another attempt.

    :raises ConsumerGenerationConflict: the consumer changed under us.
    """
    code, detail = http.error_code(resp)
    if code == CONCURRENT_UPDATE:
        if 'consumer generation conflict' in detail:
            raise errors.ConsumerGenerationConflict(
                consumer_uuid, 'another process changed the '
                'consumer after we read it during the claim')
        LOG.debug('Resource provider generation conflict '
                  'claiming for %s; retrying',
                  redaction.instance(consumer_uuid))
        return None
    LOG.warning('Placement PUT /allocations for %(uuid)s '
                'refused: HTTP %(status)d %(code)s [%(req)s]',
                {'uuid': redaction.instance(consumer_uuid),
                 'status': resp.status_code, 'code': code,
                 'req': http.request_id(resp)})
    return results.ClaimOutcome(False, results.CAPACITY)
