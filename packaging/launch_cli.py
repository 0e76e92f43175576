"""PyInstaller entry point for the `soe` command line."""

from soe_desktop.cli import main

if __name__ == "__main__":
    main(prog_name="soe")
