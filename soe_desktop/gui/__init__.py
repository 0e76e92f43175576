"""PySide6 shell: wires Qt to the core; no heavy work on the GUI thread."""
