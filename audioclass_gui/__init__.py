"""audioclass-gui: review what audio classifiers found in field recordings."""

__version__ = "0.1.0"

__all__ = ["__version__"]
