"""IoOpsWeigher: by the number of IO-heavy operations on the host.

The default multiplier (-1.0) prefers lightly loaded hosts.
"""

from scheduler.weighers import base


class IoOpsWeigher(base.BaseWeigher):
    minval = 0
    multiplier_option = 'io_ops_weight_multiplier'
    weight_attribute = 'num_io_ops'
