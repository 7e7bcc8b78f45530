"""Which of nova's functional tests exercise scheduling.

Whole modules where every test boots, moves or groups servers through the
scheduler; named classes from the larger modules; and the regression
tests that are about scheduling. Tests that patch nova's scheduler
internals (its manager, host manager or report client) test nova's
implementation, not the scheduler's behaviour, and are left out with the
reason beside them.
"""

import importlib
import unittest

PREFIX = 'nova.tests.functional.'

MODULES = (
    'test_server_group',
    'test_aggregates',
    'test_availability_zones',
    'test_routed_networks',
    'test_cold_migrate',
    'test_cross_az_attach',
    'test_scheduler',
    'test_json_filter',
)

CLASSES = {
    'test_servers': (
        'ServerMovingTests',             # resize, migrate, evacuate, shelve
        'TraitsBasedSchedulingTest',
        'ServerTestV256SingleCellMultiHostTestCase',
        'ServerTestV256MultiCellTestCase',
        'ServerTestV256RescheduleTestCase',
        'ServerRescheduleTests',
        'ServerLiveMigrateForceAndAbort',
        'ServerUnshelveSpawnFailTests',
        'ServerRebuildTestCase',
    ),
    'test_servers_resource_request': (
        'PortResourceRequestBasedSchedulingTest',
        'MultiGroupResourceRequestBasedSchedulingTest',
        'ServerMoveWithPortResourceRequestTest',
    ),
}

# nova's regression tests whose bug is about scheduling: host selection,
# server groups, aggregates and zones, alternates and reschedules, moves.
REGRESSIONS = (
    'test_bug_1404867', 'test_bug_1548980', 'test_bug_1595962',
    'test_bug_1620248', 'test_bug_1669054', 'test_bug_1670627',
    'test_bug_1671648', 'test_bug_1679750', 'test_bug_1689692',
    'test_bug_1702454', 'test_bug_1713783', 'test_bug_1718455',
    'test_bug_1718512', 'test_bug_1719730', 'test_bug_1732947',
    'test_bug_1735407', 'test_bug_1741125', 'test_bug_1741364',
    'test_bug_1746483', 'test_bug_1764556', 'test_bug_1764883',
    'test_bug_1780373', 'test_bug_1781286', 'test_bug_1781710',
    'test_bug_1784353', 'test_bug_1790204', 'test_bug_1794996',
    'test_bug_1797580', 'test_bug_1806064', 'test_bug_1806515',
    'test_bug_1815153', 'test_bug_1823370', 'test_bug_1825020',
    'test_bug_1825034', 'test_bug_1830747', 'test_bug_1837955',
    'test_bug_1843090', 'test_bug_1845291', 'test_bug_1848343',
    'test_bug_1849165', 'test_bug_1852458', 'test_bug_1862633',
    'test_bug_1879878', 'test_bug_1888395', 'test_bug_1889108',
    'test_bug_1890244', 'test_bug_1893284', 'test_bug_1895696',
    'test_bug_1896463', 'test_bug_1899649', 'test_bug_1899835',
    'test_bug_1914777', 'test_bug_1922053', 'test_bug_1938326',
    'test_bug_1943431', 'test_bug_1944619', 'test_bug_1978983',
    'test_bug_1983753', 'test_bug_2007968', 'test_bug_2025480',
    'test_bug_2044235', 'test_bug_2062127', 'test_bug_2062425',
    'test_bug_2080531', 'test_bug_2085975', 'test_bug_2088066',
    'test_bug_2098496', 'test_bug_2102038', 'test_bug_2108974',
    'test_bug_2111440', 'test_bug_2112187', 'test_bug_2125052',
    'test_bug_2125935', 'test_bug_2134375', 'test_bug_2139351',
    'test_bug_2140537', 'test_bug_2140631', 'test_bug_2143972',
    'test_bug_2152697', 'test_bug_2153425',
)

# Left out, by module and class or method name (subclasses included),
# with the reason; docs/compatibility.md lists them too.
PATCHES_NOVA = "patches nova's scheduler internals"
OVER_THE_WIRE = ("asserts the class name of an exception passed in-process "
                 "by nova's fake bus; over RabbitMQ nova-conductor gets "
                 "NoValidHost_Remote, which is what it gets here")
