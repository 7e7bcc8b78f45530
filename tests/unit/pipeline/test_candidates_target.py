"""An unknown requested destination: its names are kept apart."""

from oslo_config import cfg
import testtools

from scheduler.pipeline import candidates
from scheduler import conf as conf_pkg
from scheduler import errors
from scheduler import explanation
from scheduler.hoststate import source as host_source
from tests.unit import fakes


class TargetNotFoundTest(testtools.TestCase):

    def test_names_recorded_apart_from_the_text(self):
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        exc = self.assertRaises(
            errors.StageFailed, candidates.fetch, None, conf,
            fakes.spec(force_hosts=('compute-9',)),
            host_source.InMemoryHostSource().snapshot(), None)
        self.assertEqual(explanation.Stage.TARGET, exc.stage)
        self.assertEqual(('compute-9', None), exc.target)
        # nova's own text stays for nova-compatible reasons.
        self.assertEqual('No such host - host: compute-9 node: None ',
                         exc.failure)
