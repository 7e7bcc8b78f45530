"""``-f table|json|yaml``: how a command prints its result.

``table`` is for people; ``json`` and ``yaml`` print one document of
the same data for scripts, as the openstack client's ``-f`` does. Only
the document goes to standard output in those formats: progress and
log lines go to standard error.
"""

import argparse
from collections.abc import Mapping
import json
from typing import Any

import yaml

TABLE = 'table'
FORMATS = (TABLE, 'json', 'yaml')


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('-f', '--format', choices=FORMATS, default=TABLE,
                        help='output format (default: %(default)s)')


def document(data: Mapping[str, Any], fmt: str) -> str:
    """``data`` (plain dicts, lists, strings, numbers) as JSON or YAML."""
    if fmt == 'json':
        return json.dumps(data, indent=2, sort_keys=False)
    if fmt == 'yaml':
        return str(yaml.safe_dump(dict(data), sort_keys=False,
                                  default_flow_style=False)).rstrip('\n')
    raise ValueError(f'not a document format: {fmt}')
