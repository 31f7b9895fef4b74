"""The ``autogets`` command line."""
