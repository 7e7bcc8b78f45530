"""DiskWeigher: prefer hosts with more free disk (spread) by default."""

from scheduler import weighers


class DiskWeigher(weighers.BaseWeigher):
    minval = 0
    multiplier_option = 'disk_weight_multiplier'
    weight_attribute = 'free_disk_mb'
