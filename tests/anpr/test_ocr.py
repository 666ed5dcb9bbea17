from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from safecity.anpr import PlateRead, read_plate
from safecity.anpr.synthetic import render_plate, synthetic_plates
from safecity.core.errors import InvalidInput


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_most_synthetic_plates_are_read_exactly() -> None:
    plates = list(synthetic_plates(12, seed=2026))
    reads = [read_plate(image) for image, _ in plates]
    exact = sum(read.text == truth for read, (_, truth) in zip(reads, plates, strict=True))
    assert exact >= 10, [(r.raw, t) for r, (_, t) in zip(reads, plates, strict=True)]
    assert all(0.0 <= read.confidence <= 1.0 for read in reads)


def test_bytes_paths_and_images_read_the_same(tmp_path: Path) -> None:
    image, truth = render_plate(7, degrade=False)
    path = tmp_path / "plate.png"
    image.save(path)
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=92)
    reads = [
        read_plate(image),
        read_plate(_png(image)),
        read_plate(path),
        read_plate(str(path)),
        read_plate(jpeg.getvalue()),
    ]
    assert {read.text for read in reads} == {truth}


def test_a_blank_crop_reads_as_no_plate() -> None:
    read = read_plate(Image.new("RGB", (200, 60), "white"))
    assert isinstance(read, PlateRead)
    assert read.text is None


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, _png(Image.new("RGB", (64, 20)))[:30]],
)
def test_undecodable_bytes_are_invalid_input_on_the_image_field(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_plate(data)
    assert caught.value.field == "image"


def test_oversized_images_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        read_plate(Image.new("L", (5000, 4000)))
    assert caught.value.field == "image"


def test_a_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_plate(tmp_path / "absent.png")
    assert caught.value.field == "image"


def test_an_old_two_line_plate_is_read_with_its_year() -> None:
    seed = next(s for s in range(1000) if render_plate(s)[1].count("-") == 2)
    image, truth = render_plate(seed, degrade=False)
    assert read_plate(image).text == truth


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_give_a_read_or_invalid_input(data: bytes) -> None:
    try:
        read = read_plate(data)
    except InvalidInput as exc:
        assert exc.field == "image"
    else:
        assert isinstance(read, PlateRead)
