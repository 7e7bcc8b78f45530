"""The Prometheus endpoint, scraped over HTTP after real scheduling."""

import urllib.request
import uuid

from prometheus_client import parser
import testtools

from scheduler import errors
from scheduler import metrics as metrics_mod
from scheduler.placement import client as client_mod
from tests.functional import cloud as cloud_mod
from tests.functional import placement_service


def scrape(port):
    with urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics',
                                timeout=10) as resp:
        text = resp.read().decode()
    samples = {}
    for family in parser.text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


class MetricsEndpointTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.service = self.useFixture(placement_service.PlacementService(
            '[hardened_scheduler]\nmetrics_listen_address = 127.0.0.1\n'
            'metrics_port = 0\n'))
        conf = self.service.conf
        self.cloud = cloud_mod.Cloud(self.service)
        for name in ('host1', 'host2'):
            self.cloud.add_host(name)
        self.metrics = metrics_mod.SchedulerMetrics()
        self.server = metrics_mod.MetricsServer(conf, self.metrics)
        self.assertTrue(self.server.start())
        self.addCleanup(self.server.stop)
        client = client_mod.PlacementClient(
            conf, observer=self.metrics.observe_placement)
        self.manager = self.cloud.manager(client=client,
                                          metrics=self.metrics)

    def test_scrape_after_scheduling(self):
        self.manager.select_destinations(
            cloud_mod.CONTEXT, cloud_mod.spec(), [str(uuid.uuid4())])
        self.assertRaises(
            errors.NoValidHost, self.manager.select_destinations,
            cloud_mod.CONTEXT, cloud_mod.spec(
                flavor=cloud_mod.flavor(**{
                    'capabilities:hypervisor_type': 'Xen'})),
            [str(uuid.uuid4())])
        samples = scrape(self.server.port)
        ns = 'hardened_scheduler_'
        self.assertEqual(1.0, samples[(ns + 'select_destinations_total',
                                       (('result', 'scheduled'),))])
        self.assertEqual(1.0, samples[(ns + 'select_destinations_total',
                                       (('result', 'no_valid_host'),))])
        self.assertEqual(0.0, samples[(ns + 'select_destinations_total',
                                       (('result', 'error'),))])
        self.assertEqual(1.0, samples[(ns + 'no_valid_host_total',
                                       (('stage', 'filters'),))])
        self.assertEqual(2.0, samples[(
            ns + 'filter_hosts_removed_total',
            (('filter', 'ComputeCapabilitiesFilter'),))])
        self.assertEqual(1.0, samples[(ns + 'claims_total',
                                       (('outcome', 'claimed'),))])
        self.assertEqual(2.0, samples[(
            ns + 'placement_request_duration_seconds_count',
            (('call', 'GET /allocation_candidates'), ('status', '2xx')))])
        self.assertEqual(2.0, samples[(
            ns + 'stage_duration_seconds_count', (('stage', 'total'),))])
        # Each configured filter that ran, once per request: the rejected
        # request stopped at ComputeCapabilitiesFilter.
        for name, requests in (('ComputeFilter', 2.0),
                               ('ComputeCapabilitiesFilter', 2.0),
                               ('ImagePropertiesFilter', 1.0),
                               ('ServerGroupAffinityFilter', 1.0)):
            self.assertEqual(requests, samples[(
                ns + 'filter_duration_seconds_count',
                (('filter', name),))], name)
            self.assertGreaterEqual(samples[(
                ns + 'filter_duration_seconds_sum', (('filter', name),))],
                0.0)
        # Bounded cardinality: no label carries a host, uuid or project.
        for _, labels in samples:
            for _, value in labels:
                self.assertNotIn('host1', value)
                self.assertNotIn('project-1', value)
                self.assertIsNone(cloud_mod.uuid_like(value))
