"""The request context dict (the ``_context_*`` keys of a message).

Decoded like nova's RequestContext.from_dict: unknown keys are ignored and
missing ones take oslo.context's defaults, but every value present must have
the right type. The auth token is kept (repr=False on the object) and, like
every value, never appears in an error.
"""

from collections.abc import Mapping
import datetime

from scheduler.codec import limits as limits_mod
from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import context as context_obj

_READ_DELETED = frozenset({'no', 'yes', 'only'})
# nova.utils.strtime's format; oslo parse_strtime reads it back.
_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'


def _read_deleted(path: v.Path, value: object) -> str:
    text = v.as_str(path, value)
    if text not in _READ_DELETED:
        path.fail('expected one of no, yes, only')
    return text


def _timestamp(path: v.Path, value: object) -> str:
    text = v.as_str(path, value)
    if len(text) > 64:
        path.fail('expected a timestamp')
    try:
        datetime.datetime.strptime(text, _TIME_FORMAT)
    except ValueError:
        try:
            datetime.datetime.fromisoformat(text)
        except ValueError:
            path.fail('expected a timestamp')
    return text


def _decode(path: v.Path, values: object) -> context_obj.RequestContext:
    if not isinstance(values, Mapping):
        v.expected(path, 'dict', values)
    if len(values) > path.limits.max_list_length:
        path.fail(f'more than {path.limits.max_list_length} items')
    obj = primitive.Obj('RequestContext', (1, 0), path.enter(), dict(values))

    def s(key: str) -> str | None:
        return obj.get(key, v.as_str)

    # nova reads user_id/project_id; oslo's 'user' alias is a fallback.
    user_id = s('user_id') if 'user_id' in obj else s('user')
    project_id = s('project_id') if 'project_id' in obj else s('project')
    return context_obj.RequestContext(
        user_id=user_id,
        project_id=project_id,
        domain_id=s('domain'),
        user_domain_id=s('user_domain'),
        project_domain_id=s('project_domain'),
        system_scope=s('system_scope'),
        is_admin=obj.req('is_admin', v.as_bool, absent=False, null=False),
        roles=obj.req('roles', lambda p, x: v.as_list(p, x, v.as_str),
                      absent=(), null=()),
        request_id=s('request_id'),
        global_request_id=s('global_request_id'),
        read_deleted=obj.req('read_deleted', _read_deleted, absent='no',
                             null='no'),
        user_name=s('user_name'),
        project_name=s('project_name'),
        remote_address=s('remote_address'),
        timestamp=obj.get('timestamp', _timestamp),
        auth_token=s('auth_token'),
    )


def decode_context(
        values: Mapping[str, object],
        limits: limits_mod.DecodeLimits = limits_mod.DEFAULT_LIMITS,
        *, root: str = 'context') -> context_obj.RequestContext:
    """Decode a context dict (keys without the ``_context_`` prefix)."""
    path = v.Path(root, limits)
    return primitive.guarded(path, lambda: _decode(path, values))
