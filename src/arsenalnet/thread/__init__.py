"""The digital thread: signed statements about parts and facilities in a tamper-evident log.

Pure parts only (bytes in, bytes out; no files, no database): RFC 9162 Merkle trees
(:mod:`~arsenalnet.thread.merkle`, :mod:`~arsenalnet.thread.nodes`), COSE_Sign1 signed
statements and receipts, and the registration policy. The store keeps the log
(:mod:`arsenalnet.store.thread_log`); :mod:`arsenalnet.api.thread` puts them together.
See ``docs/thread.md``.
"""
