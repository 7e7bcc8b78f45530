"""The nova wire codec: primitives in, frozen domain objects out.

Decoders (``decode_*``) turn the JSON-like values oslo.messaging hands us
into the typed objects of ``scheduler.objects``; the only exception they
raise is :class:`scheduler.codec.errors.ValidationError`. Encoders turn our
Selections back into what nova's conductors expect, and (``encode_*``, for
our own RPC client) a RequestSpec and context into what a conductor sends.
"""
