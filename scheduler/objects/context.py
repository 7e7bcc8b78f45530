"""The caller's request context."""

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class RequestContext:
    user_id: str | None = None
    project_id: str | None = None
    domain_id: str | None = None
    user_domain_id: str | None = None
    project_domain_id: str | None = None
    system_scope: str | None = None
    is_admin: bool = False
    roles: tuple[str, ...] = ()
    request_id: str | None = None
    global_request_id: str | None = None
    read_deleted: str = 'no'
    user_name: str | None = None
    project_name: str | None = None
    remote_address: str | None = None
    timestamp: str | None = None
    # The caller's Keystone token. Never printed: repr=False, and it is
    # never forwarded; we talk to Placement with our own credentials.
    auth_token: str | None = dataclasses.field(default=None, repr=False)

    @property
    def global_id(self) -> str | None:
        """The id forwarded to Placement, as oslo.context's global_id."""
        return self.global_request_id or self.request_id
