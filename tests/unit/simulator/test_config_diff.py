"""What a run's configuration files change, as the report shows it."""

import os

import fixtures
import testtools

from scheduler.simulator import config_diff


class ChangedOptionsTest(testtools.TestCase):

    def write(self, text):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'nova.conf')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def test_no_file_changes_nothing(self):
        self.assertEqual((), config_diff.changed_options([]))

    def test_only_values_other_than_the_default(self):
        path = self.write(
            '[filter_scheduler]\n'
            'ram_weight_multiplier = -1.0\n'
            # nova's default, written out: not a change.
            'cpu_weight_multiplier = 1.0\n'
            'enabled_filters = ComputeFilter,ImagePropertiesFilter\n'
            '[unknown_group]\nanything = 1\n')
        self.assertEqual(
            (config_diff.ChangedOption(
                'filter_scheduler', 'enabled_filters',
                'ComputeFilter, ImagePropertiesFilter'),
             config_diff.ChangedOption(
                 'filter_scheduler', 'ram_weight_multiplier', '-1.0')),
            config_diff.changed_options([path]))

    def test_secrets_are_masked(self):
        path = self.write(
            '[database]\nconnection = mysql+pymysql://nova:s3cret@db/nova\n')
        (option,) = config_diff.changed_options([path])
        self.assertEqual('[database] connection', option.key)
        self.assertEqual('***', option.value)

    def test_differences_name_both_values(self):
        base = (config_diff.ChangedOption('DEFAULT', 'host', 'a'),
                config_diff.ChangedOption('filter_scheduler',
                                          'host_subset_size', '2'))
        other = (config_diff.ChangedOption('DEFAULT', 'host', 'a'),
                 config_diff.ChangedOption('filter_scheduler',
                                           'ram_weight_multiplier', '-1.0'))
        self.assertEqual(
            (('[filter_scheduler] host_subset_size', '2', '(default)'),
             ('[filter_scheduler] ram_weight_multiplier', '(default)',
              '-1.0')),
            config_diff.differences(base, other))
