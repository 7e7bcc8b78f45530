"""Typed, frozen domain objects.

The codec (``scheduler.codec``) decodes nova's wire primitives into these at
the RPC edge; the core never sees raw dicts. Every object is immutable so a
request can be shared between threads and stages without copies.
"""
