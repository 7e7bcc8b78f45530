"""Who may ask what: policy rules, request fields and the audit trail.

``policies`` defines the rules in code, ``authorization`` checks a
caller's context against them, ``request_trust`` drops the request fields
a caller may not set, and ``audit`` records every refusal and drop on the
``scheduler.audit`` logger.
"""
