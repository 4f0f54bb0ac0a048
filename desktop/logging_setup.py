"""Logging to a rotating file in the data folder (and to stderr when asked)."""

from __future__ import annotations

import logging
import logging.handlers
from io import TextIOWrapper
from pathlib import Path
from typing import cast

from models.private import private_dir, private_opener

from .paths import log_dir

LOG_FILENAME = "griddesk.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """The log names visitors and cases: each file it starts is 0600 (models.private)."""

    def _open(self) -> TextIOWrapper:
        stream = open(  # noqa: SIM115 - the handler keeps the stream open
            self.baseFilename,
            self.mode,  # "a": a text stream
            encoding=self.encoding,
            errors=self.errors,
            opener=private_opener,
        )
        return cast(TextIOWrapper, stream)


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
        private_dir(data_dir)  # before its logs/ makes it with the umask's mode
        folder = private_dir(log_dir(data_dir))
        path = folder / LOG_FILENAME
        handler: logging.Handler = PrivateRotatingFileHandler(
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
