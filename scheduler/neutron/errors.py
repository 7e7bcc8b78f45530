"""Typed failures of the Neutron client.

Messages name the call and the HTTP status or exception class only:
never the endpoint URL (keystoneauth puts it in its exception texts), a
token, or the caller's resource ids.
"""


class NeutronError(Exception):
    """Base of the Neutron client's errors."""

    def __init__(self, call: str, detail: str) -> None:
        self.call = call
        self.detail = detail
        super().__init__(f'Neutron {call} failed: {detail}')


class NeutronUnavailable(NeutronError):
    """Neutron could not be reached, or answered 5xx."""

    def __init__(self, call: str, status: int | None = None,
                 cause: str | None = None) -> None:
        self.status = status
        self.cause = cause
        super().__init__(call, f'HTTP {status}' if status is not None
                         else (cause or 'no response'))


class NeutronRequestError(NeutronError):
    """Neutron refused a call (4xx other than 404) or sent a bad body."""

    def __init__(self, call: str, status: int, detail: str = '') -> None:
        self.status = status
        super().__init__(call, f'HTTP {status}' + (
            f' ({detail})' if detail else ''))


class NeutronNotFound(NeutronRequestError):
    """The port or subnet does not exist (or the caller cannot see it)."""

    def __init__(self, call: str) -> None:
        super().__init__(call, 404)


class NeutronNoCredentials(NeutronError):
    """Nothing to authenticate the call with: as nova's Unauthorized."""
