"""Aggregate 1.x / AggregateList 1.x (update_aggregates, delete_aggregate)."""

from collections.abc import Mapping

from scheduler.codec import limits as limits_mod
from scheduler.codec import primitive as envelope
from scheduler.codec import values as v
from scheduler.objects import aggregate as aggregate_obj


def _metadata(path: v.Path, value: object) -> Mapping[str, str]:
    return v.as_dict(path, value, v.as_str)


def decode_aggregate_fields(obj: envelope.Obj) -> aggregate_obj.Aggregate:
    return aggregate_obj.Aggregate(
        id=obj.req('id', v.as_int),
        uuid=obj.req('uuid', v.as_uuid),
        name=obj.req('name', v.as_str),
        hosts=obj.req('hosts', lambda p, x: v.as_set(p, x, v.as_str),
                      absent=frozenset(), null=frozenset()),
        metadata=obj.req('metadata', _metadata, absent=aggregate_obj.EMPTY,
                         null=aggregate_obj.EMPTY),
    )


read_aggregate = envelope.object_reader('Aggregate', decode_aggregate_fields)


def _aggregates(path: v.Path, value: object,
                ) -> tuple[aggregate_obj.Aggregate, ...]:
    if isinstance(value, (list, tuple)):
        # What nova-api sends to update_aggregates: a JSON list.
        return v.as_list(path, value, read_aggregate)
    if isinstance(value, dict) and value.get(envelope.NAME) == 'Aggregate':
        return (read_aggregate(path, value),)
    return envelope.list_object_reader('AggregateList', read_aggregate)(
        path, value)


def decode_aggregate(
        primitive: object,
        limits: limits_mod.DecodeLimits = limits_mod.DEFAULT_LIMITS,
        *, root: str = 'aggregate') -> aggregate_obj.Aggregate:
    """Decode one Aggregate primitive (delete_aggregate)."""
    path = v.Path(root, limits)
    return envelope.guarded(
        path, lambda: read_aggregate(path, primitive))


def decode_aggregates(
        payload: object,
        limits: limits_mod.DecodeLimits = limits_mod.DEFAULT_LIMITS,
        *, root: str = 'aggregates') -> tuple[aggregate_obj.Aggregate, ...]:
    """Decode an Aggregate, an AggregateList or a list of Aggregates."""
    path = v.Path(root, limits)
    return envelope.guarded(path, lambda: _aggregates(path, payload))
