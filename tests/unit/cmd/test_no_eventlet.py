import subprocess
import sys
import textwrap

import testtools

PROBE = textwrap.dedent('''
    import sys
    import scheduler.cmd.scheduler
    import scheduler.cmd.manage
    import oslo_messaging
    from oslo_service import backend, service
    assert backend.get_backend_type() == backend.BackendType.THREADING
    loaded = sorted(m for m in sys.modules
                    if m == 'eventlet' or m.startswith('eventlet.'))
    print(loaded)
    try:
        import eventlet  # noqa: F401
    except ImportError as exc:
        print('refused:', exc)
''')


class NoEventletTest(testtools.TestCase):
    """The service runs on native threads: eventlet never loads."""

    def test_entry_points_never_load_eventlet(self):
        # A fresh interpreter: this test process may have imported anything.
        out = subprocess.run([sys.executable, '-W', 'ignore', '-c', PROBE],
                             capture_output=True, text=True, check=True)
        lines = out.stdout.splitlines()
        self.assertEqual('[]', lines[0], out.stderr)
        self.assertTrue(lines[1].startswith('refused: eventlet is not '
                                            'allowed'), out.stdout)

    def test_a_monkey_patched_process_is_refused(self):
        probe = ('import eventlet; eventlet.monkey_patch()\n'
                 'import scheduler.cmd.scheduler\n')
        out = subprocess.run([sys.executable, '-W', 'ignore', '-c', probe],
                             capture_output=True, text=True)
        self.assertNotEqual(0, out.returncode)
        self.assertIn('RuntimeError: eventlet monkey-patched this process',
                      out.stderr)
