"""``check``'s message bus check: can the service reach RabbitMQ?

``[DEFAULT] transport_url`` is parsed as oslo.messaging parses it
(``TransportURL``); for the rabbit driver every host is connected to the
way oslo.messaging's rabbit driver connects (kombu's py-amqp transport,
the host's user, password, port and virtual host, ``rabbit_login_method``,
``[oslo_messaging_rabbit] ssl`` and its options), with a short timeout
and no retry, then the connection is closed. As in oslo.messaging, a URL
without hosts (the default, ``rabbit://``) means ``guest:guest`` at
``localhost:5672``. Other drivers are not checked (a warning).

Hosts are shown as ``rabbit://user:***@host:port/vhost``: the password
never appears, not even in a connection error.
"""

from collections.abc import Callable
import dataclasses
from importlib import metadata
import ssl
from typing import Any

from kombu import connection as kombu_connection
from oslo_config import cfg
import oslo_messaging
from oslo_messaging import opts as messaging_opts
from oslo_utils import netutils

from scheduler.cmd import check_report
from scheduler.redaction import secrets

NAME = 'Message bus'
RABBIT_GROUP = 'oslo_messaging_rabbit'
DEFAULT_PORT = 5672
TIMEOUT = 5.0
_CHECKED_DRIVERS = ('rabbit', 'kombu')
# oslo.messaging's rabbit driver's names for [oslo_messaging_rabbit]
# ssl_version.
_SSL_PROTOCOLS = {
    'tlsv1': 'PROTOCOL_TLSv1', 'tlsv1_1': 'PROTOCOL_TLSv1_1',
    'tlsv1_2': 'PROTOCOL_TLSv1_2', 'sslv2': 'PROTOCOL_SSLv2',
    'sslv3': 'PROTOCOL_SSLv3', 'sslv23': 'PROTOCOL_SSLv23',
}


class BadTLSOption(ValueError):
    """An [oslo_messaging_rabbit] ssl option oslo.messaging would refuse."""


@dataclasses.dataclass(frozen=True, slots=True)
class TLSOptions:
    """``[oslo_messaging_rabbit] ssl_*``, as kombu takes them."""

    version: int | None = None
    key_file: str = ''
    cert_file: str = ''
    ca_file: str = ''

    def for_kombu(self, hostname: str) -> dict[str, Any] | bool:
        params: dict[str, Any] = {}
        if self.version is not None:
            params['ssl_version'] = self.version
        if self.key_file:
            params['keyfile'] = self.key_file
        if self.cert_file:
            params['certfile'] = self.cert_file
        if self.ca_file:
            params['ca_certs'] = self.ca_file
            params['cert_reqs'] = ssl.CERT_REQUIRED
            params['server_hostname'] = hostname
        return params or True


@dataclasses.dataclass(frozen=True, slots=True)
class Broker:
    """One RabbitMQ host of the transport URL, with what to log in as."""

    hostname: str
    port: int
    username: str
    password: str = dataclasses.field(repr=False)
    virtual_host: str
    login_method: str
    tls: TLSOptions | None = None

    def display(self) -> str:
        """The host as a URL with its password masked."""
        user = f'{self.username}:{secrets.MASK}@' if self.username else ''
        tls = '' if self.tls is None else ' (TLS)'
        return (f'rabbit://{user}{netutils.escape_ipv6(self.hostname)}:'
                f'{self.port}/{self.virtual_host}{tls}')


Connect = Callable[[Broker], None]


def connect(broker: Broker, timeout: float = TIMEOUT) -> None:
    """Connect and log in to ``broker`` once (no retry), then close.

    Raises what kombu or py-amqp raised on failure.
    """
    # kombu is untyped: Any keeps mypy --strict to our own code.
    connection_class: Any = kombu_connection.Connection
    connection = connection_class(
        hostname=netutils.escape_ipv6(broker.hostname), port=broker.port,
        userid=broker.username or None, password=broker.password or None,
        virtual_host=broker.virtual_host or '/', transport='pyamqp',
        ssl=False if broker.tls is None else broker.tls.for_kombu(
            broker.hostname),
        login_method=broker.login_method, connect_timeout=timeout,
        heartbeat=0, transport_options={'client_properties': {
            'connection_name': 'hardened-scheduler-manage check'}})
    try:
        connection.ensure_connection(max_retries=0)
    finally:
        connection.release()


