"""Page thumbnails: one PNG per drawable page, a missing file or page left out, cancellable."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from soe_desktop.core.jobs import CancelToken, Cancelled
from soe_desktop.core.pdf.thumbnails import page_thumbnails


@pytest.fixture(scope="module")
def protocol(tmp_path_factory):
    from soe_desktop.core.synthetic import write_protocol

    path = tmp_path_factory.mktemp("thumbs") / "protocol.pdf"
    write_protocol(path, seed=3)
    return str(path)


def test_each_drawable_page_gets_a_picture_of_the_asked_size(protocol, tmp_path):
    pictures = page_thumbnails([(protocol, 1), (protocol, 2), (protocol, 999), (str(tmp_path / "gone.pdf"), 1)],
                               height_px=80)
    assert set(pictures) == {(protocol, 1), (protocol, 2)}
    image = Image.open(io.BytesIO(pictures[(protocol, 1)]))
    assert max(image.size) in (79, 80, 81) and image.format == "PNG"


def test_a_damaged_file_costs_only_its_pictures(protocol, tmp_path):
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n garbage")
    assert set(page_thumbnails([(str(damaged), 1), (protocol, 1)])) == {(protocol, 1)}


def test_a_cancel_stops_drawing():
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        page_thumbnails([("any.pdf", 1)], cancel=token)
