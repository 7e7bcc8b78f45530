"""The scheduler's calls to the Placement API.

The same five calls, microversions and claim semantics as nova 34's
SchedulerReportClient, with the failures typed instead of folded into
None/False: an unreachable Placement is not "no candidates". Transient
failures (transport errors, 5xx) are retried with tenacity, bounded by
attempts and total time. Nothing logged or raised here carries a token or
an endpoint URL: failures are named by call, status, Placement error code
and exception class.
"""

from collections.abc import Callable, Mapping
import copy
import functools
import random
import time
from typing import Any, TypeVar

from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
from oslo_log import log as logging
import tenacity

from scheduler import redaction
from scheduler.placement import candidates_body
from scheduler.placement import claims
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
# The cause of a PlacementUnavailable raised because the request's time
# budget ran out (with_deadline).
DEADLINE_PASSED = 'request deadline passed'
# What release() found: the claim was given back; the consumer held
# nothing (already released); it held something else (not ours any more).
RELEASE_RELEASED = 'released'
RELEASE_ABSENT = 'absent'
RELEASE_CHANGED = 'changed'
# Resource-provider generation races are Placement-internal: a short,
# jittered wait (seconds, times the attempt number) is enough.
CONFLICT_WAIT = 0.25
BACKOFF_BASE = 0.2
BACKOFF_CAP = 2.0

# Transport failures worth another attempt.
_RETRIABLE = (ks_exc.RetriableConnectionFailure, ks_exc.UnknownConnectionError,
              ks_exc.DiscoveryFailure)
T = TypeVar('T')


class _Transient(Exception):
    def __init__(self, status: int | None, cause: str | None) -> None:
        super().__init__(status, cause)
        self.status = status
        self.cause = cause


def _hardened_option(conf: cfg.ConfigOpts | None, name: str,
                     default: T) -> T:
    """An option of [hardened_scheduler], or ``default`` if not there."""
    group = (getattr(conf, 'hardened_scheduler', None)
             if conf is not None else None)
    value = getattr(group, name, None) if group is not None else None
    return default if value is None else value


