"""Importing the library installs no import hook (an embedding process
keeps its imports) and chooses threads only when nothing chose yet."""

import subprocess
import sys
import textwrap

import testtools

LIBRARY = textwrap.dedent('''
    import sys
    before = list(sys.meta_path)
    import scheduler.service
    import scheduler.rpc.server
    import scheduler.rpc.workers
    import scheduler.redaction
    assert sys.meta_path == before, sys.meta_path
    from oslo_service import backend
    print(backend.get_backend_type().name)
    import eventlet
    import eventlet.backdoor  # not loaded by any library
    print('eventlet', eventlet.__version__ is not None)
''')

CHOSEN_FIRST = textwrap.dedent('''
    from oslo_service import backend
    backend.init_backend(backend.BackendType.EVENTLET)
    import scheduler.service
    print(backend.get_backend_type().name)
''')

ENTRY_POINT_AFTER_LIBRARY = textwrap.dedent('''
    import scheduler.service
    import scheduler.cmd.scheduler
    try:
        import eventlet.backdoor  # noqa: F401
    except ImportError as exc:
        print('refused:', exc)
''')


def run(probe):
    # A fresh interpreter: this test process may have imported anything.
    out = subprocess.run([sys.executable, '-W', 'ignore', '-c', probe],
                         capture_output=True, text=True)
    if out.returncode:
        raise AssertionError(out.stderr)
    return out.stdout.splitlines()


class LibraryImportTest(testtools.TestCase):

    def test_no_import_hook_and_eventlet_still_importable(self):
        self.assertEqual(['THREADING', 'eventlet True'], run(LIBRARY))

    def test_a_backend_chosen_first_is_kept(self):
        self.assertEqual(['EVENTLET'], run(CHOSEN_FIRST))

    def test_the_entry_point_still_refuses_eventlet_after_the_library(self):
        lines = run(ENTRY_POINT_AFTER_LIBRARY)
        self.assertTrue(lines[0].startswith('refused: eventlet.backdoor is '
                                            'not allowed'), lines)
