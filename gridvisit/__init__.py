"""gridvisit: offline household-visit and problem tracking for community grid workers."""

from importlib import metadata

try:
    __version__ = metadata.version("gridvisit")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

APP_NAME = "gridvisit"
