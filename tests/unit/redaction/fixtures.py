"""Keeping the process's logging as a test found it."""

import logging
import sys

import fixtures

from scheduler import redaction


class IsolatedLogging(fixtures.Fixture):
    """Saves the root logger (handlers, level) and sys.excepthook, which
    oslo.log's setup replaces, and takes redaction off before and after.
    """

    def _setUp(self):
        root = logging.getLogger()
        redaction.uninstall()
        saved = (list(root.handlers), root.level, sys.excepthook)
        self.addCleanup(self._restore, *saved)

    @staticmethod
    def _restore(handlers, level, excepthook):
        redaction.uninstall()
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
            if handler not in handlers:
                handler.close()
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        sys.excepthook = excepthook


def identifiers(clear=False, key=b'test-key'):
    return redaction.Identifiers(key=key, clear=clear)
