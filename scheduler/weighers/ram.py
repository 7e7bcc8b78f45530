"""RAMWeigher: prefer hosts with more free RAM (spread) by default."""

from scheduler.weighers import base


class RAMWeigher(base.BaseWeigher):
    minval = 0
    multiplier_option = 'ram_weight_multiplier'
    weight_attribute = 'free_ram_mb'
