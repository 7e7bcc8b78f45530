"""Admin calls to the embedded Placement: build providers, read usage."""

from collections.abc import Iterable, Mapping
from typing import Any

import requests

from scheduler.simulator import embedded_placement

VERSION = 'placement 1.39'


class PlacementAdminError(RuntimeError):
    pass


class Admin:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.http = requests.Session()
        self.http.headers.update({
            'x-auth-token': embedded_placement.TOKEN,
            'openstack-api-version': VERSION,
            'accept': 'application/json'})

    def call(self, method: str, path: str,
             body: Mapping[str, Any] | None = None,
             expect: Iterable[int] = (200, 201, 204)) -> Any:
        resp = self.http.request(method, self.endpoint + path, json=body,
                                 timeout=60)
        if resp.status_code not in tuple(expect):
            raise PlacementAdminError(
                f'{method} {path}: HTTP {resp.status_code}')
        return resp.json() if resp.text else None

    def create_provider(self, rp: str, name: str,
                        inventory: Mapping[str, Mapping[str, Any]],
                        traits: Iterable[str] = (),
                        aggregates: Iterable[str] = ()) -> None:
        self.call('POST', '/resource_providers', {'name': name, 'uuid': rp})
        gen = 0
        self.call('PUT', f'/resource_providers/{rp}/inventories', {
            'resource_provider_generation': gen, 'inventories': inventory})
        gen += 1
        traits = list(traits)
        for trait in traits:
            if trait.startswith('CUSTOM_'):
                self.call('PUT', f'/traits/{trait}', expect=(201, 204))
        if traits:
            self.call('PUT', f'/resource_providers/{rp}/traits', {
                'resource_provider_generation': gen, 'traits': traits})
            gen += 1
        aggregates = list(aggregates)
        if aggregates:
            self.call('PUT', f'/resource_providers/{rp}/aggregates', {
                'resource_provider_generation': gen,
                'aggregates': aggregates})

    def usages(self, rp: str) -> Mapping[str, int]:
        result: Mapping[str, int] = self.call(
            'GET', f'/resource_providers/{rp}/usages')['usages']
        return result

    def delete_allocations(self, consumer: str) -> None:
        self.call('DELETE', f'/allocations/{consumer}', expect=(204, 404))
