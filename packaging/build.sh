#!/usr/bin/env bash
# Build the one-folder desktop bundle with PyInstaller and pack it for hand-out:
#   dist/soe-desktop/                                   the folder (soe-desktop = the app, soe = the CLI)
#   dist/soe-desktop-<version>-linux-x86_64.tar.gz      what users download
# Needs the [bundle] extra next to the app's:  pip install -c constraints.txt -e ".[all,bundle]"
# Environment: PYTHON (default .venv/bin/python), DIST and WORK (output and scratch folders,
# default dist/ and build/), SOE_BUNDLE_TRAINING=0 to leave torch/transformers/peft out.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
DIST=${DIST:-dist}
WORK=${WORK:-build}

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "PyInstaller is not installed: pip install -c constraints.txt -e \".[all,bundle]\"" >&2
    exit 2
fi
if [ "${SOE_BUNDLE_TRAINING:-1}" != "0" ] && \
   ! "$PYTHON" -c "import sys, torch; sys.exit(0 if torch.version.cuda is None else 1)" 2>/dev/null; then
    echo "The bundle is built from the CPU build of torch (constraints.txt pins it); this torch is a CUDA" >&2
    echo "build or missing. See packaging/README.md, 'GPU path'." >&2
    exit 2
fi

version=$("$PYTHON" -c "import soe_desktop; print(soe_desktop.__version__)")
platform="$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m)"
archive="$DIST/soe-desktop-$version-$platform.tar.gz"

started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$WORK" packaging/soe_desktop.spec
# Strip the symbol tables of torch's own libraries (libtorch_cpu.so: 434 -> 345 MB); the dynamic
# symbols they link by stay. Only those: libraries repaired by auditwheel (numpy's and scipy's
# OpenBLAS) no longer load once stripped.
if [ "$(uname -s)" = Linux ] && command -v strip >/dev/null && [ -d "$DIST/soe-desktop/_internal/torch/lib" ]; then
    find "$DIST/soe-desktop/_internal/torch/lib" -name 'lib*.so*' \( -name 'libtorch*' -o -name 'libc10*' -o -name 'libshm*' \) \
        -exec strip --strip-unneeded {} +
fi
built=$(date +%s)
# The installer and the menu entry travel inside the folder, so an unpacked download installs itself.
install -m755 packaging/install.sh "$DIST/soe-desktop/install.sh"
install -m644 packaging/soe-desktop.desktop "$DIST/soe-desktop/soe-desktop.desktop"
tar -C "$DIST" -czf "$archive" soe-desktop
packed=$(date +%s)

echo "built $DIST/soe-desktop in $((built - started)) s, packed in $((packed - built)) s"
echo "unpacked: $(du -sm "$DIST/soe-desktop" | cut -f1) MB   packed: $(du -sm "$archive" | cut -f1) MB   $archive"
