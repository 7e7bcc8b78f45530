"""Checking the caller's context against the policy rules.

One oslo.policy Enforcer per service, loaded from the rules in
:mod:`scheduler.authz.policies` and the operator's policy file. A check never
raises for a refusal; a broken policy file stops start-up (and a SIGHUP
reload keeps the previous rules).
"""

from collections.abc import Mapping
import dataclasses
import logging
import threading

from oslo_config import cfg
from oslo_policy import policy

from scheduler.authz import policies
from scheduler.objects import context as context_obj

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    rule: str


def credentials(context: context_obj.RequestContext) -> dict[str, object]:
    """What a rule may look at: identity and roles, never the token.

    Unset values are left out: oslo.policy compares ``str()`` forms, so a
    missing project would otherwise equal a target project named 'None'.
    """
    values: dict[str, object] = {
        'user_id': context.user_id,
        'project_id': context.project_id,
        'domain_id': context.domain_id,
        'user_domain_id': context.user_domain_id,
        'project_domain_id': context.project_domain_id,
        'system_scope': context.system_scope,
        'is_admin': context.is_admin,
        'roles': [r.lower() for r in context.roles],
    }
    return {k: v for k, v in values.items() if v is not None}


def _target(target: Mapping[str, object] | None) -> dict[str, object]:
    return {k: v for k, v in (target or {}).items() if v is not None}


def make_enforcer(conf: cfg.ConfigOpts) -> policy.Enforcer:
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(list(policies.list_rules()))
    # Parse now: a broken policy file must stop start-up, not a request.
    enforcer.load_rules()
    return enforcer


class Authorizer:
    def __init__(self, conf: cfg.ConfigOpts,
                 enforcer: policy.Enforcer | None = None) -> None:
        self._enforcer = enforcer or make_enforcer(conf)
        self._lock = threading.Lock()

    def check(self, rule: str, context: context_obj.RequestContext,
              target: Mapping[str, object] | None = None) -> Decision:
        with self._lock:
            # Enforcer.enforce may reload a changed policy file in place.
            allowed = bool(self._enforcer.enforce(
                rule, _target(target), credentials(context),
                do_raise=False))
        return Decision(allowed, rule)

    def method(self, name: str, context: context_obj.RequestContext,
               target: Mapping[str, object] | None = None) -> Decision:
        return self.check(policies.METHOD_RULES[name], context, target)

    def reload(self) -> bool:
        """Re-read the policy file (SIGHUP); keep the old rules on error."""
        with self._lock:
            try:
                self._enforcer.load_rules(force_reload=True)
            except Exception as exc:  # noqa: BLE001 - any parse error
                LOG.error('Policy file not reloaded, previous rules kept: '
                          '%s', type(exc).__name__)
                return False
        return True


def get_enforcer() -> policy.Enforcer:
    """For oslopolicy-policy-generator and oslopolicy-list-redundant."""
    from scheduler import conf as conf_pkg  # noqa: PLC0415 - tool only

    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    conf([], project='nova')
    return make_enforcer(conf)
