"""Make a clean page look like it came through a fax machine: skew, 1-bit, specks, streaks, the header line."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HEADER_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


@dataclass(frozen=True)
class Degradation:
    skew_deg: float = 0.0
    upside_down: bool = False
    speck_density: float = 0.0  # specks per square inch
    streaks: int = 0
    threshold: int = 160  # lower: lighter, broken strokes; higher: heavier
    blur: float = 0.0
    fine: bool = True  # 204x196; False: 204x98 standard resolution
    # A sending machine's geometry: the page printed at `scale` about its centre (fit to page), moved by
    # `shift_in` inches, rows stretched by `stretch` (feed speed); identity by default.
    scale: float = 1.0
    shift_in: tuple[float, float] = (0.0, 0.0)
    stretch: float = 1.0


@dataclass(frozen=True)
class FaxHeaderLine:
    """The line the sending machine prints across the top of every page."""

    sent_at: datetime
    sender_fax: str  # 831-555-0147
    sender_name: str
    page: int
    pages_total: int
    style: int = 0

    def text(self) -> str:
        a, b, c = self.sender_fax.split("-")
        t = self.sent_at
        if self.style % 3 == 0:
            return f"{t:%m/%d/%Y} {t:%H:%M}  FROM: {self.sender_name}  ({a}) {b}-{c}   P.{self.page:03d}/{self.pages_total:03d}"
        if self.style % 3 == 1:
            return (
                f"{t:%b-%d-%Y %I:%M %p}".upper() + f"  {a}{b}{c}  {self.sender_name}  P. {self.page}/{self.pages_total}"
            )
        return f"{t:%m-%d-%y} {t:%H:%M}  {self.sender_name}  Fax {a}-{b}-{c}  Page {self.page} of {self.pages_total}"


def random_degradation(rng: random.Random, *, severity: str = "typical", allow_upside_down: bool = True) -> Degradation:
    if severity == "clean":
        return Degradation(skew_deg=rng.uniform(-0.4, 0.4), speck_density=0.5, threshold=150)
    heavy = severity == "heavy"
    return Degradation(
        skew_deg=rng.uniform(-3.0, 3.0) if heavy else rng.uniform(-1.6, 1.6),
        upside_down=allow_upside_down and rng.random() < 0.05,
        speck_density=rng.uniform(8, 16) if heavy else rng.uniform(1, 5),
        streaks=rng.choice([1, 2]) if heavy else int(rng.random() < 0.25),
        threshold=rng.choice([135, 175]) if heavy else rng.randint(145, 170),
        blur=rng.uniform(0.5, 0.9) if heavy else rng.uniform(0.0, 0.5),
        fine=rng.random() > 0.1,
    )


def degrade_page(page: Image.Image, rng: random.Random, d: Degradation, header: FaxHeaderLine | None) -> Image.Image:
    """`page` is grayscale on the final fax grid (204 dpi across; 196 or 98 rows per inch); returns mode "1"."""
    aspect = 2.0 if page.height < page.width * 1.0 else 1.0  # 204x98 pages have half the rows
    img = page.convert("L")
    if aspect != 1.0:
        img = img.resize((img.width, round(img.height * aspect)), Image.Resampling.BILINEAR)
    if d.upside_down:
        img = img.rotate(180)
    if (d.scale, d.shift_in, d.stretch) != (1.0, (0.0, 0.0), 1.0):
        img = _reposition(img, d)
    if d.skew_deg:
        img = img.rotate(d.skew_deg, resample=Image.Resampling.BILINEAR, fillcolor=255, expand=False)
    if aspect != 1.0:
        img = img.resize((img.width, round(img.height / aspect)), Image.Resampling.BILINEAR)
    if d.blur:
        img = img.filter(ImageFilter.GaussianBlur(d.blur))
    arr = np.asarray(img, dtype=np.uint8)
    ink = arr < d.threshold
    _specks(ink, rng, d.speck_density, aspect)
    _streaks(ink, rng, d.streaks)
    out = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8))
    if header is not None:
        _stamp(out, header, aspect)
    return out.convert("1", dither=Image.Dither.NONE)


def _reposition(img: Image.Image, d: Degradation) -> Image.Image:
    """The page as a machine that reduces to fit and feeds unevenly prints it (square pixels, 204 per inch)."""
    w, h = img.size
    sx, sy = d.scale, d.scale * d.stretch
    cx, cy = w / 2 + d.shift_in[0] * 204, h / 2 + d.shift_in[1] * 204
    # PIL maps each output pixel back to the input: x_in = (x_out - cx) / sx + w / 2.
    coeffs = (1 / sx, 0.0, w / 2 - cx / sx, 0.0, 1 / sy, h / 2 - cy / sy)
    return img.transform((w, h), Image.Transform.AFFINE, coeffs, resample=Image.Resampling.BILINEAR, fillcolor=255)


def _specks(ink: np.ndarray, rng: random.Random, density: float, aspect: float) -> None:
    h, w = ink.shape
    area_in2 = (w / 204.0) * (h * aspect / 204.0)
    for _ in range(int(density * area_in2)):
        y, x = rng.randrange(h), rng.randrange(w)
        size = rng.choice([1, 1, 2, 2, 3])
        ink[y : y + max(1, round(size / aspect)), x : x + size] = rng.random() < 0.85  # mostly black, some white holes


def _streaks(ink: np.ndarray, rng: random.Random, count: int) -> None:
    h, w = ink.shape
    for _ in range(count):
        if rng.random() < 0.5:  # a dirty scanner glass: a thin vertical line down the page
            x = rng.randrange(40, w - 40)
            ink[:, x : x + rng.choice([1, 2])] = True
        else:  # a line dropped in transmission: a white or black band across the page
            y = rng.randrange(80, h - 80)
            ink[y : y + rng.choice([1, 2]), :] = rng.random() < 0.3


def _stamp(img: Image.Image, header: FaxHeaderLine, aspect: float) -> None:
    size = 22
    font = ImageFont.truetype(HEADER_FONT, size)
    text = header.text()
    box = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), text, font=font)
    strip = Image.new("L", (int(box[2]) + 4, int(box[3]) + 4), 255)
    ImageDraw.Draw(strip).text((2, 0), text, font=font, fill=0)
    if aspect != 1.0:
        strip = strip.resize((strip.width, max(1, round(strip.height / aspect))), Image.Resampling.BILINEAR)
    strip = strip.point(lambda v: 0 if v < 140 else 255)
    img.paste(Image.new("L", (img.width, int(strip.height) + 4), 255), (0, 4))
    img.paste(strip, (30, 6))
