"""Progress of a long step on standard error, so nobody waits in silence.

On a terminal the line is rewritten in place (at most ten times a
second); otherwise (a log file, CI) a line is written at every tenth of
the way, and at the end.
"""

import sys
import time
from typing import TextIO

# Not on a terminal: a line at every STEP_PERCENT of the total.
STEP_PERCENT = 10
# On a terminal: the line is rewritten at most this often.
REDRAW_SECONDS = 0.1


class Progress:
    """``label: done/total unit (note)`` for one step.

    ``update`` after each item, ``done`` at the end (also when the step
    stopped early).
    """

    def __init__(self, label: str, total: int, unit: str,
                 stream: TextIO | None = None,
                 tty: bool | None = None) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = sys.stderr if stream is None else stream
        self.tty = self.stream.isatty() if tty is None else tty
        self._shown = -1
        self._drawn = 0.0
        self._written = ''

    def _line(self, done: int, note: str) -> str:
        percent = 100 * done // self.total if self.total else 100
        text = f'{self.label}: {done}/{self.total} {self.unit} ({percent}%'
        return text + (f', {note})' if note else ')')

    def update(self, done: int, note: str = '') -> None:
        if self.tty:
            now = time.monotonic()
            if done < self.total and now - self._drawn < REDRAW_SECONDS:
                return
            self._drawn = now
            self.stream.write('\r\x1b[K' + self._line(done, note))
        else:
            step = 100 * done // max(1, self.total) // STEP_PERCENT
            if step == self._shown or (done < self.total and step == 0):
                return
            self._shown = step
            self._written = self._line(done, note)
            self.stream.write(self._written + '\n')
        self.stream.flush()

    def done(self, done: int, note: str = '') -> None:
        """The last state, and the end of the in-place line."""
        if self.tty:
            self._drawn = 0.0
            self.update(done, note)
            self.stream.write('\n')
        elif self._line(done, note) != self._written:
            self._written = self._line(done, note)
            self.stream.write(self._written + '\n')
        self.stream.flush()
