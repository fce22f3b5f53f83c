"""The ``arsenal`` command line: a thin layer over the library."""
