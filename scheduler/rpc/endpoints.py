"""nova's scheduler RPC API (4.0-4.5) and base API (1.1), as endpoints.

Each method decodes its arguments into typed objects (only
``ValidationError`` can come out of decoding, bounds included: the
dispatcher has ``refusals`` answer it), calls the manager or the host
cache, and encodes the result as nova's conductor expects it. Only
the methods decorated with ``expose`` can be called (the dispatcher uses
oslo.messaging's ExplicitRPCAccessPolicy); the context is positional-only,
so a message cannot pass one as an argument.

``select_destinations`` variants, told apart by the arguments present as
nova's manager does:

- 4.0-4.2: legacy ``request_spec`` + ``filter_properties`` dicts;
- 4.3: ``spec_obj``; 4.4: + ``instance_uuids`` (claims are made only
  when ``instance_uuids`` is not None);
- 4.5: + ``return_objects`` / ``return_alternates``: lists of Selection
  objects, with alternates only when both are true; legacy host dicts
  when ``return_objects`` is false.
"""

from collections.abc import Callable, Mapping, Sequence
import re
from typing import Any, Protocol, TypeVar, cast

import oslo_messaging

from scheduler.authz import authorization
from scheduler.codec import aggregate as aggregate_codec
from scheduler.codec import context as context_codec
from scheduler.codec import errors as codec_errors
from scheduler.codec import instance as instance_codec
from scheduler.codec import legacy as legacy_codec
from scheduler.codec import limits as limits_mod
from scheduler.codec import primitive
from scheduler.codec import request_spec as spec_codec
from scheduler.codec import selection as selection_codec
from scheduler.codec import values as v
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec as spec_obj_mod
from scheduler.objects import selection
from scheduler.rpc import cache_protocol as cache_mod
from scheduler.rpc import refusals as refusals_mod

T = TypeVar('T')
F = TypeVar('F', bound=Callable[..., Any])
SERVICE_NAME = 'scheduler'
API_VERSION = '4.5'
BASE_API_NAMESPACE = 'baseapi'
BASE_API_VERSION = '1.1'
CAST_METHODS = frozenset({
    'update_aggregates', 'delete_aggregate', 'update_instance_info',
    'delete_instance_info', 'sync_instance_info'})
_SAFE_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]{0,63}$')


class _Absent:
    """Sentinel: an argument the message did not carry."""

    def __repr__(self) -> str:
        return 'ABSENT'


ABSENT = _Absent()


class Scheduler(Protocol):
    """What the endpoint needs of scheduler.manager.SchedulerManager."""

    def select_destinations(
            self, context: context_obj.RequestContext,
            spec: spec_obj_mod.RequestSpec,
            instance_uuids: Sequence[str] | None = None, *,
            return_alternates: bool = False,
    ) -> list[list[selection.Selection]]: ...


def expose(func: F) -> F:
    """oslo.messaging's expose (what ExplicitRPCAccessPolicy checks), typed.
    """
    return cast(F, oslo_messaging.expose(func))


def refuse_unexpected(arguments: Mapping[str, object]) -> None:
    """Fail on arguments nova's API does not have, naming the first."""
    for name in arguments:
        label = name if _SAFE_NAME.match(name) else '#'
        raise codec_errors.ValidationError(label, 'unexpected argument')


def _decode(root: str, limits: limits_mod.DecodeLimits,
            read: Callable[[v.Path, object], T], value: object) -> T:
    path = v.Path(root, limits)
    return primitive.guarded(path, lambda: read(path, value))


