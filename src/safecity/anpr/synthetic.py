"""Synthetic Pakistani number plates, for testing and benchmarking the reader.

Real plate crops are personal data and cannot ship with the project, so the
reader is measured on rendered ones: the provincial layouts (series, number,
province label, old two-line plates with a year), white, yellow and green
grounds, a border, every usable TrueType font on the machine, then the
camera's faults — a loose crop, small rotation and perspective, blur, noise,
low resolution. Everything is drawn from one seed, so a run can be repeated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = ["PlateStyle", "available_fonts", "random_plate_text", "render_plate", "synthetic_plates"]

_SERIES_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"  # I, O and U are not issued in series
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
_SKIP_FONT_WORDS = ("Italic", "Oblique", "Light", "Math", "Thin", "Serif", "Symbol", "Emoji")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True, slots=True)
class PlateStyle:
    """One province's look: ground and ink colours and the label printed on the plate."""

    region: str
    label: str
    ground: tuple[int, int, int]
    ink: tuple[int, int, int]


_STYLES = (
    PlateStyle("punjab", "PUNJAB", (245, 245, 240), (15, 15, 15)),
    PlateStyle("sindh", "SINDH", (250, 215, 40), (10, 10, 10)),
    PlateStyle("islamabad", "ISLAMABAD", (250, 250, 250), (20, 20, 20)),
    PlateStyle("kp", "KHYBER PAKHTUNKHWA", (240, 240, 235), (20, 60, 20)),
    PlateStyle("balochistan", "BALOCHISTAN", (235, 235, 230), (10, 10, 10)),
    PlateStyle("gb", "GILGIT-BALTISTAN", (250, 250, 245), (0, 0, 80)),
    PlateStyle("ajk", "AZAD KASHMIR", (245, 245, 245), (10, 10, 10)),
    PlateStyle("government", "GOVT", (20, 110, 50), (250, 250, 250)),
)


@lru_cache(maxsize=1)
def available_fonts() -> tuple[str, ...]:
    """Upright sans/mono TrueType fonts on this machine (empty: Pillow's built-in font is used)."""
    found: set[str] = set()
    for root in _FONT_DIRS:
        base = Path(root)
        if base.is_dir():
            for path in base.rglob("*.ttf"):
                if not any(word in path.name for word in _SKIP_FONT_WORDS):
                    found.add(str(path))
    return tuple(sorted(found))


def _font(path: str | None, size: int) -> Font:
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(path, size=size)


def _series(rng: random.Random, length: int, first: str = "") -> str:
    return first + "".join(rng.choice(_SERIES_LETTERS) for _ in range(length - len(first)))


def _number(rng: random.Random, low: int = 1) -> str:
    digits = rng.choice([n for n in (1, 2, 3, 3, 4, 4, 4, 4) if n >= low])
    return str(rng.randint(10 ** (digits - 1), 10**digits - 1))


def random_plate_text(rng: random.Random) -> tuple[PlateStyle, str, str | None, str]:
    """Pick a style and ``(series, year, number)`` in the way that style issues them."""
    style = rng.choice(_STYLES)
    year: str | None = None
    if style.region == "punjab":
        series = _series(rng, rng.choice((2, 3, 3)), rng.choice("LRFMGS"))
        if rng.random() < 0.25:
            year = f"{rng.randint(0, 24):02d}"
    elif style.region == "islamabad":
        series = rng.choice(("ICT", "IDA", "IDB", "IDC", "IDD"))
    elif style.region == "kp":
        series = _series(rng, rng.choice((1, 1, 2)))
    elif style.region == "balochistan":
        series = _series(rng, 2, rng.choice("BQ"))
    elif style.region == "gb":
        series = rng.choice(("GLT", "GB", "GBA"))
    elif style.region == "ajk":
        series = rng.choice(("MRP", "AJK", "MZD"))
    elif style.region == "government":
        series = _series(rng, 2, "G")
    else:
        series = _series(rng, 3)
    number = _number(rng, 3 if year else 1)
    return style, series, year, number


