"""Which credentials a Neutron call carries, as nova 34 chooses them.

* A port read (``show_port``) carries the caller's token from the RPC
  context; with no token, an admin context uses the ``[neutron]`` service
  credentials; otherwise nothing is sent (nova raises Unauthorized).
* Segment and subnet reads always use the ``[neutron]`` credentials.
* With ``[service_user] send_service_user_token``, a service token goes
  along (keystoneauth's ServiceTokenAuthWrapper), as nova's service_auth.

Unlike nova, the Neutron endpoint is never taken from the service catalog
that arrived over the message bus (we do not even keep it): it comes from
``[neutron] endpoint_override`` or from the catalog of our own service
credentials, so a forged message cannot send a user's token elsewhere.
"""

from typing import Any

from keystoneauth1 import plugin
from keystoneauth1 import service_token

from scheduler.neutron import errors
from scheduler.objects import context as context_obj


class UserToken(plugin.BaseAuthPlugin):
    """The caller's token; endpoints from our own credentials' catalog."""

    def __init__(self, token: str, endpoint_auth: Any | None) -> None:
        super().__init__()
        self._token = token
        self._endpoint_auth = endpoint_auth

    def __repr__(self) -> str:
        return '<UserToken>'

    def get_token(self, session: Any, **kwargs: Any) -> str:
        return self._token

    def get_endpoint(self, session: Any, **kwargs: Any) -> str | None:
        if self._endpoint_auth is None:
            # Only [neutron] endpoint_override can place the call then.
            return None
        endpoint: str | None = self._endpoint_auth.get_endpoint(
            session, **kwargs)
        return endpoint

    def get_endpoint_data(self, session: Any, **kwargs: Any) -> Any:
        if self._endpoint_auth is None:
            return super().get_endpoint_data(session, **kwargs)
        return self._endpoint_auth.get_endpoint_data(session, **kwargs)


class Credentials:
    """The service-side auth plugins, loaded once from the config."""

    def __init__(self, admin: Any | None, service: Any | None) -> None:
        self.admin = admin
        self.service = service

    def _wrap(self, user_auth: Any) -> Any:
        if self.service is None:
            return user_auth
        return service_token.ServiceTokenAuthWrapper(
            user_auth=user_auth, service_auth=self.service)

    def for_admin(self, call: str) -> Any:
        if self.admin is None:
            raise errors.NeutronNoCredentials(
                call, '[neutron] has no credentials (auth_type is not set)')
        return self._wrap(self.admin)

    def for_user(self, context: context_obj.RequestContext,
                 call: str) -> Any:
        if context.auth_token:
            return self._wrap(UserToken(context.auth_token, self.admin))
        if context.is_admin:
            return self.for_admin(call)
        raise errors.NeutronNoCredentials(
            call, 'the request carries no user token')
