"""The HTTP side of the Placement client: keystoneauth1, statuses, errors.
"""

from collections.abc import Mapping
from typing import Any, Protocol

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging

CONF_GROUP = 'placement'


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
