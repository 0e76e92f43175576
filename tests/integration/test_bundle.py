"""The desktop bundle: packaging/build.sh builds it, and from outside the repository, with a clean
HOME and no virtual environment on PATH, its `soe-desktop --self-test` passes (the whole workflow,
training included), `soe` runs, and packaging/install.sh installs it into ~/.local and removes it.

Building takes ~8 minutes on 2 idle cores. It skips, saying why, when PyInstaller (the [bundle]
extra) is not installed. SOE_TEST_BUNDLE=<dist folder> tests an already built bundle instead of
building one (for a developer who just ran build.sh; CI builds).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from soe_desktop import __version__

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    prebuilt = os.environ.get("SOE_TEST_BUNDLE")
    if prebuilt:
        return Path(prebuilt)
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install -e '.[bundle]'): the bundle cannot be built")
    out = tmp_path_factory.mktemp("bundle")
    env = {**os.environ, "DIST": str(out / "dist"), "WORK": str(out / "work"), "PYTHON": sys.executable}
    built = subprocess.run(["bash", str(REPO_ROOT / "packaging" / "build.sh")], cwd=REPO_ROOT, env=env,
                           capture_output=True, text=True, timeout=3600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out / "dist"


def clean_env(home: Path) -> dict[str, str]:
    """What a user's fresh login has: a HOME of its own, system PATH only, no Python variables."""
    home.mkdir(parents=True, exist_ok=True)
    return {"HOME": str(home), "PATH": CLEAN_PATH, "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_build_packs_a_versioned_archive(dist):
    archive = dist / f"soe-desktop-{__version__}-linux-x86_64.tar.gz"
    assert archive.is_file()
    with tarfile.open(archive) as packed:
        names = set(packed.getnames())
    for name in ("soe-desktop", "soe", "install.sh", "soe-desktop.desktop"):
        assert f"soe-desktop/{name}" in names


def test_the_bundle_leaves_out_what_it_never_loads(dist):
    internal = dist / "soe-desktop" / "_internal"
    assert not (internal / "torch" / "test").exists() and not (internal / "torch" / "include").exists()
    assert not (internal / "nvidia").exists()
    assert not list(internal.glob("PySide6/QtQml*")) and not list(internal.glob("PySide6/QtNetwork*"))
    # what it does need: the model-card template the LoRA student's save reads, the OCR models, the guide
    assert list(internal.glob("huggingface_hub/templates/modelcard_template.md"))
    assert list(internal.glob("rapidocr/models/*.onnx"))
    assert (internal / "soe_desktop" / "resources" / "guide" / "USER_GUIDE.md").is_file()


def test_self_test_passes_from_outside_the_repo_with_a_clean_home(dist, tmp_path):
    program = dist / "soe-desktop" / "soe-desktop"
    done = run([str(program), "--self-test"], cwd=tmp_path, env=clean_env(tmp_path / "home"))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for step in ("sample", "detect", "grid", "train", "lora"):  # the bundle carries training
        assert any(line.startswith(f"ok   {step}") for line in lines), done.stdout
    assert lines[-1] == "self-test passed"
    assert not (tmp_path / "home" / ".local" / "share" / "SoE Desktop").exists()  # a temporary library only


def test_version_and_the_cli(dist, tmp_path):
    env = clean_env(tmp_path / "home")
    version = run([str(dist / "soe-desktop" / "soe-desktop"), "--version"], cwd=tmp_path, env=env)
    assert version.stdout.strip() == f"SoE Desktop {__version__}", version.stderr
    cli = run([str(dist / "soe-desktop" / "soe"), "--help"], cwd=tmp_path, env=env)
    assert cli.returncode == 0 and "triage" in cli.stdout


def test_install_into_local_and_uninstall(dist, tmp_path):
    home = tmp_path / "home"
    env = clean_env(home)
    archive = dist / f"soe-desktop-{__version__}-linux-x86_64.tar.gz"
    installed = run(["bash", str(REPO_ROOT / "packaging" / "install.sh"), str(archive)], cwd=tmp_path, env=env)
    assert installed.returncode == 0, installed.stderr
    local = home / ".local"
    entry = (local / "share" / "applications" / "soe-desktop.desktop").read_text()
    assert f'Exec="{local}/opt/soe-desktop/soe-desktop" %F' in entry and "MimeType=application/pdf;" in entry
    assert (local / "share" / "icons" / "hicolor" / "256x256" / "apps" / "soe-desktop.png").is_file()
    version = run([str(local / "bin" / "soe-desktop"), "--version"], cwd=tmp_path, env=env)  # through the link
    assert version.stdout.strip() == f"SoE Desktop {__version__}", version.stderr
    (home / ".local" / "share" / "SoE Desktop").mkdir(parents=True)  # the user's library
    removed = run(["bash", str(local / "opt" / "soe-desktop" / "install.sh"), "--uninstall"], cwd=tmp_path, env=env)
    assert removed.returncode == 0, removed.stderr
    assert not (local / "opt" / "soe-desktop").exists() and not (local / "bin" / "soe-desktop").exists()
    assert not (local / "share" / "applications" / "soe-desktop.desktop").exists()
    assert (home / ".local" / "share" / "SoE Desktop").is_dir()  # data kept
