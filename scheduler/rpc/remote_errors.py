"""Failures as the caller receives them.

oslo.messaging sends a failure as its class name, module, message, args,
kwargs and a formatted traceback; a caller rebuilds it as ``cls(*args,
**kwargs)`` only when the module is in its allow-list (nova allows
``nova.exception``), otherwise it raises ``oslo_messaging.RemoteError``.
The classes here carry nova's module and class names and nova's
args/kwargs, so nova-conductor raises nova's own NoValidHost carrying our
reason. Nothing else about the failure leaves this process: no chained
exception, no stack (see ``dispatcher``).
"""

from typing import Any

from scheduler import explanation
from scheduler.codec import errors as codec_errors

NOVA_MODULE = 'nova.exception'
# Not in any caller's allow-list: nova raises RemoteError for these.
OUR_MODULE = 'hardened_scheduler'


class WireError(Exception):
    """An exception built to be serialized, never raised in our code.

    ``kwargs`` is what oslo.messaging sends next to ``args``.
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message)
        self.kwargs = kwargs
        # A chained exception would be formatted into the reply.
        self.__cause__ = None
        self.__context__ = None
        self.__suppress_context__ = True


class NoValidHost(WireError):
    """nova.exception.NoValidHost: args [message], kwargs reason, code."""

    __module__ = NOVA_MODULE


class AllocationUpdateFailed(WireError):
    """nova.exception.AllocationUpdateFailed (consumer_uuid, error)."""

    __module__ = NOVA_MODULE


class InternalError(WireError):
    """Anything unexpected; the caller sees a RemoteError."""

    __module__ = OUR_MODULE


class InvalidRequest(WireError):
    """A call other than select_destinations that does not decode."""

    __module__ = OUR_MODULE


class RequestAborted(WireError):
    """The service stopped before the request finished."""

    __module__ = OUR_MODULE


def no_valid_host(reason: str) -> NoValidHost:
    """nova's NoValidHost(reason=...): the message is nova's template."""
    reason = reason[:explanation.MAX_REASON]
    return NoValidHost(explanation.message(reason), reason=reason, code=500)


def invalid_request(error: codec_errors.ValidationError) -> NoValidHost:
    """A select_destinations request that does not decode.

    Sent as NoValidHost so every conductor path handles it as "nothing
    was scheduled" and the reason (field and problem, never the value)
    reaches the instance fault.
    """
    return no_valid_host(f'Invalid request: {error}')


def invalid_call(method: str, error: codec_errors.ValidationError
                 ) -> InvalidRequest:
    return InvalidRequest(f'Invalid {method} request: {error}')


def allocation_update_failed(consumer_uuid: str,
                             error: str) -> AllocationUpdateFailed:
    message = (f'Failed to update allocations for consumer {consumer_uuid}.'
               f' Error: {error}')
    return AllocationUpdateFailed(message, consumer_uuid=consumer_uuid,
                                  error=error, code=500)


def internal_error(method: str, request_id: str) -> InternalError:
    return InternalError(
        f'hardened-scheduler failed to handle {method} (request '
        f'{request_id}); the scheduler log has the details')


def request_aborted(method: str, request_id: str) -> RequestAborted:
    return RequestAborted(
        f'hardened-scheduler stopped before {method} (request '
        f'{request_id}) finished; nothing was claimed for it')
