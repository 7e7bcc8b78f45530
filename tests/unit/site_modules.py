"""Site plugin modules for loader tests, on a host without nova.

:class:`SiteModules` writes modules into a temporary directory on
sys.path and makes nova unimportable (every ``nova`` module blocked in
sys.modules, as on a scheduler host without nova installed). The site
modules imported meanwhile are dropped afterwards.
"""

import os
import sys
from unittest import mock

import fixtures


class SiteModules(fixtures.Fixture):

    def __init__(self, **sources: str) -> None:
        super().__init__()
        self.sources = sources

    def _setUp(self) -> None:
        path = self.useFixture(fixtures.TempDir()).path
        for name, source in self.sources.items():
            with open(os.path.join(path, f'{name}.py'), 'w') as f:
                f.write(source)
        sys.path.insert(0, path)
        self.addCleanup(sys.path.remove, path)
        blocked = {name: None for name in sys.modules
                   if name == 'nova' or name.startswith('nova.')}
        blocked['nova'] = None
        patcher = mock.patch.dict(sys.modules, blocked)
        patcher.start()
        self.addCleanup(patcher.stop)
