"""The one place the version of GridDesk is written."""

__version__ = "0.1.0"
