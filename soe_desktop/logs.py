"""Where log records go: a file in the data folder, not the terminal.

The libraries the core reads PDFs with report quirks they cope with anyway; playa (camelot's
PDF parser) warns "Page label tree is missing index 0" for every protocol whose page-label tree
starts after page 1. With no handler configured, Python's logging prints every warning to
stderr, between the CLI's own one-line messages and progress bars, where nobody can act on it.
The CLI and the app call `route_logs_to_file` at start-up, so such records, and the app's own
diagnostics, are kept in `<data folder>/logs/soe-desktop.log` instead.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE_NAME = "soe-desktop.log"
MAX_LOG_BYTES = 1_000_000
KEPT_LOG_FILES = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HANDLER_NAME = "soe-desktop-log"  # tells the handler this module installs from any other


def log_file(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / LOG_FILE_NAME


def route_logs_to_file(data_dir: Path) -> Path | None:
    """Send warnings of every library, and the app's own info, to the data folder's log file.

    Called again (another data folder, or every command in one test process), it replaces its
    previous handler. Returns the file, or None when the folder cannot be written: the records
    are then dropped rather than printed.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()
    path = log_file(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(path, maxBytes=MAX_LOG_BYTES, backupCount=KEPT_LOG_FILES,
                                                       encoding="utf-8", delay=True)
    except OSError:
        handler, path = logging.NullHandler(), None
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)  # the root keeps its level (WARNING unless someone chose otherwise)
    logging.getLogger("soe_desktop").setLevel(logging.INFO)
    return path