# (call, HTTP status or None when no response came, seconds): metrics and
# benchmarks watch every exchange with Placement through this.
Observer = Callable[[str, int | None, float], None]


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
                 observer: Observer | None = None) -> None:
        if adapter is None:
            if conf is None:
                raise TypeError('PlacementClient needs conf or an adapter')
            adapter = http.adapter_from_conf(conf)
        self._adapter = adapter
        self._attempts = max(1, retry_attempts if retry_attempts is not None
                             else _hardened_option(
                                 conf, 'placement_retry_attempts', 3))
        self._max_seconds = float(
            retry_max_seconds if retry_max_seconds is not None
            else _hardened_option(conf, 'placement_retry_max_seconds', 10.0))
        self._conflict_retries = max(0, (
            claim_conflict_retries if claim_conflict_retries is not None
            else _hardened_option(conf, 'claim_conflict_retries', 3)))
        self._sleep = sleep
        self._clock = clock
        self._observer = observer
        # Absolute (``clock``) end of the request's budget: with_deadline.
        self._deadline: float | None = None
        # [placement] timeout, so a deadline never lengthens an exchange.
        timeout = getattr(getattr(adapter, 'session', None), 'timeout', None)
        self._timeout = (float(timeout)
                         if isinstance(timeout, (int, float)) else None)
        # Jitter only, never security relevant.
        self._rng = rng or random.Random()  # noqa: S311

    # -- transport -----------------------------------------------------

    def _send(self, method: str, path: str, call: str, *,
              global_request_id: str | None, microversion: str | None = None,
              body: Mapping[str, Any] | None = None) -> http.Response:
        """One exchange; transport failures and 5xx raise _Transient."""
        kwargs: dict[str, Any] = {
            'headers': {'Accept': 'application/json'},
            'global_request_id': global_request_id,
            'raise_exc': False,
        }
        if microversion is not None:
            kwargs['microversion'] = microversion
        if body is not None:
            kwargs['json'] = body
        if self._deadline is not None:
            left = self._deadline - self._clock()
            if left <= 0:
                raise errors.PlacementUnavailable(call, cause=DEADLINE_PASSED)
            # The request's budget bounds each exchange too ([placement]
            # timeout, when smaller, still applies).
            kwargs['timeout'] = min(left, self._timeout or left)
        started = time.perf_counter()
        try:
            resp: http.Response = self._adapter.request(path, method, **kwargs)
        except _RETRIABLE as exc:
            self._observe(call, None, started)
            # The exception text holds the endpoint URL: keep the class.
            raise _Transient(None, type(exc).__name__) from None
        except ks_exc.ClientException as exc:
            self._observe(call, None, started)
            LOG.warning('Placement %(call)s failed: %(cause)s',
                        {'call': call, 'cause': type(exc).__name__})
            raise errors.PlacementUnavailable(
                call, cause=type(exc).__name__) from None
        self._observe(call, resp.status_code, started)
        if resp.status_code >= 500:
            raise _Transient(resp.status_code, http.error_code(resp)[0])
        return resp

    def _observe(self, call: str, status: int | None, started: float) -> None:
        if self._observer is not None:
            self._observer(call, status, time.perf_counter() - started)

    def _left(self, started: float) -> float:
        """Seconds left for retries of a call that started at ``started``.
        """
        now = self._clock()
        left = self._max_seconds - (now - started)
        if self._deadline is not None:
            left = min(left, self._deadline - now)
        return left

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        return (state.attempt_number >= self._attempts
                or self._left(float(state.args[0])) <= 0)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        left = self._left(float(state.args[0]))
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** state.attempt_number)
        return max(0.0, min(left, self._rng.uniform(0, ceiling)))

    def with_deadline(self, seconds: float | None) -> 'PlacementClient':
        """This client, with every call ending ``seconds`` from now.

        One budget for all the calls of one request (retries included):
        past it, a call raises PlacementUnavailable at once. None: no
        budget. The copy shares the connection pool.
        """
        bounded = copy.copy(self)
        bounded._deadline = (None if seconds is None
                             else self._clock() + max(0.0, seconds))
        return bounded

    def deadline_passed(self) -> bool:
        """Whether this client's request budget (with_deadline) is spent.
        """
        return self._deadline is not None and self._clock() >= self._deadline

    def _retrying(self, call: str, attempt: Callable[[], T]) -> T:
        """``attempt()`` until it stops being transient, within bounds."""
        def log_retry(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            LOG.debug('Placement %(call)s attempt %(n)d failed '
                      '(%(status)s); retrying',
                      {'call': call, 'n': state.attempt_number,
                       'status': getattr(exc, 'status', None)
                       or getattr(exc, 'cause', None)})
        retrying = tenacity.Retrying(
            stop=self._stop, wait=self._wait, sleep=self._sleep,
            retry=tenacity.retry_if_exception_type(_Transient),
            before_sleep=log_retry, reraise=True)
        try:
            return retrying(lambda _start: attempt(), self._clock())
        except _Transient as exc:
            LOG.warning('Placement %(call)s failed: %(what)s',
                        {'call': call, 'what': (
                            f'HTTP {exc.status} ({exc.cause})'
                            if exc.status is not None else exc.cause)})
            raise errors.PlacementUnavailable(
                call, exc.status, exc.cause) from None

    def _unexpected(self, call: str, resp: http.Response) -> (
            errors.PlacementRequestError):
        code, detail = http.error_code(resp)
        LOG.warning('Placement %(call)s failed: HTTP %(status)d %(code)s '
                    '[%(req)s]', {'call': call, 'status': resp.status_code,
                                  'code': code, 'req': http.request_id(resp)})
        return errors.PlacementRequestError(
            call, resp.status_code, code, detail)

    # -- calls -----------------------------------------------------------

    def get_allocation_candidates(
            self, query: query_mod.PlacementQuery,
            global_request_id: str | None = None) -> results.CandidateSet:
        call = 'GET /allocation_candidates'
        path = '/allocation_candidates?' + query.to_querystring()
        resp = self._retrying(call, lambda: self._send(
            'GET', path, call, global_request_id=global_request_id,
            microversion=CANDIDATES_VERSION))
        if resp.status_code != 200:
            raise self._unexpected(call, resp)
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
        """One GET /allocations attempt (5xx/transport: _Transient)."""
        call = 'GET /allocations'
        resp = self._send(
            'GET', f'/allocations/{consumer_uuid}', call,
            global_request_id=global_request_id,
            microversion=CONSUMER_GENERATION_VERSION)
        if resp.status_code != 200:
            raise self._unexpected(call, resp)
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
        return self._retrying('GET /allocations', lambda: self._read_consumer(
            consumer_uuid, global_request_id))

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
            return self._send('PUT', f'/allocations/{consumer_uuid}', call,
                              global_request_id=global_request_id,
                              microversion=version, body=payload)
        return self._retrying(call, attempt)

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
                if attempt:
                    self._sleep(self._rng.uniform(0, CONFLICT_WAIT * attempt))
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
                code, detail = http.error_code(resp)
                if code == CONCURRENT_UPDATE:
                    if 'consumer generation conflict' in detail:
                        raise errors.ConsumerGenerationConflict(
                            consumer_uuid, 'another process changed the '
                            'consumer after we read it during the claim')
                    LOG.debug('Resource provider generation conflict '
                              'claiming for %s; retrying',
                              redaction.instance(consumer_uuid))
                    continue
                LOG.warning('Placement PUT /allocations for %(uuid)s '
                            'refused: HTTP %(status)d %(code)s [%(req)s]',
                            {'uuid': redaction.instance(consumer_uuid),
                             'status': resp.status_code, 'code': code,
                             'req': http.request_id(resp)})
                return results.ClaimOutcome(False, results.CAPACITY)
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
            if attempt:
                self._sleep(self._rng.uniform(0, CONFLICT_WAIT * attempt))
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
            resp = self._retrying(call, functools.partial(
                self._send, 'PUT', f'/allocations/{consumer}', call,
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
        resp = self._retrying(call, lambda: self._send(
            'GET', f'/resource_providers/{rp_uuid}/aggregates', call,
            global_request_id=global_request_id,
            microversion=AGGREGATES_VERSION))
        if resp.status_code != 200:
            raise self._unexpected(call, resp)
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
        resp = self._retrying(call, lambda: self._send(
            'GET', '/', call, global_request_id=global_request_id))
        if resp.status_code != 200:
            raise self._unexpected(call, resp)
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
        resp = self._retrying(call, lambda: self._send(
            'GET', '/resource_providers?uuid=' + PROBE_UUID, call,
            global_request_id=global_request_id))
        if resp.status_code != 200:
            raise self._unexpected(call, resp)
        return max_version
