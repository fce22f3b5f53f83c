"""The Python API and the HTTP service: library calls that join the store and the engines.

Every ``arsenal`` command that needs both is one call here, usable from a notebook.
"""
