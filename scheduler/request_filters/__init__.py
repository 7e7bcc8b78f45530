"""Request filters: rewrite the RequestSpec before Placement is asked.

Each filter is a function ``(spec, env) -> RequestSpec | None``: it returns
a new spec when it changed something and None when it did not apply. A
filter that must refuse the request raises ``errors.RequestFilterFailed``
with nova's wording (and an id-free wording for users); a flavor or image
that asks for something impossible raises the query builder's
``InvalidFlavorImageRequest``. They run in nova 34's order
(nova/scheduler/request_filter.py ALL_REQUEST_FILTERS).

``base`` is what a filter is given (``FilterEnv``) and the filter type;
``runner`` runs them; one module per group of nova's filters.
"""
