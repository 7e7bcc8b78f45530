"""The scheduling simulator: try a configuration on a cloud you describe.

It starts an embedded Placement service, builds the cloud from a YAML
description, drives a workload through the scheduler, and reports
placements, utilisation, NoValidHost reasons by stage and latency.
openstack-placement is needed only here (the ``simulator`` extra).
"""
