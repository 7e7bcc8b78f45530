"""Every input of a simulation is checked before the first request."""

import os

import fixtures
import testtools

from scheduler.simulator import model
from scheduler.simulator import validation


class ConfigFileTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def problems(self, config_files=(), compare=()):
        exc = self.assertRaises(
            model.DescriptionError, validation.check_inputs, None, None,
            list(config_files), list(compare))
        return [p.replace(self.tmp + '/', '') for p in exc.problems]

    def test_valid(self):
        good = self.write('good.conf', '[filter_scheduler]\n'
                          'ram_weight_multiplier = -1.0\n')
        cloud, workload = validation.check_inputs(None, None, [good], [good])
        self.assertEqual(288, cloud.host_count)

    def test_missing_file(self):
        self.assertEqual(
            ['nope.conf: configuration file not found or not readable'],
            self.problems(compare=[os.path.join(self.tmp, 'nope.conf')]))

    def test_unparsable_file(self):
        bad = self.write('bad.conf', '[DEFAULT]\nno equals sign\n')
        self.assertEqual(
            ["bad.conf: line 2: cannot parse configuration file: No ':' "
             "or '=' found in assignment: 'no equals sign'"],
            self.problems(config_files=[bad]))

    def test_every_bad_value(self):
        bad = self.write('bad.conf', '[filter_scheduler]\n'
                         'ram_weight_multiplier = heavy\n'
                         '[hardened_scheduler]\nmax_num_instances = 0\n')
        self.assertEqual(
            ['bad.conf: [filter_scheduler] ram_weight_multiplier: invalid '
             "value: could not convert string to float: 'heavy'",
             'bad.conf: [hardened_scheduler] max_num_instances: invalid '
             'value: Should be greater than or equal to 1'],
            self.problems(compare=[bad]))

    def test_unknown_plugins_named_by_the_file_that_sets_them(self):
        filters = self.write('filters.conf', '[filter_scheduler]\n'
                             'enabled_filters = ComputeFilter,NoSuchFilter\n')
        weighers = self.write('weighers.conf', '[filter_scheduler]\n'
                              'weight_classes = NoWeigher\n')
        self.assertEqual(
            ['filters.conf: Unknown filter(s) in [filter_scheduler] '
             'enabled_filters: NoSuchFilter',
             'weighers.conf: Unknown weigher(s) in [filter_scheduler] '
             'weight_classes: NoWeigher'],
            self.problems(config_files=[filters], compare=[weighers]))

    def test_descriptions_and_files_together(self):
        cloud = self.write('cloud.yaml', 'host_groups: 3\n')
        exc = self.assertRaises(
            model.DescriptionError, validation.check_inputs, cloud, None,
            [], [os.path.join(self.tmp, 'nope.conf')])
        self.assertEqual(
            [f'{cloud}: host_groups: expected a list of host groups, got '
             'an integer 3',
             f'{self.tmp}/nope.conf: configuration file not found or not '
             'readable'], list(exc.problems))
