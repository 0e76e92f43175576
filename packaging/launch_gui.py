"""PyInstaller entry point for the desktop app (same as `python -m soe_desktop`)."""

from soe_desktop.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())
