"""A built wheel, installed normally (not editable), carries what the app reads at run time.

The wheel is built from a copy of the package (so the working tree gets no build/ or egg-info
changes) and installed with `pip --python` into a fresh venv that has no pip of its own. A .pth
file added afterwards lets that venv import this test venv's dependencies (numpy, pdfplumber...)
without installing them again; `soe_desktop` itself comes only from the wheel. Every command
runs from a folder outside the repository, so nothing can be found through the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from soe_desktop.core.synthetic import write_sample_protocol
from soe_desktop.resources import APP_ICON, DEFAULT_PROMPT

REPO_ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Builds a wheel and starts three interpreters: 7 s on an idle machine, over 20 s on a busy one.
# Still in the default run (the marker deselects nothing unless asked: -m "not slow").
pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command}\nstdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}"
    return result


def build_wheel(out: Path) -> Path:
    """`pip wheel` on a copy of the package sources, without build isolation (offline)."""
    source = out / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO_ROOT / "soe_desktop", source / "soe_desktop", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, source / name)
    wheels = out / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(wheels), str(source)], cwd=out)
    (wheel,) = wheels.glob("soe_desktop-*.whl")
    return wheel


def install_in_fresh_venv(wheel: Path, target: Path) -> Path:
    """A venv without pip, the wheel installed into it, then this venv's packages made visible."""
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
         str(wheel)], cwd=target)
    site_packages = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                        cwd=target).stdout.strip()
    # Appended after the venv's own site-packages, so the wheel's soe_desktop wins; a plain path
    # line does not run the test venv's .pth files, so its editable install stays invisible.
    (Path(site_packages) / "test_venv_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(out)
    python = install_in_fresh_venv(wheel, out / "venv")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    outside = out / "elsewhere"
    outside.mkdir()
    return wheel, python, env, outside


def test_the_wheel_lists_the_prompt_the_icon_and_the_page_model_weights(installed):
    wheel = installed[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    assert f"soe_desktop/resources/prompts/{DEFAULT_PROMPT}" in names
    assert f"soe_desktop/resources/icons/{APP_ICON}" in names
    assert any(name.startswith("soe_desktop/core/") and name.endswith(".json") for name in names)


def test_soe_triage_runs_from_the_installed_wheel(installed):
    _, python, env, outside = installed
    sample = outside / "sample_protocol.pdf"
    truth = write_sample_protocol(sample)
    soe = python.parent / ("soe.exe" if os.name == "nt" else "soe")
    payload = json.loads(run([str(soe), "triage", str(sample), "--json"], cwd=outside, env=env).stdout)
    assert payload["document"]["pages"] == truth.page_count
    assert payload["soe_pages"], "the installed page model found no SoE page"


PROBE = """
import json, soe_desktop
from soe_desktop.core.labeling.gemini import DEFAULT_PROMPT_FILE, load_prompt
from soe_desktop.resources import icon_file
from PySide6.QtWidgets import QApplication
app = QApplication([])
from soe_desktop.gui.app import app_icon
print(json.dumps({"package": soe_desktop.__file__, "prompt": str(DEFAULT_PROMPT_FILE),
                  "version": load_prompt().version, "icon": str(icon_file()),
                  "icon_head": list(icon_file().read_bytes()[:8]), "qt_icon": not app_icon().isNull()}))
"""


def test_prompt_and_icon_resolve_inside_the_installed_package(installed):
    pytest.importorskip("PySide6")
    pytest.importorskip("google.genai")
    _, python, env, outside = installed
    found = json.loads(run([str(python), "-c", PROBE], cwd=outside, env=env).stdout.strip().splitlines()[-1])
    package = Path(found["package"]).parent
    assert REPO_ROOT not in package.parents, f"imported the source tree: {package}"
    assert python.parent.parent in package.parents
    assert Path(found["prompt"]).is_relative_to(package) and found["version"] == "soe-label-v1"
    assert Path(found["icon"]).is_relative_to(package)
    assert bytes(found["icon_head"]) == PNG_SIGNATURE and found["qt_icon"]
