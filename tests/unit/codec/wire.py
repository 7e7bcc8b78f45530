"""Builders for nova wire primitives used by the codec unit tests.

These are hand-written to nova 34's documented formats (NOVA_COMPAT 2.2,
2.3); tests/compat/codec checks the same decoders against nova's own
serializer.
"""

import copy
import json
import os

# Made by nova 34's serializer; tests/compat/codec/test_samples.py checks
# them against nova (tests/samples/README.rst says how to regenerate them).
SAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'samples')

INSTANCE_UUID = 'a1b2c3d4-0000-4000-8000-000000000002'
GROUP_UUID = '2d1b4a38-2b4b-4bde-9d53-3a1a0d1f1b6e'
CELL_UUID = '8b9b3c6e-1f0c-4a57-9a50-4c2f5f5d7e11'
IMAGE_UUID = '7e2c4f2e-1c1c-4c4c-9c9c-111111111111'
RP_UUID = '0c9a0d47-7f0a-43f5-a7a4-0c26f2f6c6a5'


def obj(name, version, data, changes=None):
    result = {
        'nova_object.name': name,
        'nova_object.namespace': 'nova',
        'nova_object.version': version,
        'nova_object.data': data,
    }
    if changes is None:
        changes = sorted(data)
    if changes:
        result['nova_object.changes'] = list(changes)
    return result


def flavor(**fields):
    data = {
        'id': 1, 'name': 'm1.small', 'memory_mb': 2048, 'vcpus': 2,
        'root_gb': 20, 'ephemeral_gb': 0, 'swap': 0, 'flavorid': '2',
        'rxtx_factor': 1.0, 'vcpu_weight': 0, 'disabled': False,
        'is_public': True, 'extra_specs': {'hw:cpu_policy': 'shared'},
        'description': None,
    }
    data.update(fields)
    return obj('Flavor', '1.2', data)


def image(props=None, **fields):
    data = {
        'id': IMAGE_UUID, 'name': 'cirros', 'container_format': 'bare',
        'disk_format': 'qcow2', 'min_ram': 0, 'min_disk': 0,
        'properties': obj('ImageMetaProps', '1.44', props or {}),
    }
    data.update(fields)
    return obj('ImageMeta', '1.8', data)


def cell_mapping(**fields):
    data = {
        'id': 2, 'uuid': CELL_UUID, 'name': 'cell1',
        'transport_url': 'rabbit://nova:S3cretMQ@mq.example:5672/',
        'database_connection':
            'mysql+pymysql://nova:S3cretDB@db.example/nova_cell1',
        'disabled': False,
    }
    data.update(fields)
    return obj('CellMapping', '1.1', data)


def destination(**fields):
    return obj('Destination', '1.4', dict(fields))


def instance_group(**fields):
    data = {
        'uuid': GROUP_UUID, 'policy': 'anti-affinity',
        'policies': ['anti-affinity'], 'members': [INSTANCE_UUID],
        'hosts': ['cmp1'], '_rules': {'max_server_per_host': '1'},
    }
    data.update(fields)
    return obj('InstanceGroup', '1.11', data)


def request_spec(version='1.15', **fields):
    data = {
        'id': 7, 'flavor': flavor(), 'image': image(),
        'numa_topology': None, 'pci_requests': None, 'project_id': 'p1',
        'user_id': 'u1', 'availability_zone': None, 'num_instances': 1,
        'ignore_hosts': None, 'force_hosts': None, 'force_nodes': None,
        'retry': None, 'instance_group': None,
        'scheduler_hints': {}, 'instance_uuid': INSTANCE_UUID,
        'is_bfv': False,
    }
    data.update(fields)
    return obj('RequestSpec', version, data)


def without(primitive, *fields):
    """A copy of ``primitive`` whose data lacks ``fields``."""
    result = copy.deepcopy(primitive)
    for field in fields:
        result['nova_object.data'].pop(field, None)
    return result


def load_sample(name):
    """A sample from tests/samples."""
    with open(os.path.join(SAMPLES_DIR, name)) as f:
        return json.load(f)
