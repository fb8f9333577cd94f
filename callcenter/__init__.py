"""callcenter: a call-center CTI toolkit."""

__version__ = "0.1.0"
