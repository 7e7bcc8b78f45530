"""What a host filter plugin implements, and what it answers.

A filter looks at one immutable ``HostState`` and the request and returns
``None`` when the host passes or a ``Rejection`` saying why it does not:
a code from ``RejectionCode`` (the kind of refusal, as kube-scheduler's
Status carries a Code) beside a short free text (what the NoValidHost
explanation counts and shows). A filter that also narrows the host for
the rest of the request (nova's NUMA and PCI filters drop the allocation
candidates that do not fit and set limits) implements ``refine``
instead, returning the narrowed host or a ``Rejection``; later filters,
the weighers, the claim and the Selections all see the narrowed host.
The runner (``scheduler.filters.runner``) applies them; an exception
inside a filter is a bug and propagates.

Per request, the runner asks each filter for a ``host_check``: the
per-host test with what depends only on the request worked out once
(parsed extra specs and image properties, the clock), or ``None`` when
the filter cannot reject any host for this request (no extra spec it
reads, no PCI request...): every host then passes without a per-host
call.
"""

from collections.abc import Callable, Mapping
import dataclasses
import enum
import functools
from typing import Any, ClassVar

from oslo_config import cfg

from scheduler.hoststate import host_state
from scheduler.objects import request_spec


class RejectionCode(enum.StrEnum):
    """The kind of a rejection, whichever filter gave it."""

    # The host's compute service is disabled, forced down or not
    # reporting.
    UNSCHEDULABLE = 'unschedulable'
    # The host is at a limit (IO operations, instances).
    INSUFFICIENT_RESOURCES = 'insufficient_resources'
    # Server group policy, same/different host or network nearness hints.
    AFFINITY = 'affinity'
    # The host's aggregates do not admit the request.
    AGGREGATE = 'aggregate'
    # The host cannot run, or may not run, the image.
    IMAGE = 'image'
    # The flavor's extra specs ask for capabilities the host lacks.
    CAPABILITIES = 'capabilities'
    NUMA = 'numa'
    PCI = 'pci'
    # The host does not report a metric the weighers need.
    METRICS = 'metrics'
    # The user's JSON query hint is not met (or not readable).
    HINT = 'hint'
    # A rejection of unknown kind (a nova filter run through the bridge).
    OTHER = 'other'


@dataclasses.dataclass(frozen=True, slots=True)
class Rejection:
    """Why a filter turned a host down: its name, a short reason and
    the kind of reason.

    The reason names no host: it is counted across hosts and may reach the
    user (in aggregate) through the NoValidHost explanation.
    """

    filter_name: str
    reason: str
    code: RejectionCode


# One host in, the host as later stages see it (or why it fails) out.
HostCheck = Callable[[host_state.HostState],
                     host_state.HostState | Rejection]


class BaseHostFilter:
    """Base of host filters; subclasses implement ``host_passes`` (or,
    to narrow the host, ``refine`` as RefiningHostFilter does)."""

    # Hosts' answers do not change between the instances of a
    # multi-create: run only for the first one.
    run_filter_once_per_request: ClassVar[bool] = False
    # Filters that read or prune HostState.allocation_candidates say so;
    # otherwise the pipeline attaches candidates only to the hosts it
    # claims or offers, not to every host of every request.
    USES_ALLOCATION_CANDIDATES: ClassVar[bool] = False
    # Run when the request only checks the current host for a rebuild.
    RUN_ON_REBUILD: ClassVar[bool] = False

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.conf = conf

    @property
    def name(self) -> str:
        return type(self).__name__

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec) -> Rejection | None:
        raise NotImplementedError

    def refine(self, host: host_state.HostState,
               spec: request_spec.RequestSpec
               ) -> host_state.HostState | Rejection:
        """The host as later stages should see it, or why it fails.

        Plain filters keep the host as it is.
        """
        rejection = self.host_passes(host, spec)
        return host if rejection is None else rejection

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> HostCheck | None:
        """The per-host test for this request, or None when every host
        passes it (the filter does not apply to this request).

        Filters override this to do per-request work once; the answer
        for each host must be exactly ``refine``'s.
        """
        return functools.partial(self.refine, spec=spec)

    def run_for_index(self, index: int) -> bool:
        return not (self.run_filter_once_per_request and index > 0)

    def reject(self, reason: str, code: RejectionCode) -> Rejection:
        return Rejection(self.name, reason, code)


class RefiningHostFilter(BaseHostFilter):
    """A filter that narrows the host: subclasses implement ``refine``."""

    # Refining filters prune the host's allocation candidates.
    USES_ALLOCATION_CANDIDATES: ClassVar[bool] = True

    def refine(self, host: host_state.HostState,
               spec: request_spec.RequestSpec
               ) -> host_state.HostState | Rejection:
        raise NotImplementedError

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec) -> Rejection | None:
        result = self.refine(host, spec)
        return result if isinstance(result, Rejection) else None


def keep_candidates(host: host_state.HostState,
                    fits: Callable[[Mapping[str, Any]], bool]
                    ) -> tuple[Mapping[str, Any], ...]:
    """The host's allocation candidates that ``fits`` accepts, in order
    (nova's CandidateFilterMixin.filter_candidates)."""
    return tuple(c for c in host.allocation_candidates if fits(c))
