"""Database URLs: cell URL templates, masking, and errors without secrets.

A cell's ``database_connection`` may be a template such as
``{scheme}://{username}:{password}@{hostname}/nova_cell1`` that nova fills
from ``[database]connection`` (CellMapping.format_db_url / _format_url);
``format_cell_url`` fills it the same way. The URLs hold passwords, so
nothing here ever puts one in a message: ``mask_url`` is for display and
``describe_error`` names a database failure without its URL or SQL.
"""

import string
from typing import Any
from urllib import parse

from oslo_utils import netutils
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from scheduler.placement import errors as scrubbing

MASK = '***'


class _PlainFields(string.Formatter):
    """str.format restricted to the named fields nova provides.

    nova calls ``template.format(**subs)``; attribute and index lookups in
    a field name (``{password.__class__}``) are refused here.
    """

    def get_field(self, field_name: str, args: Any,
                  kwargs: Any) -> tuple[Any, str]:
        if not field_name.isidentifier():
            raise ValueError('only plain field names are allowed')
        return kwargs[field_name], field_name


def _netloc_parts(netloc: str) -> dict[str, Any]:
    userpass, hostport = (netloc.split('@', 1) if '@' in netloc
                          else ('', netloc))
    host, port = netutils.parse_host_port(hostport)
    username, sep, password = userpass.partition(':')
    return {'username': username, 'password': password if sep else None,
            'hostname': host, 'port': port}


def template_values(default: str) -> dict[str, Any]:
    """The substitutions nova offers a cell URL template."""
    url = parse.urlparse(default)
    subs: dict[str, Any] = {
        'username': url.username, 'password': url.password,
        'hostname': url.hostname, 'port': url.port, 'scheme': url.scheme,
        'query': url.query, 'fragment': url.fragment,
        'path': url.path.lstrip('/'),
    }
    # oslo.messaging-style multi-host netlocs: username1, hostname1, ...
    if ',' in url.netloc:
        for index, netloc in enumerate(url.netloc.split(','), start=1):
            for key, value in _netloc_parts(netloc).items():
                subs[f'{key}{index}'] = value
    return subs


def format_cell_url(template: str, default: str | None) -> str:
    """The URL nova would connect to for this cell_mappings value.

    As nova: without ``[database]connection`` or when the template does
    not format, the stored value is used unchanged.
    """
    if default is None:
        return template
    try:
        return _PlainFields().vformat(template, (), template_values(default))
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return template


def is_template(value: str) -> bool:
    return '{' in value


def mask_url(url: str | sa.URL | None) -> str:
    """A URL safe to show: password and every query value hidden."""
    if url is None:
        return '<not set>'
    try:
        parsed = sa.make_url(url)
    except (sa_exc.ArgumentError, ValueError, TypeError):
        # Its parse error would quote the string, password and all.
        return '<unparsable URL>'
    if parsed.query:
        parsed = parsed.set(query={k: MASK for k in parsed.query})
    # The query mask comes back URL-encoded; show it plainly.
    return parsed.render_as_string(hide_password=True).replace(
        '%2A%2A%2A', MASK)


def describe_error(exc: BaseException) -> str:
    """A short description of a database failure, fit for a log line.

    SQLAlchemy's message carries the SQL and its parameters, and a
    driver's can quote the URL: only the class and a scrubbed driver
    message are kept.
    """
    cause: BaseException = exc
    if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None:
        cause = exc.orig
    text = scrubbing.scrub(str(cause))
    name = type(cause).__name__
    return f'{name}: {text}' if text else name
