"""Host states, and the cache that keeps them current from nova's databases.

``host_state`` is the immutable ``HostState`` filters and weighers read;
``source`` hands out one immutable snapshot of them per request. The
database-backed ``cache`` (``HostStateCache``) builds them (``builder``,
``compute_node_columns``, ``instance_images``) from what ``loader`` reads
per cell (``cell_scatter``), keeps its data in ``cache_data``, applies
request-time reads (``fresh_reads``, ``read_coalescer``, ``deltas``) and
reloads off the request path (``background_reads``, ``cast_journal``,
``gc_settle``), configured by ``settings``.
"""
