"""nova 34's own functional tests, with hardened-scheduler as the scheduler.

``tox -e nova-functional`` discovers this package; ``load_tests`` returns
nova's test cases, unmodified, from the installed nova package (a
test-only dependency), selected in ``selection``. Before any test runs,
nova's service-manager mapping names ``scheduler_adapter``'s manager for
``nova-scheduler``, so every ``start_service('scheduler')`` of nova's
tests starts hardened-scheduler, reached over the wire format.

nova runs in its native-threading mode (``OS_NOVA_DISABLE_EVENTLET_
PATCHING=1``, set by tox): no eventlet, and file-backed SQLite databases
that our scheduler opens with its own engines.
"""

import os


def load_tests(loader, standard_tests, pattern):
    if os.environ.get('OS_NOVA_DISABLE_EVENTLET_PATCHING') != '1':
        raise RuntimeError('tests.nova_functional: run it with '
                           'OS_NOVA_DISABLE_EVENTLET_PATCHING=1 (tox -e '
                           'nova-functional does)')
    # nova's functional package selects its concurrency mode on import;
    # it must come before anything else loads oslo.service.
    import nova.tests.functional  # noqa: F401

    from tests.nova_functional import scheduler_adapter
    from tests.nova_functional import selection

    scheduler_adapter.install()
    return selection.suite(loader)
