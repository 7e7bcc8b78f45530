"""The Neutron calls of nova's network API that request filters use.

``show_port`` (caller's credentials), the ``segment`` extension check,
``segment_ids_for_network`` and ``segment_id_for_subnet`` (service
credentials), with nova 34's semantics. The keystoneauth1 Adapter is built
from ``[neutron]`` on first use, so a deployment that never needs Neutron
never has to configure it. Transport errors and 5xx are retried by
keystoneauth (``[neutron] http_retries`` connection retries, as nova).
"""

from collections.abc import Callable, Mapping
import threading
import time
from typing import Any, Protocol

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging

from scheduler.neutron import auth as auth_mod
from scheduler.neutron import errors
from scheduler.objects import context as context_obj

LOG = logging.getLogger(__name__)

GROUP = 'neutron'
SERVICE_USER_GROUP = 'service_user'
SEGMENT_EXTENSION = 'segment'
DEFAULT_SYNC_INTERVAL = 600.0
_API = '/v2.0'


class HTTPAdapter(Protocol):
    """The part of keystoneauth1's Adapter we use."""

    def request(self, url: str, method: str, **kwargs: Any) -> Any: ...


def _load_credentials(conf: cfg.ConfigOpts) -> auth_mod.Credentials:
    admin = ks_loading.load_auth_from_conf_options(conf, GROUP)
    service = None
    if conf.service_user.send_service_user_token:
        service = ks_loading.load_auth_from_conf_options(
            conf, SERVICE_USER_GROUP)
        if service is None:
            LOG.warning('Unable to load auth from [service_user] '
                        'configuration. Ensure "auth_type" is set.')
    return auth_mod.Credentials(admin, service)


def adapter_from_conf(conf: cfg.ConfigOpts,
                      credentials: auth_mod.Credentials) -> HTTPAdapter:
    session = ks_loading.load_session_from_conf_options(
        conf, GROUP, auth=credentials.admin)
    adapter: HTTPAdapter = ks_loading.load_adapter_from_conf_options(
        conf, GROUP, session=session, auth=credentials.admin,
        connect_retries=conf.neutron.http_retries, raise_exc=False)
    return adapter


class NeutronClient:
    """Neutron reads for the request filters; thread-safe.

    Build it from a ConfigOpts, or hand it a ready ``adapter`` and
    ``credentials`` (tests, embedding).
    """

    def __init__(self, conf: cfg.ConfigOpts | None = None, *,
                 adapter: HTTPAdapter | None = None,
                 credentials: auth_mod.Credentials | None = None,
                 extension_sync_interval: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if conf is None and adapter is None:
            raise TypeError('NeutronClient needs conf or an adapter')
        self._conf = conf
        self._adapter = adapter
        self._credentials = credentials
        self._interval = extension_sync_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._extensions: frozenset[str] | None = None
        self._synced_at = 0.0

    def _setup(self) -> tuple[HTTPAdapter, auth_mod.Credentials]:
        with self._lock:
            if self._credentials is None:
                assert self._conf is not None
                self._credentials = _load_credentials(self._conf)
            if self._adapter is None:
                assert self._conf is not None
                self._adapter = adapter_from_conf(
                    self._conf, self._credentials)
            return self._adapter, self._credentials

    def _get(self, call: str, path: str, auth: Any,
             context: context_obj.RequestContext,
             params: Mapping[str, str] | None = None) -> Any:
        adapter, _ = self._setup()
        kwargs: dict[str, Any] = {
            'headers': {'Accept': 'application/json'},
            'global_request_id': context.global_id,
            'raise_exc': False, 'auth': auth}
        if params:
            kwargs['params'] = dict(params)
        try:
            resp = adapter.request(_API + path, 'GET', **kwargs)
        except ks_exc.ClientException as exc:
            # The exception text holds the endpoint URL: keep the class.
            LOG.warning('Neutron %(call)s failed: %(cause)s',
                        {'call': call, 'cause': type(exc).__name__})
            raise errors.NeutronUnavailable(
                call, cause=type(exc).__name__) from None
        status = resp.status_code
        if status == 200:
            try:
                return resp.json()
            except ValueError:
                raise errors.NeutronRequestError(
                    call, status, 'malformed body') from None
        LOG.warning('Neutron %(call)s failed: HTTP %(status)d',
                    {'call': call, 'status': status})
        if status == 404:
            raise errors.NeutronNotFound(call)
        if status >= 500:
            raise errors.NeutronUnavailable(call, status)
        raise errors.NeutronRequestError(call, status)

    def show_port(self, context: context_obj.RequestContext,
                  port_id: str) -> Mapping[str, Any]:
        """The port, read with the caller's credentials (nova's)."""
        call = 'GET /ports/{id}'
        _, credentials = self._setup()
        body = self._get(call, f'/ports/{port_id}',
                         credentials.for_user(context, call), context)
        port = body.get('port') if isinstance(body, dict) else None
        if not isinstance(port, dict):
            raise errors.NeutronRequestError(call, 200, 'malformed body')
        return port

    def _sync_interval(self) -> float:
        if self._interval is None:
            self._interval = float(
                self._conf.neutron.extension_sync_interval
                if self._conf is not None else DEFAULT_SYNC_INTERVAL)
        return self._interval

    def has_segment_extension(self, context: context_obj.RequestContext
                              ) -> bool:
        """Whether Neutron has the ``segment`` extension (cached)."""
        with self._lock:
            extensions = self._extensions
            fresh = (extensions is not None and self._clock()
                     - self._synced_at < self._sync_interval())
        if not fresh:
            extensions = self._list_extensions(context)
            with self._lock:
                self._extensions = extensions
                self._synced_at = self._clock()
        assert extensions is not None
        return SEGMENT_EXTENSION in extensions

    def _list_extensions(self, context: context_obj.RequestContext
                         ) -> frozenset[str]:
        call = 'GET /extensions'
        _, credentials = self._setup()
        body = self._get(call, '/extensions', credentials.for_admin(call),
                         context)
        try:
            return frozenset(ext['alias'] for ext in body['extensions'])
        except (KeyError, TypeError):
            raise errors.NeutronRequestError(
                call, 200, 'malformed body') from None

    def segment_ids_for_network(self, context: context_obj.RequestContext,
                                network_id: str) -> list[str]:
        """Segment uuids of the network's subnets; [] if not routed."""
        if not self.has_segment_extension(context):
            return []
        call = 'GET /subnets'
        _, credentials = self._setup()
        body = self._get(call, '/subnets', credentials.for_admin(call),
                         context, {'network_id': network_id,
                                   'fields': 'segment_id'})
        try:
            subnets = body['subnets']
            return [s['segment_id'] for s in subnets
                    if s.get('segment_id') is not None]
        except (KeyError, TypeError, AttributeError):
            raise errors.NeutronRequestError(
                call, 200, 'malformed body') from None

    def segment_id_for_subnet(self, context: context_obj.RequestContext,
                              subnet_id: str) -> str | None:
        """The subnet's segment uuid; None if not routed."""
        if not self.has_segment_extension(context):
            return None
        call = 'GET /subnets/{id}'
        _, credentials = self._setup()
        body = self._get(call, f'/subnets/{subnet_id}',
                         credentials.for_admin(call), context)
        try:
            segment: str | None = body['subnet'].get('segment_id')
            return segment
        except (KeyError, TypeError, AttributeError):
            raise errors.NeutronRequestError(
                call, 200, 'malformed body') from None
