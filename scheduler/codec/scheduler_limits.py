"""SchedulerLimits 1.x primitives (decode side)."""

from scheduler.codec import numa
from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import selection as selection_obj


def decode_scheduler_limits(obj: primitive.Obj,
                            ) -> selection_obj.SchedulerLimits:
    return selection_obj.SchedulerLimits(
        numa_topology=obj.get('numa_topology', numa.read_numa_limits),
        vcpu=obj.get('vcpu', v.as_int),
        disk_gb=obj.get('disk_gb', v.as_int),
        memory_mb=obj.get('memory_mb', v.as_int),
    )


read_scheduler_limits = primitive.object_reader('SchedulerLimits',
                                                decode_scheduler_limits)