class SchedulerEndpoint:
    target = oslo_messaging.Target(version=API_VERSION)

    def __init__(self, *, scheduler: Scheduler, hosts: cache_mod.HostCache,
                 limits: limits_mod.DecodeLimits,
                 authorizer: authorization.Authorizer,
                 refusals: refusals_mod.Refusals | None = None) -> None:
        """``refusals``: the dispatcher's (a denied cast is its refusal);
        a decoding failure is raised to the dispatcher, which hands it
        there too."""
        self._scheduler = scheduler
        self._authorizer = authorizer
        self._refusals = refusals or refusals_mod.Refusals()
        self._hosts = hosts
        self._limits = limits

    def _context(self, ctxt: Mapping[str, object]
                 ) -> context_obj.RequestContext:
        return context_codec.decode_context(ctxt, self._limits)

    def _cast_allowed(self, method: str,
                      ctxt: Mapping[str, object]) -> bool:
        """Whether the caller may change the cache; audits a refusal.

        A cast has no reply: a refused one is only audited and counted.
        """
        context = self._context(ctxt)
        decision = self._authorizer.method(method, context)
        if not decision.allowed:
            self._refusals.cast_denied(method, decision.rule, context)
        return decision.allowed

    def _instance_uuids(self, value: object) -> tuple[str, ...] | None:
        if value is None:
            return None
        uuids = instance_codec.decode_instance_uuids(value, self._limits)
        if len(uuids) > self._limits.max_num_instances:
            raise codec_errors.ValidationError(
                'instance_uuids',
                f'more than {self._limits.max_num_instances} instances')
        return uuids

    def _spec(self, spec_obj: object, request_spec: object,
              filter_properties: object) -> spec_obj_mod.RequestSpec:
        if spec_obj is not ABSENT:
            if request_spec is not None or filter_properties is not None:
                raise codec_errors.ValidationError(
                    'spec_obj', 'sent together with legacy request_spec '
                    'or filter_properties')
            return spec_codec.decode_request_spec(spec_obj, self._limits)
        return legacy_codec.decode_legacy_request(
            request_spec, filter_properties, self._limits)

    @expose
    def select_destinations(
            self, ctxt: Mapping[str, object], /,
            request_spec: object = None, filter_properties: object = None,
            spec_obj: object = ABSENT, instance_uuids: object = None,
            return_objects: object = False, return_alternates: object = False,
            **unexpected: object) -> list[Any]:
        # A decoding failure is a refusal: the dispatcher hands it to
        # ``refusals``, which answers and records it.
        refuse_unexpected(unexpected)
        context = self._context(ctxt)
        spec = self._spec(spec_obj, request_spec, filter_properties)
        uuids = self._instance_uuids(instance_uuids)
        objects = _decode('return_objects', self._limits, v.as_bool,
                          return_objects)
        alternates = _decode('return_alternates', self._limits,
                             v.as_bool, return_alternates)
        rows = self._scheduler.select_destinations(
            context, spec, uuids, return_alternates=objects and alternates)
        if objects:
            return selection_codec.encode_selections(rows)
        return [selection_codec.encode_legacy_destination(row[0])
                for row in rows]

    @expose
    def update_aggregates(self, ctxt: Mapping[str, object], /,
                          aggregates: object = ABSENT,
                          **unexpected: object) -> None:
        refuse_unexpected(unexpected)
        if not self._cast_allowed('update_aggregates', ctxt):
            return
        self._hosts.update_aggregates(
            aggregate_codec.decode_aggregates(_given(
                'aggregates', aggregates), self._limits))

    @expose
    def delete_aggregate(self, ctxt: Mapping[str, object], /,
                         aggregate: object = ABSENT,
                         **unexpected: object) -> None:
        refuse_unexpected(unexpected)
        if not self._cast_allowed('delete_aggregate', ctxt):
            return
        self._hosts.delete_aggregate(aggregate_codec.decode_aggregate(
            _given('aggregate', aggregate), self._limits))

    def _host_name(self, value: object) -> str:
        return _decode('host_name', self._limits, v.as_str,
                       _given('host_name', value))

    @expose
    def update_instance_info(self, ctxt: Mapping[str, object], /,
                             host_name: object = ABSENT,
                             instance_info: object = ABSENT,
                             **unexpected: object) -> None:
        refuse_unexpected(unexpected)
        if not self._cast_allowed('update_instance_info', ctxt):
            return
        host = self._host_name(host_name)
        instances = instance_codec.decode_instance_list(
            _given('instance_info', instance_info), self._limits)
        self._hosts.update_instance_info(host, instances)

    @expose
    def delete_instance_info(self, ctxt: Mapping[str, object], /,
                             host_name: object = ABSENT,
                             instance_uuid: object = ABSENT,
                             **unexpected: object) -> None:
        refuse_unexpected(unexpected)
        if not self._cast_allowed('delete_instance_info', ctxt):
            return
        host = self._host_name(host_name)
        uuid = _decode('instance_uuid', self._limits, v.as_uuid,
                       _given('instance_uuid', instance_uuid))
        self._hosts.delete_instance_info(host, uuid)

    @expose
    def sync_instance_info(self, ctxt: Mapping[str, object], /,
                           host_name: object = ABSENT,
                           instance_uuids: object = ABSENT,
                           **unexpected: object) -> None:
        refuse_unexpected(unexpected)
        if not self._cast_allowed('sync_instance_info', ctxt):
            return
        host = self._host_name(host_name)
        uuids = instance_codec.decode_instance_uuids(
            _given('instance_uuids', instance_uuids), self._limits)
        self._hosts.sync_instance_info(host, uuids)


def _given(name: str, value: T | _Absent) -> T:
    if isinstance(value, _Absent):
        raise codec_errors.ValidationError(name, 'missing')
    return value


class BaseAPIEndpoint:
    """nova's baserpc.BaseRPCAPI: ping and get_backdoor_port."""

    target = oslo_messaging.Target(namespace=BASE_API_NAMESPACE,
                                   version=BASE_API_VERSION)

    def __init__(self, service_name: str = SERVICE_NAME) -> None:
        self.service_name = service_name

    @expose
    def ping(self, ctxt: Mapping[str, object], /, arg: object = ABSENT,
             **unexpected: object) -> dict[str, object]:
        refuse_unexpected(unexpected)
        # The dispatcher already bounded the message, arg included.
        return {'service': self.service_name, 'arg': _given('arg', arg)}

    @expose
    def get_backdoor_port(self, ctxt: Mapping[str, object], /,
                          **unexpected: object) -> None:
        refuse_unexpected(unexpected)
        # There is no eventlet backdoor in a native-threads service.
        return None
