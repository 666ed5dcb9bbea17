"""Finding the registration characters inside a plate crop.

The recogniser reads one line of text. A plate crop holds more: a border, the
province label in small type, a loose margin of car body, and on old plates a
second row. The characters are the tallest rows of ink, so a row profile of a
binarised crop finds them; the label (a third of their height) and the border
(a few rows of nearly solid ink) fall away. Two rows of equal height are laid
side by side in reading order. Output is dark ink on a light ground whatever
the plate's colours, so green government plates read like white ones.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage

__all__ = ["plate_lines"]

ANALYSIS_HEIGHT = 160
LINE_SHARE = 0.6
CHARACTER_SHARE = 0.55
MIN_FILL = 0.1
GAP_PIXELS = 12

Gray = NDArray[np.uint8]


def plate_lines(gray: Gray) -> Gray:
    """The plate's character rows as one line image (the whole crop if none are found)."""
    if gray.shape[0] > ANALYSIS_HEIGHT:
        width = max(1, round(gray.shape[1] * ANALYSIS_HEIGHT / gray.shape[0]))
        gray = np.asarray(Image.fromarray(gray).resize((width, ANALYSIS_HEIGHT), Image.Resampling.BILINEAR))
    ink = _ink(gray)
    normal = _dark_on_light(gray, ink)
    ink = _characters(ink)
    bands = _text_bands(ink)
    if not bands:
        return normal
    pieces = [_crop_line(normal, ink, top, bottom) for top, bottom in bands]
    if len(pieces) == 1:
        return pieces[0]
    height = max(p.shape[0] for p in pieces)
    scaled = [_to_height(p, height) for p in pieces]
    gap = np.full((height, GAP_PIXELS), 255, dtype=np.uint8)
    joined: list[Gray] = []
    for piece in scaled:
        joined.extend((piece, gap))
    return np.concatenate(joined[:-1], axis=1)


def _ink(gray: Gray) -> NDArray[np.bool_]:
    """Binarise with Otsu's threshold taken on the crop's centre, where the plate is."""
    h, w = gray.shape
    centre = gray[h // 8 : h - h // 8 or h, w // 8 : w - w // 8 or w]
    threshold = _otsu(centre)
    bright = gray > threshold
    # Characters are the minority colour of the plate's centre.
    if float((centre > threshold).mean()) < 0.5:
        return bright
    return ~bright


def _otsu(values: Gray) -> int:
    histogram = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * np.arange(256))
    background = weights[:-1]
    foreground = total - background
    valid = (background > 0) & (foreground > 0)
    between = np.zeros(255)
    mean_b = means[:-1][valid] / background[valid]
    mean_f = (means[-1] - means[:-1][valid]) / foreground[valid]
    between[valid] = background[valid] * foreground[valid] * (mean_b - mean_f) ** 2
    return int(between.argmax())


def _characters(ink: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Keep blobs shaped like characters: not the car body around the crop, the
    plate's frame, or specks of noise."""
    h, w = ink.shape
    labels, count = ndimage.label(ink)
    if count == 0:
        return ink
    keep = np.zeros(count + 1, dtype=bool)
    heights = np.zeros(count + 1, dtype=np.int64)
    min_area = max(4.0, 0.0004 * h * w)
    areas = np.bincount(labels.ravel(), minlength=count + 1)
    for index, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is None:
            continue
        rows, cols = box
        touches_edge = rows.start == 0 or cols.start == 0 or rows.stop == h or cols.stop == w
        box_h, box_w = rows.stop - rows.start, cols.stop - cols.start
        too_big = box_w > 0.5 * w or box_h > 0.8 * h
        outline = areas[index] < MIN_FILL * box_h * box_w  # a frame, broken or whole
        keep[index] = not (touches_edge or too_big or outline) and areas[index] >= min_area
        heights[index] = rows.stop - rows.start
    kept_heights = np.sort(heights[keep])[::-1]
    if kept_heights.size == 0:
        empty: NDArray[np.bool_] = keep[labels]
        return empty
    # The registration is the tallest type on the plate; the label is a third of it.
    character_height = float(np.median(kept_heights[:3]))
    keep &= heights >= CHARACTER_SHARE * character_height
    characters: NDArray[np.bool_] = keep[labels]
    return characters


def _dark_on_light(gray: Gray, ink: NDArray[np.bool_]) -> Gray:
    ink_level = float(gray[ink].mean()) if ink.any() else 0.0
    ground_level = float(gray[~ink].mean()) if (~ink).any() else 255.0
    if ink_level > ground_level:
        gray = 255 - gray
        ink_level, ground_level = 255 - ink_level, 255 - ground_level
    span = max(ground_level - ink_level, 1.0)
    stretched = (gray.astype(np.float32) - ink_level) * (255.0 / span)
    normal: Gray = np.clip(stretched, 0, 255).astype(np.uint8)
    return normal


def _text_bands(ink: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Row ranges of the tallest runs of ink: the registration, not the label or border."""
    h = ink.shape[0]
    text: NDArray[np.bool_] = np.asarray(ink.any(axis=1))
    bands: list[tuple[int, int]] = []
    start: int | None = None
    for y, on in enumerate(text.tolist()):
        if on and start is None:
            start = y
        elif not on and start is not None:
            bands.append((start, y))
            start = None
    if start is not None:
        bands.append((start, h))
    merged: list[tuple[int, int]] = []
    for top, bottom in bands:
        if merged and top - merged[-1][1] <= max(1, h // 80):
            merged[-1] = (merged[-1][0], bottom)
        else:
            merged.append((top, bottom))
    if not merged:
        return []
    tallest = max(bottom - top for top, bottom in merged)
    return [(top, bottom) for top, bottom in merged if bottom - top >= LINE_SHARE * tallest]


def _crop_line(normal: Gray, ink: NDArray[np.bool_], top: int, bottom: int) -> Gray:
    height = bottom - top
    pad = max(2, height // 6)
    y0, y1 = max(0, top - pad), min(normal.shape[0], bottom + pad)
    left, right = _columns(ink[top:bottom])
    x0, x1 = max(0, left - pad), min(normal.shape[1], right + pad)
    return normal[y0:y1, x0:x1]


def _columns(band: NDArray[np.bool_]) -> tuple[int, int]:
    xs = np.flatnonzero(band.any(axis=0))
    if xs.size == 0:
        return 0, band.shape[1]
    return int(xs[0]), int(xs[-1]) + 1


def _to_height(piece: Gray, height: int) -> Gray:
    if piece.shape[0] == height:
        return piece
    width = max(1, round(piece.shape[1] * height / piece.shape[0]))
    return np.asarray(Image.fromarray(piece).resize((width, height), Image.Resampling.BILINEAR))
