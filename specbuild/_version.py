"""The version of specbuild (a leaf module: every layer may read it without loading the package API)."""

__version__ = "0.1.0"
