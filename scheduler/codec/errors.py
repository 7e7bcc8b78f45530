"""The one exception the codec raises for bad input."""


class ValidationError(Exception):
    """A wire value that does not decode.

    ``field`` is a dotted path into the message (``spec_obj.flavor.vcpus``,
    ``request_spec.instance_group.members[3]``) and ``reason`` says what is
    wrong with it. Neither ever contains the offending value: values can be
    secrets (tokens, DB URLs) or just huge, and these messages are logged.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, reason)
        self.field = field
        self.reason = reason

    def __str__(self) -> str:
        return f'{self.field}: {self.reason}'

    def __repr__(self) -> str:
        return f'ValidationError({self.field!r}, {self.reason!r})'
