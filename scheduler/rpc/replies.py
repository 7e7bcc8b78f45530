"""Replies to select_destinations: only to a caller, never pinning a worker.

oslo.messaging sends a reply on the executor thread that handled the
call. When the caller's reply queue is gone (the conductor died or
restarted), its RabbitMQ driver keeps retrying for
``[oslo_messaging_rabbit] kombu_missing_consumer_retry_timeout`` (60 s),
then abandons the reply silently. The thread is pinned all that time, and
the claims the reply carried stay in Placement with nobody to use them.

Here a select_destinations reply is sent from a thread of its own
(tracked as in flight, so a graceful stop waits for it), and when it
cannot be delivered, the claims it carried are released. A
select_destinations without a reply address (a cast) is refused before
anything is claimed: nobody would ever receive its destinations.
"""

import collections.abc
from collections.abc import Callable, Sequence
import logging
import threading
from typing import Any

from scheduler.placement import pending_releases
from scheduler.placement import results
from scheduler.rpc import inflight as inflight_mod

LOG = logging.getLogger(__name__)
# Replies being sent from their own thread at most; past it, a reply is
# sent on the executor thread, as oslo.messaging does.
MAX_REPLY_THREADS = 256


def wants_reply(incoming: Any) -> bool:
    """Whether the caller waits for an answer (a call, not a cast).

    The AMQP drivers carry the caller's message id (none for a cast);
    the fake driver a reply queue. A driver with neither is assumed to
    want one.
    """
    if hasattr(incoming, 'orig_msg_id'):
        return bool(incoming.orig_msg_id)
    if hasattr(incoming, '_reply_q'):
        return incoming._reply_q is not None
    return True


def _abandoned(incoming: Any) -> bool:
    """Whether the AMQP driver gave up on the reply (missing queue).

    The driver returns normally after giving up, remembering the queue as
    obsolete; that record is the only trace it leaves.
    """
    obsolete = getattr(incoming, '_obsolete_reply_queues', None)
    # A cachetools.TTLCache of the queues given up on, in oslo.messaging.
    cache = getattr(obsolete, '_cache', None)
    reply_q = getattr(incoming, 'reply_q', None)
    return isinstance(cache, collections.abc.Container) and (
        reply_q is not None and reply_q in cache)


class Replies:
    """Sends select_destinations replies apart; releases undelivered claims.
    """

    def __init__(self, inflight: inflight_mod.InFlight,
                 releaser: pending_releases.Releaser) -> None:
        self._inflight = inflight
        self._releaser = releaser
        self._slots = threading.BoundedSemaphore(MAX_REPLY_THREADS)

    def watch(self, incoming: Any, held: Sequence[results.ClaimUndo],
              request_id: str, global_request_id: str | None) -> None:
        """Make ``incoming.reply`` send apart and release on failure.

        oslo.messaging's server calls ``incoming.reply`` right after the
        dispatch returns; the wrapper replaces it on this message only.
        """
        original: Callable[..., None] = incoming.reply

        def send(reply: Any = None, failure: Any = None) -> None:
            try:
                original(reply=reply, failure=failure)
                delivered = not _abandoned(incoming)
            except Exception as exc:
                LOG.warning('Reply to request %(req)s failed: %(error)s',
                            {'req': request_id,
                             'error': type(exc).__name__})
                delivered = False
            if not delivered and held:
                LOG.warning('Reply to request %(req)s could not be '
                            'delivered (the caller is gone): releasing its '
                            '%(n)d claim(s)', {'req': request_id,
                                               'n': len(held)})
                for undo in held:
                    self._releaser.release(
                        undo, global_request_id=global_request_id,
                        why='its reply could not be delivered')

        def tracked(reply: Any, failure: Any) -> None:
            try:
                with self._inflight.track('reply', request_id,
                                          global_request_id):
                    send(reply, failure)
            except inflight_mod.Aborted:
                send(reply, failure)  # stopping: still deliver it
            finally:
                self._slots.release()

        def reply_apart(reply: Any = None, failure: Any = None) -> None:
            if not self._slots.acquire(blocking=False):
                send(reply, failure)
                return
            try:
                threading.Thread(target=tracked, args=(reply, failure),
                                 name='rpc-reply', daemon=True).start()
            except RuntimeError:  # no thread to be had
                self._slots.release()
                send(reply, failure)

        incoming.reply = reply_apart
