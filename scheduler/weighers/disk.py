"""DiskWeigher: prefer hosts with more free disk (spread) by default."""

from scheduler.weighers import base


class DiskWeigher(base.BaseWeigher):
    minval = 0
    multiplier_option = 'disk_weight_multiplier'
    weight_attribute = 'free_disk_mb'
