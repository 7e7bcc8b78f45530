"""Read-only access to nova's API and cell databases.

``tables`` declares the columns we read, ``engines`` makes connections
the database itself keeps read-only, ``urls`` fills cell URL templates
and keeps credentials out of messages, and ``api_reader`` /
``cell_reader`` hold the SELECTs. Nothing in this package writes.
"""
