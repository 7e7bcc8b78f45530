"""The HTTP side of the Placement client: keystoneauth1, statuses, errors,
and ``Exchanges``: how one call is sent, retried and bounded in time.

Transient failures (transport errors, 5xx) are retried with tenacity,
bounded by attempts and total time, and by the request's deadline when
one is set. Nothing logged or raised here carries a token or an endpoint
URL: failures are named by call, status, Placement error code and
exception class.
"""

from collections.abc import Callable, Mapping
import copy
import random
import time
from typing import Any, Protocol, TypeVar

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging
import tenacity

from scheduler.placement import errors

LOG = logging.getLogger(__name__)
CONF_GROUP = 'placement'
# The cause of a PlacementUnavailable raised because the request's time
# budget ran out (Exchanges.with_deadline).
DEADLINE_PASSED = 'request deadline passed'
BACKOFF_BASE = 0.2
BACKOFF_CAP = 2.0

# Transport failures worth another attempt.
_RETRIABLE = (ks_exc.RetriableConnectionFailure, ks_exc.UnknownConnectionError,
              ks_exc.DiscoveryFailure)
T = TypeVar('T')
# (call, HTTP status or None when no response came, seconds): metrics and
# benchmarks watch every exchange with Placement through this.
Observer = Callable[[str, int | None, float], None]


class Response(Protocol):
    status_code: int
    text: str
    content: bytes
    headers: Mapping[str, str]

    def json(self) -> Any: ...


class HTTPAdapter(Protocol):
    """The part of keystoneauth1's Adapter we use."""

    def request(self, url: str, method: str, **kwargs: Any) -> Any: ...


BODY_LOGGER = 'keystoneauth.session.body'


def adapter_from_conf(conf: cfg.ConfigOpts) -> HTTPAdapter:
    """A keystoneauth1 Adapter from the [placement] options, as nova's."""
    auth = ks_loading.load_auth_from_conf_options(conf, CONF_GROUP)
    # Response bodies go to their own logger, which stays quiet: an
    # allocation-candidates body lists every host, and error bodies can
    # echo secrets. Requests and statuses are still logged at DEBUG.
    session = ks_loading.load_session_from_conf_options(
        conf, CONF_GROUP, auth=auth, split_loggers=True)
    logging.getLogger(BODY_LOGGER).setLevel(logging.INFO)
    adapter: HTTPAdapter = ks_loading.load_adapter_from_conf_options(
        conf, CONF_GROUP, session=session, auth=auth, raise_exc=False)
    return adapter


def error_code(resp: Response) -> tuple[str | None, str]:
    """Placement's (error code, detail) of a failed response."""
    try:
        error = resp.json()['errors'][0]
        return error.get('code'), str(error.get('detail') or '')
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None, resp.text or ''


def request_id(resp: Response) -> str | None:
    return resp.headers.get('openstack-request-id')


def unexpected(call: str, resp: Response) -> errors.PlacementRequestError:
    """The error for an answer the call cannot use (logged)."""
    code, detail = error_code(resp)
    LOG.warning('Placement %(call)s failed: HTTP %(status)d %(code)s '
                '[%(req)s]', {'call': call, 'status': resp.status_code,
                              'code': code, 'req': request_id(resp)})
    return errors.PlacementRequestError(
        call, resp.status_code, code, detail)


class Transient(Exception):
    """A failure worth another attempt: no answer, or a 5xx."""

    def __init__(self, status: int | None, cause: str | None) -> None:
        super().__init__(status, cause)
        self.status = status
        self.cause = cause


class Exchanges:
    """Sends calls to Placement through ``adapter``; retries the transient
    failures within ``attempts`` and ``max_seconds`` (and the deadline).

    ``sleep``, ``clock`` and ``rng`` are injectable so retries can be
    tested without waiting.
    """

    def __init__(self, adapter: HTTPAdapter, *, attempts: int,
                 max_seconds: float, sleep: Callable[[float], None],
                 clock: Callable[[], float], rng: random.Random,
                 observer: Observer | None) -> None:
        self._adapter = adapter
        self._attempts = attempts
        self._max_seconds = max_seconds
        self.sleep = sleep
        self._clock = clock
        self.rng = rng
        self._observer = observer
        # Absolute (``clock``) end of the request's budget: with_deadline.
        self._deadline: float | None = None
        # [placement] timeout, so a deadline never lengthens an exchange.
        timeout = getattr(getattr(adapter, 'session', None), 'timeout', None)
        self._timeout = (float(timeout)
                         if isinstance(timeout, (int, float)) else None)

    def send(self, method: str, path: str, call: str, *,
             global_request_id: str | None, microversion: str | None = None,
             body: Mapping[str, Any] | None = None) -> Response:
        """One exchange; transport failures and 5xx raise Transient."""
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
            resp: Response = self._adapter.request(path, method, **kwargs)
        except _RETRIABLE as exc:
            self._observe(call, None, started)
            # The exception text holds the endpoint URL: keep the class.
            raise Transient(None, type(exc).__name__) from None
        except ks_exc.ClientException as exc:
            self._observe(call, None, started)
            LOG.warning('Placement %(call)s failed: %(cause)s',
                        {'call': call, 'cause': type(exc).__name__})
            raise errors.PlacementUnavailable(
                call, cause=type(exc).__name__) from None
        self._observe(call, resp.status_code, started)
        if resp.status_code >= 500:
            raise Transient(resp.status_code, error_code(resp)[0])
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
        return max(0.0, min(left, self.rng.uniform(0, ceiling)))

    def with_deadline(self, seconds: float | None) -> 'Exchanges':
        """These exchanges, every one ending ``seconds`` from now (None:
        no budget); the copy shares the connection pool."""
        bounded = copy.copy(self)
        bounded._deadline = (None if seconds is None
                             else self._clock() + max(0.0, seconds))
        return bounded

    def deadline_passed(self) -> bool:
        return self._deadline is not None and self._clock() >= self._deadline

    def retrying(self, call: str, attempt: Callable[[], T]) -> T:
        """``attempt()`` until it stops being transient, within bounds."""
        def log_retry(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            LOG.debug('Placement %(call)s attempt %(n)d failed '
                      '(%(status)s); retrying',
                      {'call': call, 'n': state.attempt_number,
                       'status': getattr(exc, 'status', None)
                       or getattr(exc, 'cause', None)})
        retrying = tenacity.Retrying(
            stop=self._stop, wait=self._wait, sleep=self.sleep,
            retry=tenacity.retry_if_exception_type(Transient),
            before_sleep=log_retry, reraise=True)
        try:
            return retrying(lambda _start: attempt(), self._clock())
        except Transient as exc:
            LOG.warning('Placement %(call)s failed: %(what)s',
                        {'call': call, 'what': (
                            f'HTTP {exc.status} ({exc.cause})'
                            if exc.status is not None else exc.cause)})
            raise errors.PlacementUnavailable(
                call, exc.status, exc.cause) from None