def render_plate(seed: int, *, degrade: bool = True) -> tuple[Image.Image, str]:
    """Render one plate crop; returns ``(image, canonical text)``."""
    rng = random.Random(seed)
    style, series, year, number = random_plate_text(rng)
    fonts = available_fonts()
    font_path = rng.choice(fonts) if fonts else None
    sep = rng.choice((" ", "-", " "))
    lines = [f"{series}{sep}{year}", number] if year else [f"{series}{sep}{number}"]
    image = _draw(rng, style, lines, font_path)
    if degrade:
        image = _degrade(rng, image, style)
    truth = f"{series}-{year}-{number}" if year else f"{series}-{number}"
    return image, truth


def synthetic_plates(count: int, seed: int = 0, *, degrade: bool = True) -> Iterator[tuple[Image.Image, str]]:
    """``count`` plates from consecutive seeds starting at ``seed``."""
    for offset in range(count):
        yield render_plate(seed * 1_000_003 + offset, degrade=degrade)


def _fit(font_path: str | None, text: str, width: int, height: int) -> Font:
    size = height
    while size > 8:
        font = _font(font_path, size)
        left, top, right, bottom = font.getbbox(text)
        if right - left <= width and bottom - top <= height:
            return font
        size = int(size * 0.9)
    return _font(font_path, 8)


def _draw(rng: random.Random, style: PlateStyle, lines: list[str], font_path: str | None) -> Image.Image:
    width = rng.randint(360, 520)
    line_height = int(width * rng.uniform(0.15, 0.19))
    label_height = int(line_height * rng.uniform(0.25, 0.35))
    pad = int(line_height * 0.25)
    height = pad * 3 + label_height + line_height * len(lines) + pad * (len(lines) - 1)
    image = Image.new("RGB", (width, height), style.ground)
    draw = ImageDraw.Draw(image)
    border = rng.randint(2, 5)
    draw.rectangle((border, border, width - 1 - border, height - 1 - border), outline=style.ink, width=border)
    label_font = _fit(font_path, style.label, int(width * 0.7), label_height)
    label_on_top = rng.random() < 0.5
    y = pad
    if label_on_top:
        draw.text(
            (width / 2, y + label_height / 2), style.label, font=label_font, fill=style.ink, anchor="mm"
        )
        y += label_height + pad
    for line in lines:
        font = _fit(font_path, line, int(width * 0.84), line_height)
        draw.text((width / 2, y + line_height / 2), line, font=font, fill=style.ink, anchor="mm")
        y += line_height + pad
    if not label_on_top:
        draw.text(
            (width / 2, y + label_height / 2), style.label, font=label_font, fill=style.ink, anchor="mm"
        )
    return image


def _degrade(rng: random.Random, image: Image.Image, style: PlateStyle) -> Image.Image:
    """What a roadside camera and a loose detector crop do to a clean plate."""
    width, height = image.size
    margin = int(height * rng.uniform(0.0, 0.15))
    body = (rng.randint(30, 200), rng.randint(30, 200), rng.randint(30, 200))
    canvas = Image.new("RGB", (width + 2 * margin, height + 2 * margin), body)
    canvas.paste(image, (margin, margin))
    canvas = canvas.rotate(rng.uniform(-3.0, 3.0), resample=Image.Resampling.BICUBIC, fillcolor=body)
    w, h = canvas.size
    jitter = [rng.uniform(-0.03, 0.03) * (w if i % 2 == 0 else h) for i in range(8)]
    quad = (
        jitter[0], jitter[1], jitter[2], h + jitter[3], w + jitter[4], h + jitter[5], w + jitter[6], jitter[7]
    )  # fmt: skip
    canvas = canvas.transform((w, h), Image.Transform.QUAD, quad, Image.Resampling.BICUBIC, fillcolor=body)
    target_height = rng.randint(40, 110) * (2 if height > width * 0.45 else 1)
    scale = target_height / h
    canvas = canvas.resize((max(1, int(w * scale)), target_height), Image.Resampling.BILINEAR)
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.0)))
    pixels = np.asarray(canvas, dtype=np.float32)
    pixels = pixels * rng.uniform(0.7, 1.15) + rng.uniform(-25, 25)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0.0, rng.uniform(0.0, 10.0), pixels.shape)
    pixels = np.clip(pixels + noise, 0, 255).astype(np.uint8)
    del style
    return Image.fromarray(pixels)
