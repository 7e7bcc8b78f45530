"""The few Neutron calls the request filters make (nova's network API).

:mod:`scheduler.neutron.client` holds the calls, :mod:`.auth` the
credentials each call uses and :mod:`.errors` the typed failures.
"""
