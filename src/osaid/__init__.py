"""osaid: is this AI release really open source? Checks against the OSI Open Source AI Definition 1.0."""

__version__ = "0.1.0"
