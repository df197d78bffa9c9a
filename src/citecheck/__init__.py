"""citecheck: verify the links and citations in a letter before it is sent."""

__version__ = "0.1.0"
