"""NumInstancesWeigher: by the number of instances on the host.

Disabled by default (multiplier 0.0); negative spreads, positive packs.
"""

from scheduler.weighers import base


class NumInstancesWeigher(base.BaseWeigher):
    multiplier_option = 'num_instances_weight_multiplier'
    weight_attribute = 'num_instances'
