"""Logging to a rotating file in the data folder (and to stderr when asked)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .paths import log_dir

LOG_FILENAME = "griddesk.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(data_dir: Path, *, verbose: bool = False) -> Path | None:
    """Send log records to ``logs/griddesk.log`` (5 files of 2 MB). Returns the file, if any."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for old in list(root.handlers):
        if getattr(old, "_griddesk", False):
            root.removeHandler(old)
            old.close()
    path: Path | None = None
    try:
        folder = log_dir(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_FILENAME
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._griddesk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if verbose:
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter(_FORMAT))
        console._griddesk = True  # type: ignore[attr-defined]
        root.addHandler(console)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    return path


def current_log_file() -> Path | None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    return None
