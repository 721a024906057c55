"""shotline: the installed application's own package. It holds the one version number,
the shipped data (presets/ and assets/, found by `shotline.data` through
importlib.resources) and the composition root (`shotline.app`) that wires the rooms."""

__version__ = "0.1.0"
