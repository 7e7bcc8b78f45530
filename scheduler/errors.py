"""The scheduling errors callers see."""

from scheduler import explanation as explanation_mod


class NoValidHost(Exception):
    """No host could take the request; ``reason`` says why.

    The RPC edge sends this as nova.exception.NoValidHost with ``reason``
    as its kwarg and the formatted message as args[0], so nova-conductor
    raises nova's own exception with our text.
    """

    def __init__(self, explanation: explanation_mod.Explanation,
                 nova_compatible: bool = False) -> None:
        self.explanation = explanation
        self.reason = explanation_mod.user_reason(
            explanation, nova_compatible)
        if not self.reason and not nova_compatible:
            # Every failure has a stage; an empty reason is a bug here.
            raise ValueError('NoValidHost without a reason')
        self.message = explanation_mod.message(self.reason)
        super().__init__(self.message)


class RequestFilterFailed(Exception):
    """A request filter refused the request (nova's RequestFilterFailed).

    ``message`` keeps nova's "Scheduling failed: ..." wording, which may
    name a network, subnet or port; ``safe_message`` is the same without
    identifiers (``safe_reason``, or ``reason`` when that names none),
    for users unless nova-compatible reasons are configured.
    """

    def __init__(self, reason: str, safe_reason: str | None = None) -> None:
        self.message = f'Scheduling failed: {reason}'
        self.safe_message = f'Scheduling failed: {safe_reason or reason}'
        super().__init__(self.message)


class StageFailed(Exception):
    """A stage of the pipeline failed; the manager answers NoValidHost.

    ``stage`` says which; ``failure`` is the user-facing text when the
    stage has its own (otherwise the explanation words it from the
    counts), ``detail`` nova's own text when it differs; ``counts`` what
    the stage did before failing (Placement's answers, the claims made);
    ``target`` the forced destination (host, node) that matched no
    compute node, kept apart from the text so logs can hash the names.
    """

    def __init__(self, stage: explanation_mod.Stage,
                 failure: str | None = None, *, detail: str | None = None,
                 counts: (explanation_mod.PlacementCount
                          | explanation_mod.ClaimCount | None) = None,
                 target: tuple[str | None, str | None] | None = None
                 ) -> None:
        super().__init__(f'{stage} failed')
        self.stage = stage
        self.failure = failure
        self.detail = detail
        self.counts = counts
        self.target = target
