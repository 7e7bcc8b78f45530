"""NUMA fitting as nova's scheduler does it (nova.virt.hardware).

``topology`` reads the host's NUMATopology, ``instance`` holds the instance
cells being fitted, ``pages``/``pinning``/``cell_fit``/``fit`` decide where
an instance fits, ``usage`` records what it then uses and ``consume`` does
both for the instances of a multi-create.
"""
