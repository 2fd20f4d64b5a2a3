"""kg — a knowledge-graph builder for Korean public-sector and startup-support news."""

__version__ = "0.1.0"
