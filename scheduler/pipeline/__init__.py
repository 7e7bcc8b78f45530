"""The stages of select_destinations, in the order a request meets them.

``scheduler.manager`` runs them top to bottom:

1. ``admission``: may this caller ask this; drop the fields it may not set.
2. request filters (``scheduler.request_filters``): nova's pre-Placement
   edits of the request (tenant aggregates, AZ, traits, networks).
3. ``candidates``: the Placement query, and its allocation candidates.
4. ``host_gathering``: the host states of the providers Placement offered.
5. For each instance (``choosing``):

   - ``host_ordering``: ``host_constraints`` (force/ignore/destination),
     the filters, the weighers, then ``ranking``;
   - ``claims``: the first host Placement accepts, with ``recent_claims``
     (this worker's memory of what it claimed and saw refused);
   - ``consumption``: what the chosen host and request look like for the
     next instance.

6. ``alternates`` and ``selection_rows``: each chosen host and its
   alternates as nova's Selection objects.

Each stage returns a frozen result or raises ``errors.StageFailed``
naming itself; the manager alone writes the request's explanation.
"""
