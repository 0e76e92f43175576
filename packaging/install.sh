#!/usr/bin/env bash
# Install SoE Desktop for the current user (no administrator rights needed), or remove it.
#
#   ./install.sh                  from inside an unpacked bundle (soe-desktop-<version>-linux-x86_64/)
#   packaging/install.sh BUNDLE   BUNDLE = the dist/soe-desktop folder or the .tar.gz archive
#   ./install.sh --uninstall      removes the program, its menu entry and icons; your data stays
#
# It puts the program in ~/.local/opt/soe-desktop, `soe-desktop` and `soe` in ~/.local/bin, the
# menu entry in ~/.local/share/applications (PDFs can be opened with it from the file manager) and
# the icons in ~/.local/share/icons/hicolor. PREFIX (default ~/.local) changes where.
set -euo pipefail
PREFIX=${PREFIX:-$HOME/.local}
APP_DIR="$PREFIX/opt/soe-desktop"
DESKTOP_FILE="$PREFIX/share/applications/soe-desktop.desktop"
ICON_PNG="$PREFIX/share/icons/hicolor/256x256/apps/soe-desktop.png"
ICON_SVG="$PREFIX/share/icons/hicolor/scalable/apps/soe-desktop.svg"
HERE="$(cd "$(dirname "$0")" && pwd)"

refresh_menus() {
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$PREFIX/share/applications" || true
    command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" || true
}

uninstall() {
    for link in "$PREFIX/bin/soe-desktop" "$PREFIX/bin/soe"; do
        if [ -L "$link" ] && [ "$(readlink "$link")" = "$APP_DIR/$(basename "$link")" ]; then rm -f "$link"; fi
    done
    rm -rf "$APP_DIR"
    rm -f "$DESKTOP_FILE" "$ICON_PNG" "$ICON_SVG"
    refresh_menus
    echo "SoE Desktop removed. Your library and settings were kept (Help > About shows where they are)."
}

find_bundle() {  # the folder holding the soe-desktop program: given, unpacked from an archive, or this one
    local given="${1:-}"
    if [ -z "$given" ] && [ -x "$HERE/soe-desktop" ] && [ -d "$HERE/_internal" ]; then
        echo "$HERE"
    elif [ -d "$given" ] && [ -x "$given/soe-desktop" ]; then
        (cd "$given" && pwd)
    elif [ -f "$given" ]; then
        tar -xzf "$given" -C "$SCRATCH"
        echo "$SCRATCH/soe-desktop"
    else
        echo "usage: install.sh [BUNDLE_FOLDER | soe-desktop-*.tar.gz] | --uninstall" >&2
        exit 2
    fi
}

install_bundle() {
    local bundle resources
    SCRATCH="$(mktemp -d)"  # where an archive is unpacked; removed when the script ends
    trap 'rm -rf "$SCRATCH"' EXIT
    bundle="$(find_bundle "${1:-}")"
    resources="$bundle/_internal/soe_desktop/resources/icons"
    mkdir -p "$PREFIX/opt" "$PREFIX/bin" "$(dirname "$DESKTOP_FILE")" "$(dirname "$ICON_PNG")" "$(dirname "$ICON_SVG")"
    rm -rf "$APP_DIR.new"
    cp -a "$bundle" "$APP_DIR.new"
    rm -rf "$APP_DIR"
    mv "$APP_DIR.new" "$APP_DIR"  # an old version is replaced only once the new one is fully copied
    ln -sfn "$APP_DIR/soe-desktop" "$PREFIX/bin/soe-desktop"
    ln -sfn "$APP_DIR/soe" "$PREFIX/bin/soe"
    # The menu entry names the program by its full path: ~/.local/bin is not always on a desktop's PATH.
    sed -e "s|^Exec=soe-desktop|Exec=\"$APP_DIR/soe-desktop\"|" -e "s|^TryExec=soe-desktop|TryExec=$APP_DIR/soe-desktop|" \
        "$APP_DIR/soe-desktop.desktop" > "$DESKTOP_FILE"
    install -m644 "$resources/soe-desktop.png" "$ICON_PNG"
    if [ -f "$resources/soe-desktop.svg" ]; then install -m644 "$resources/soe-desktop.svg" "$ICON_SVG"; fi
    refresh_menus
    echo "SoE Desktop installed in $APP_DIR"
    echo "Start it from your applications menu, or run: $PREFIX/bin/soe-desktop"
    echo "Check it works here:  $PREFIX/bin/soe-desktop --self-test"
}

case "${1:-}" in
    --uninstall) uninstall ;;
    -h|--help) sed -n '2,11p' "$0" ;;
    *) install_bundle "${1:-}" ;;
esac
