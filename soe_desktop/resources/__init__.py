"""Files the app ships inside its package: the Gemini prompts and the application icon.

They are found with `importlib.resources`, never relative to the source tree, so a wheel
installed normally, an editable install and the PyInstaller bundle all find them the same way.
Callers read bytes or text rather than paths, which also works if the package is zipped.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

DEFAULT_PROMPT = "soe_label_v1.txt"
APP_ICON = "soe-desktop.png"


def prompt_file(name: str = DEFAULT_PROMPT) -> Traversable:
    """A prompt under `prompts/` (read it with `.read_text(encoding="utf-8")`)."""
    return files(__name__) / "prompts" / name


def icon_file(name: str = APP_ICON) -> Traversable:
    """An icon under `icons/` (read it with `.read_bytes()`)."""
    return files(__name__) / "icons" / name
