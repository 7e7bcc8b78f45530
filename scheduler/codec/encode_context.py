"""The request context as a caller sends it (encode side of ``context``).

The keys of nova 34's ``RequestContext.to_dict()`` (oslo.context's plus
nova's own), which oslo.messaging sends as ``_context_<key>``. What our
context does not hold takes the value nova sends for a plain context:
not read-only, deleted rows hidden, no resource uuid, quota class or
service catalog. The dict carries the caller's token when there is one,
as nova's does; it is for the transport only, never for a log line.
"""

from typing import Any

from scheduler.objects import context as context_obj


def _identity(ctx: context_obj.RequestContext) -> str:
    """oslo.context's user_identity: five fields, ``-`` when unset."""
    return ' '.join(value or '-' for value in (
        ctx.user_id, ctx.project_id, ctx.domain_id, ctx.user_domain_id,
        ctx.project_domain_id))


def encode_context(ctx: context_obj.RequestContext) -> dict[str, Any]:
    return {
        'user': ctx.user_id,
        'user_id': ctx.user_id,
        'project': ctx.project_id,
        'project_id': ctx.project_id,
        'domain': ctx.domain_id,
        'user_domain': ctx.user_domain_id,
        'project_domain': ctx.project_domain_id,
        'system_scope': ctx.system_scope,
        'is_admin': ctx.is_admin,
        'is_admin_project': True,
        'read_only': False,
        'show_deleted': False,
        'read_deleted': ctx.read_deleted,
        'auth_token': ctx.auth_token,
        'request_id': ctx.request_id,
        'global_request_id': ctx.global_request_id,
        'resource_uuid': None,
        'roles': list(ctx.roles),
        'user_identity': _identity(ctx),
        'user_name': ctx.user_name,
        'project_name': ctx.project_name,
        'remote_address': ctx.remote_address,
        # nova's strtime text; None lets the receiver stamp it (nova does).
        'timestamp': ctx.timestamp,
        'quota_class': None,
        'service_catalog': [],
    }
