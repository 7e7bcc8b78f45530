"""Talking to Placement: the allocation-candidates query and the client.

``query`` turns a RequestSpec into the ``GET /allocation_candidates`` query
nova 34 would send (``resources`` and ``constraints`` hold the flavor and
image rules it needs); ``client`` sends it and makes the claims.
"""
