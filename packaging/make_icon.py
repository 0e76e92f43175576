"""Draw the application icon as SVG (the source) and PNG (for Qt and the .desktop file).

Both files come from the same shapes below, so they cannot drift apart. Run from the repo root:
    python packaging/make_icon.py
It writes soe_desktop/resources/icons/soe-desktop.svg and soe-desktop.png (256 px).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 256
ICONS = Path(__file__).resolve().parents[1] / "soe_desktop" / "resources" / "icons"
PAPER, INK, ACCENT, SHADE = "#ffffff", "#1f3a5f", "#2e9d5b", "#dbe4ef"
PAGE = (40, 20, 216, 236)  # a protocol page
GRID_LEFT, GRID_TOP, CELL, COLS, ROWS = 64, 78, 32, 4, 4  # a schedule grid on it
MARKS = [(0, 0), (1, 1), (2, 1), (3, 2), (0, 2), (2, 3)]  # (col, row) cells with a mark


def _cell(col: int, row: int) -> tuple[int, int, int, int]:
    x, y = GRID_LEFT + col * CELL, GRID_TOP + row * CELL
    return x, y, x + CELL, y + CELL


def svg() -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}">',
             f'<rect x="{PAGE[0]}" y="{PAGE[1]}" width="{PAGE[2] - PAGE[0]}" height="{PAGE[3] - PAGE[1]}" '
             f'rx="14" fill="{PAPER}" stroke="{INK}" stroke-width="8"/>',
             f'<rect x="{GRID_LEFT}" y="44" width="{COLS * CELL}" height="16" rx="4" fill="{INK}"/>']
    for col in range(COLS):
        for row in range(ROWS):
            x0, y0, _, _ = _cell(col, row)
            fill = SHADE if row == 0 else PAPER
            parts.append(f'<rect x="{x0}" y="{y0}" width="{CELL}" height="{CELL}" fill="{fill}" '
                         f'stroke="{INK}" stroke-width="3"/>')
    for col, row in MARKS:
        x0, y0, x1, y1 = _cell(col, row)
        parts.append(f'<path d="M{x0 + 7} {y0 + 7} L{x1 - 7} {y1 - 7} M{x1 - 7} {y0 + 7} L{x0 + 7} {y1 - 7}" '
                     f'stroke="{INK}" stroke-width="4" stroke-linecap="round"/>')
    parts.append(f'<circle cx="188" cy="196" r="44" fill="{ACCENT}"/>')
    parts.append('<path d="M166 197 L182 213 L212 180" fill="none" stroke="#ffffff" stroke-width="12" '
                 'stroke-linecap="round" stroke-linejoin="round"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def png() -> Image.Image:
    scale = 4  # draw large, then shrink: cheap anti-aliasing
    image = Image.new("RGBA", (SIZE * scale, SIZE * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def s(*values: float) -> list[float]:
        return [v * scale for v in values]

    draw.rounded_rectangle(s(*PAGE), radius=14 * scale, fill=PAPER, outline=INK, width=8 * scale)
    draw.rounded_rectangle(s(GRID_LEFT, 44, GRID_LEFT + COLS * CELL, 60), radius=4 * scale, fill=INK)
    for col in range(COLS):
        for row in range(ROWS):
            draw.rectangle(s(*_cell(col, row)), fill=SHADE if row == 0 else PAPER, outline=INK, width=3 * scale)
    for col, row in MARKS:
        x0, y0, x1, y1 = _cell(col, row)
        draw.line(s(x0 + 7, y0 + 7, x1 - 7, y1 - 7), fill=INK, width=4 * scale)
        draw.line(s(x1 - 7, y0 + 7, x0 + 7, y1 - 7), fill=INK, width=4 * scale)
    draw.ellipse(s(144, 152, 232, 240), fill=ACCENT)
    draw.line(s(166, 197, 182, 213, 212, 180), fill="#ffffff", width=12 * scale, joint="curve")
    return image.resize((SIZE, SIZE), Image.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "soe-desktop.svg").write_text(svg())
    png().save(ICONS / "soe-desktop.png", optimize=True)
    print(f"wrote {ICONS / 'soe-desktop.svg'} and {ICONS / 'soe-desktop.png'}")


if __name__ == "__main__":
    main()