EXCLUDED = {
    # mock nova's ServerGroupAffinityFilter/AntiAffinityFilter.host_passes
    ('test_server_group', 'test_failed_count_with_affinity_violation'):
        PATCHES_NOVA,
    ('test_server_group', 'test_failed_count_with_anti_affinity_violation'):
        PATCHES_NOVA,
    # spies on nova's HostManager.get_filtered_hosts
    ('test_aggregates', 'test_aggregate_multitenancy_isolation_filter'):
        PATCHES_NOVA,
    # mocks nova's SchedulerReportClient._get_provider_aggregates
    ('test_routed_networks',
     'test_boot_with_immediate_port_fails_due_to_config'): PATCHES_NOVA,
    # counts calls of nova's scheduler-side claim_resources (mock
    # side_effect list: the first call is expected from nova's scheduler)
    ('test_servers', 'test_allocation_fails_during_reschedule'):
        PATCHES_NOVA,
    # asserts the debug log calls of nova's weighers
    ('regressions.test_bug_2125935', 'TestImagePropsWeigher'): PATCHES_NOVA,
    # nova's PCI test base wraps nova's PciPassthroughFilter through the
    # scheduler's host_manager
    ('regressions.test_bug_1983753', 'TestPciResize'): PATCHES_NOVA,
    ('regressions.test_bug_2098496',
     'PCIInPlacementCreateAfterDeleteTestCase'): PATCHES_NOVA,
    ('regressions.test_bug_2102038',
     'MultipleSpecPerAliasWithPCIInPlacementTest'): PATCHES_NOVA,
    ('regressions.test_bug_2111440',
     'MissingRCAndIdAliasWithPCIInPlacementTest'): PATCHES_NOVA,
    ('regressions.test_bug_2140631', 'TestBug2140631PCI'): PATCHES_NOVA,
    ('test_cold_migrate', 'test_cold_migrate_same_host_not_supported'):
        OVER_THE_WIRE,
    ('test_cold_migrate', 'test_cold_migrate_same_host_old_compute_disallow'):
        OVER_THE_WIRE,
    # fails with nova's own scheduler on this machine too: nova's
    # fill_virtual_interface_list hits SQLite's "database is locked" in
    # nova's threading mode; no scheduler call is involved
    ('regressions.test_bug_1825034', 'FillVirtualInterfaceListMigration'):
        "fails with nova's own scheduler too (SQLite lock in nova's "
        "threading mode; no scheduler call involved)",
}

# Tests that assert nova's exact NoValidHost reason text, by module and
# method (subclasses run them too): they run with [hardened_scheduler]
# nova_compatible_reasons = True, the option that restores nova's texts.
NOVA_REASONS = {
    'test_server_group': (
        'test_boot_server_with_anti_affinity_no_valid_host',
        'test_boot_servers_with_affinity_no_valid_host',
        'test_boot_server_with_anti_affinity_rules',
    ),
}


def _module(name):
    return importlib.import_module(PREFIX + name)


def _tests(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from _tests(test)
        else:
            yield test


def _names(test):
    """(module, {class name, method name}) of a test id."""
    parts = test.id()[len(PREFIX):].split('.')
    return '.'.join(parts[:-2]), set(parts[-2:])


def excluded_reason(test):
    module, names = _names(test)
    return next((reason for (mod, name), reason in EXCLUDED.items()
                 if mod == module and name in names), None)


def _asserts_nova_reason(test):
    module, names = _names(test)
    return bool(names & set(NOVA_REASONS.get(module, ())))


def _with_nova_reasons(test):
    from tests.nova_functional import scheduler_adapter

    run = test.run

    def run_with_nova_reasons(result=None):
        scheduler_adapter.nova_reasons.set()
        try:
            return run(result)
        finally:
            scheduler_adapter.nova_reasons.clear()

    test.run = run_with_nova_reasons
    return test


def selected(loader):
    """Every selected test, the left-out ones included."""
    found = unittest.TestSuite()
    for name in MODULES:
        found.addTests(loader.loadTestsFromModule(_module(name)))
    for name, classes in CLASSES.items():
        module = _module(name)
        for cls in classes:
            found.addTests(loader.loadTestsFromTestCase(getattr(module, cls)))
    for name in REGRESSIONS:
        found.addTests(loader.loadTestsFromModule(
            _module('regressions.' + name)))
    return list(_tests(found))


def suite(loader):
    return unittest.TestSuite(
        _with_nova_reasons(t) if _asserts_nova_reason(t) else t
        for t in selected(loader) if excluded_reason(t) is None)