def _tls_options(conf: cfg.ConfigOpts) -> TLSOptions | None:
    group = getattr(conf, RABBIT_GROUP)
    if not group.ssl:
        return None
    version = None
    if group.ssl_version:
        name = _SSL_PROTOCOLS.get(group.ssl_version.lower(), '')
        version = getattr(ssl, name, None)
        if version is None:
            raise BadTLSOption(f'[{RABBIT_GROUP}] ssl_version '
                               f'{group.ssl_version!r} is not available')
    return TLSOptions(version=version, key_file=group.ssl_key_file,
                      cert_file=group.ssl_cert_file,
                      ca_file=group.ssl_ca_file)


def register_opts(conf: cfg.ConfigOpts) -> None:
    """oslo.messaging's [DEFAULT] options (transport_url...) and
    [oslo_messaging_rabbit], as its driver registers them."""
    for group, opts in messaging_opts.list_opts():
        if group in (None, RABBIT_GROUP):
            conf.register_opts(opts, group=group)


def brokers(conf: cfg.ConfigOpts,
            url: oslo_messaging.TransportURL) -> list[Broker]:
    """The hosts the rabbit driver would connect to, in URL order."""
    register_opts(conf)
    tls = _tls_options(conf)
    login_method = getattr(conf, RABBIT_GROUP).rabbit_login_method
    virtual_host = url.virtual_host or ''
    if not url.hosts:
        # oslo.messaging's defaults for a URL without hosts.
        return [Broker('localhost', DEFAULT_PORT, 'guest', 'guest',
                       virtual_host, login_method, tls)]
    return [Broker(host.hostname or 'localhost', host.port or DEFAULT_PORT,
                   host.username or '', host.password or '', virtual_host,
                   login_method, tls)
            for host in url.hosts]


def describe_error(exc: BaseException, password: str) -> str:
    """The failure's class and message; no password, even one echoed."""
    cause = exc
    # kombu wraps py-amqp's and the socket's errors.
    while cause.__cause__ is not None and type(cause).__module__.startswith(
            'kombu'):
        cause = cause.__cause__
    text = ' '.join(str(cause).split())
    if password:
        text = text.replace(password, secrets.MASK)
    text = secrets.mask_secrets(text)
    name = type(cause).__name__
    return f'{name}: {text}' if text else name


def _drivers() -> set[str]:
    return {entry.name for entry in metadata.entry_points(
        group='oslo.messaging.drivers')}


def _parse(conf: cfg.ConfigOpts,
           check: check_report.CheckBuilder
           ) -> oslo_messaging.TransportURL | None:
    register_opts(conf)
    try:
        # [DEFAULT] transport_url (default rabbit://), parsed as
        # get_rpc_transport parses it.
        return oslo_messaging.TransportURL.parse(conf, conf.transport_url)
    except oslo_messaging.InvalidTransportURL as exc:
        reason = secrets.mask_secrets(' '.join(str(exc).split()))
        check.problem(f'[DEFAULT] transport_url is not a valid transport '
                      f'URL: {reason}')
        return None


def check_message_bus(conf: cfg.ConfigOpts,
                      connect_broker: Connect = connect
                      ) -> check_report.CheckResult:
    check = check_report.CheckBuilder(NAME)
    url = _parse(conf, check)
    if url is None:
        return check.result()
    driver = url.transport.split('+', 1)[0]
    if driver not in _drivers():
        check.problem(f'transport_url driver {url.transport!r} is not an '
                      'oslo.messaging driver')
        return check.result()
    if url.transport not in _CHECKED_DRIVERS:
        hosts = ', '.join(netutils.escape_ipv6(h.hostname or '') + (
            f':{h.port}' if h.port else '') for h in url.hosts)
        check.warning(f'transport_url driver {url.transport!r} not checked '
                      f'(only rabbit is){f": hosts {hosts}" if hosts else ""}')
        return check.result()
    try:
        found = brokers(conf, url)
    except BadTLSOption as exc:
        check.problem(str(exc))
        return check.result()
    if not url.hosts:
        check.info('transport_url names no host: oslo.messaging connects '
                   'to localhost:5672 as guest')
    failed = []
    for broker in found:
        try:
            connect_broker(broker)
        except Exception as exc:  # noqa: BLE001 - any failure is the answer
            failed.append(f'{broker.display()}: cannot connect: '
                          f'{describe_error(exc, broker.password)}')
        else:
            check.info(f'{broker.display()}: reachable, logged in')
    for line in failed:
        # The service fails over to another host while one is reachable.
        if len(failed) == len(found):
            check.problem(line)
        else:
            check.warning(line)
    return check.result()
