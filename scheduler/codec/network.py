"""NetworkMetadata 1.x and NetworkRequestList / NetworkRequest 1.x."""

from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import network as network_obj


def decode_network_metadata(obj: primitive.Obj) -> network_obj.NetworkMetadata:
    return network_obj.NetworkMetadata(
        physnets=obj.req('physnets', lambda p, x: v.as_set(p, x, v.as_str),
                         absent=frozenset()),
        tunneled=obj.req('tunneled', v.as_bool, absent=False),
    )


read_network_metadata = primitive.object_reader('NetworkMetadata',
                                                decode_network_metadata)


def decode_network_request(obj: primitive.Obj) -> network_obj.NetworkRequest:
    return network_obj.NetworkRequest(
        network_id=obj.get('network_id', v.as_str),
        address=obj.get('address', v.as_ip),
        port_id=obj.get('port_id', v.as_uuid),
        pci_request_id=obj.get('pci_request_id', v.as_uuid),
        tag=obj.get('tag', v.as_str),
        arq_uuid=obj.get('arq_uuid', v.as_uuid),
        device_profile=obj.get('device_profile', v.as_str),
    )


read_network_requests = primitive.list_object_reader(
    'NetworkRequestList',
    primitive.object_reader('NetworkRequest', decode_network_request))
