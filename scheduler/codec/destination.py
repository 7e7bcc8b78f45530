"""Destination 1.x (with CellMapping) and SchedulerRetries 1.x.

A CellMapping arrives with the cell's database_connection and transport_url
in clear. They are never read here: only uuid and name survive decoding, and
cells are resolved from our own API database by uuid.
"""

from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import destination as destination_obj
from scheduler.objects import request_spec as spec_obj


def decode_cell(obj: primitive.Obj) -> destination_obj.CellRef:
    return destination_obj.CellRef(
        uuid=obj.req('uuid', v.as_uuid),
        name=obj.get('name', v.as_str),
    )


read_cell = primitive.object_reader('CellMapping', decode_cell)


def decode_destination(obj: primitive.Obj) -> destination_obj.Destination:
    return destination_obj.Destination(
        host=obj.get('host', v.as_str, null=primitive.FAIL),
        node=obj.get('node', v.as_str),
        cell=obj.get('cell', read_cell),
        aggregates=obj.get('aggregates',
                           lambda p, x: v.as_list(p, x, v.as_str)),
        allow_cross_cell_move=obj.req('allow_cross_cell_move', v.as_bool,
                                      absent=False, null=False),
        forbidden_aggregates=obj.get('forbidden_aggregates',
                                     lambda p, x: v.as_set(p, x, v.as_str)),
    )


read_destination = primitive.object_reader('Destination', decode_destination)


def decode_compute_node_ref(obj: primitive.Obj) -> tuple[str, str | None]:
    return (obj.req('host', v.as_str),
            obj.get('hypervisor_hostname', v.as_str))


read_compute_nodes = primitive.list_object_reader(
    'ComputeNodeList',
    primitive.object_reader('ComputeNode', decode_compute_node_ref))


def decode_retry(obj: primitive.Obj) -> spec_obj.SchedulerRetries:
    return spec_obj.SchedulerRetries(
        num_attempts=obj.req('num_attempts', v.as_int, absent=0),
        hosts=obj.req('hosts', read_compute_nodes, absent=()),
    )


read_retry = primitive.object_reader('SchedulerRetries', decode_retry)
