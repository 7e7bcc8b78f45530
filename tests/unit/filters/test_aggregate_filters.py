"""Filters reading aggregate metadata: image properties isolation,
instance extra specs, multi-tenancy isolation, type affinity."""

import testtools

from scheduler.filters import aggregate_image_properties_isolation as aipi
from scheduler.filters import aggregate_instance_extra_specs as aies
from scheduler.filters import aggregate_multitenancy_isolation as ami
from scheduler.filters import type_filter
from scheduler.objects import flavor
from scheduler.objects import image
from tests.unit import fakes
from tests.unit.filters import conf_fixture


def _host(*metadatas):
    return fakes.host('h1', aggregates=[
        fakes.agg(i, f'a{i}', ['h1'], **md)
        for i, md in enumerate(metadatas)])


def _image_spec(**props):
    return fakes.spec(image=image.ImageMeta(
        id='img', properties=image.ImageProperties(props)))


def _flavor_spec(name='m1.tiny', **extra_specs):
    return fakes.spec(flavor=flavor.Flavor(
        memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0, swap=0,
        name=name, extra_specs=extra_specs))


class AggregateImagePropertiesIsolationTest(testtools.TestCase):

    def passes(self, host, spec, **overrides):
        f = aipi.AggregateImagePropertiesIsolation(
            conf_fixture.make_conf(filter_scheduler=overrides))
        return f.host_passes(host, spec) is None

    def test_property_among_values(self):
        host = _host({'os_distro': 'ubuntu, rhel'})
        self.assertTrue(self.passes(host, _image_spec(os_distro='rhel')))
        self.assertFalse(self.passes(host,
                                     _image_spec(os_distro='windows')))

    def test_values_merged_across_aggregates(self):
        host = _host({'os_distro': 'ubuntu'}, {'os_distro': 'windows'})
        self.assertTrue(self.passes(host,
                                    _image_spec(os_distro='windows')))

    def test_unset_or_false_property_does_not_restrict(self):
        host = _host({'os_distro': 'ubuntu', 'hw_qemu_guest_agent': 'x'})
        self.assertTrue(self.passes(host, _image_spec()))
        self.assertTrue(self.passes(host, fakes.spec()))
        self.assertTrue(self.passes(
            host, _image_spec(hw_qemu_guest_agent=False)))
        self.assertFalse(self.passes(
            host, _image_spec(hw_qemu_guest_agent=True)))

    def test_value_printed_as_nova_does(self):
        host = _host({'hw_qemu_guest_agent': 'True',
                      'hw_cpu_cores': '4'})
        self.assertTrue(self.passes(host, _image_spec(
            hw_qemu_guest_agent=True, hw_cpu_cores=4)))
        self.assertFalse(self.passes(host, _image_spec(hw_cpu_cores=8)))

    def test_keys_without_image_property_ignored(self):
        self.assertTrue(self.passes(_host({'ssd': 'true'}),
                                    _image_spec(os_distro='rhel')))

    def test_namespace_skips_other_keys_and_matches_nothing(self):
        # nova looks the namespaced key up as an image property, which
        # never exists: with a namespace nothing restricts.
        host = _host({'os_distro': 'ubuntu', 'ns.os_distro': 'ubuntu'})
        spec = _image_spec(os_distro='rhel')
        self.assertFalse(self.passes(host, spec))
        self.assertTrue(self.passes(
            host, spec,
            aggregate_image_properties_isolation_namespace='ns'))

    def test_reason_names_property(self):
        f = aipi.AggregateImagePropertiesIsolation(conf_fixture.make_conf())
        rejection = f.host_passes(_host({'os_distro': 'ubuntu'}),
                                  _image_spec(os_distro='rhel'))
        self.assertIn('os_distro', rejection.reason)
        self.assertNotIn('h1', rejection.reason)

    def test_flags(self):
        self.assertTrue(aipi.AggregateImagePropertiesIsolation
                        .run_filter_once_per_request)
        self.assertTrue(aipi.AggregateImagePropertiesIsolation
                        .RUN_ON_REBUILD)


class AggregateInstanceExtraSpecsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = aies.AggregateInstanceExtraSpecsFilter(
            conf_fixture.make_conf())

    def passes(self, host, **extra_specs):
        return self.filter.host_passes(
            host, _flavor_spec(**extra_specs)) is None

    def test_no_extra_specs_passes(self):
        self.assertTrue(self.passes(_host()))

    def test_unscoped_key_must_be_in_metadata(self):
        self.assertFalse(self.passes(_host(), ssd='true'))
        self.assertTrue(self.passes(_host({'ssd': 'true'}), ssd='true'))
        self.assertFalse(self.passes(_host({'ssd': 'false'}), ssd='true'))

    def test_scope(self):
        host = _host({'ssd': 'true', 'a:b': 'x'})
        self.assertTrue(self.passes(
            host, **{'aggregate_instance_extra_specs:ssd': 'true'}))
        self.assertFalse(self.passes(
            host, **{'aggregate_instance_extra_specs:ssd': 'false'}))
        # The rest after the scope may contain ':'.
        self.assertTrue(self.passes(
            host, **{'aggregate_instance_extra_specs:a:b': 'x'}))
        # Other scopes are not this filter's.
        self.assertTrue(self.passes(host, **{'hw:cpu_policy': 'dedicated',
                                             'capabilities:x': 'y'}))

    def test_any_value_matches(self):
        host = _host({'speed': '10, 40'}, {'speed': '100'})
        self.assertTrue(self.passes(host, speed='>= 50'))
        self.assertTrue(self.passes(host, speed='<or> 40 <or> 7'))
        self.assertFalse(self.passes(host, speed='> 100'))
        self.assertFalse(self.passes(host, speed='>= 500'))

    def test_operators(self):
        host = _host({'cpu': 'intel xeon gold'})
        self.assertTrue(self.passes(host, cpu='<in> xeon'))
        self.assertTrue(self.passes(host, cpu='<all-in> gold intel'))
        self.assertFalse(self.passes(host, cpu='<all-in> gold amd'))
        self.assertTrue(self.passes(host, cpu='s>= intel'))

    def test_non_numeric_value_does_not_match_but_others_may(self):
        # nova raises ValueError here or not, depending on set order.
        host = _host({'speed': 'fast, 40'})
        self.assertTrue(self.passes(host, speed='>= 10'))
        self.assertFalse(self.passes(_host({'speed': 'fast'}),
                                     speed='>= 10'))
        self.assertFalse(self.passes(host, speed='>= quick'))

    def test_bare_or_does_not_raise(self):
        self.assertFalse(self.passes(_host({'x': 'a'}), x='<or>'))

    def test_flags(self):
        cls = aies.AggregateInstanceExtraSpecsFilter
        self.assertTrue(cls.run_filter_once_per_request)
        self.assertFalse(cls.RUN_ON_REBUILD)


class AggregateMultiTenancyIsolationTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = ami.AggregateMultiTenancyIsolation(
            conf_fixture.make_conf())

    def passes(self, host, project='p1'):
        return self.filter.host_passes(
            host, fakes.spec(project_id=project)) is None

    def test_unrestricted_hosts_take_anyone(self):
        self.assertTrue(self.passes(_host()))
        self.assertTrue(self.passes(_host({'other': 'p2'})))

    def test_restricted_host(self):
        host = _host({'filter_tenant_id': 'p2, p3'},
                     {'filter_tenant_id_2': 'p4'})
        for project in ('p2', 'p3', 'p4'):
            self.assertTrue(self.passes(host, project))
        self.assertFalse(self.passes(host, 'p1'))
        self.assertFalse(self.passes(host, None))

    def test_reason_names_no_project(self):
        rejection = self.filter.host_passes(
            _host({'filter_tenant_id': 'secret-project'}),
            fakes.spec(project_id='p1'))
        self.assertEqual(ami.PROJECT_NOT_ALLOWED, rejection.reason)
        self.assertNotIn('secret', rejection.reason)


class AggregateTypeAffinityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = type_filter.AggregateTypeAffinityFilter(
            conf_fixture.make_conf())

    def passes(self, host, name='m1.tiny'):
        return self.filter.host_passes(host, _flavor_spec(name)) is None

    def test_no_metadata_passes(self):
        self.assertTrue(self.passes(_host({'x': 'y'})))

    def test_flavor_listed(self):
        host = _host({'instance_type': 'm1.small, m1.tiny'})
        self.assertTrue(self.passes(host))
        self.assertFalse(self.passes(host, 'm1.large'))
        # A prefix is not a name.
        self.assertFalse(self.passes(host, 'm1'))

    def test_any_aggregate_lists_it(self):
        host = _host({'instance_type': 'm1.small'},
                     {'instance_type': 'm1.tiny'})
        self.assertTrue(self.passes(host))

    def test_flavor_without_name(self):
        self.assertFalse(self.passes(_host({'instance_type': 'a'}), None))
