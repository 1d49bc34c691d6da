"""The package's version, in a module of its own so that no module imports the package's
``__init__`` (which the command line and the docs read it through)."""

__version__ = "0.2.0"
