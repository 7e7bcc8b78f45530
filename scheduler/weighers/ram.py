"""RAMWeigher: prefer hosts with more free RAM (spread) by default."""

from scheduler import weighers


class RAMWeigher(weighers.BaseWeigher):
    minval = 0
    multiplier_option = 'ram_weight_multiplier'
    weight_attribute = 'free_ram_mb'
