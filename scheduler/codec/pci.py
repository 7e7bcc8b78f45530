"""InstancePCIRequests / InstancePCIRequest 1.x."""

from collections.abc import Mapping

from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import pci as pci_obj


def _spec(path: v.Path, value: object,
          ) -> tuple[Mapping[str, str | None], ...]:
    return v.as_list(path, value,
                     lambda p, x: v.as_dict(p, x, v.nullable(v.as_str)))


def decode_pci_request(obj: primitive.Obj) -> pci_obj.PCIRequest:
    return pci_obj.PCIRequest(
        count=obj.req('count', v.as_int),
        spec=obj.req('spec', _spec, absent=()),
        alias_name=obj.get('alias_name', v.as_str),
        is_new=obj.req('is_new', v.as_bool, absent=False, null=False),
        request_id=obj.get('request_id', v.as_uuid),
        requester_id=obj.get('requester_id', v.as_str),
        numa_policy=obj.get('numa_policy', v.as_str),
    )


read_pci_request = primitive.object_reader('InstancePCIRequest',
                                           decode_pci_request)


def decode_pci_requests(obj: primitive.Obj) -> pci_obj.PCIRequests:
    return pci_obj.PCIRequests(
        instance_uuid=obj.get('instance_uuid', v.as_uuid,
                              null=primitive.FAIL),
        requests=obj.req('requests',
                         lambda p, x: v.as_list(p, x, read_pci_request),
                         absent=()),
    )


read_pci_requests = primitive.object_reader('InstancePCIRequests',
                                            decode_pci_requests)
