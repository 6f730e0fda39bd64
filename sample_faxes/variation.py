"""How one fax of the traffic families departs from the corpus's house style (drawn by traffic.py)."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFont

from sample_faxes.covers import CoverDesign
from sample_faxes.letters import LetterWording
from sample_faxes.typefaces import Typeface


@dataclass(frozen=True)
class Variation:
    family: str
    face: Typeface
    cover: CoverDesign
    letter: LetterWording
    scale: float  # fit to page
    shift_in: tuple[float, float]
    stretch: float
    skew_deg: float
    raise_pt: float  # values written above their line
    indent_pt: float  # ... or starting over the box's left edge
    stamp: str | None  # a received/date stamp in a margin
    margin_note: str | None  # a hand-written note in a margin
    revisions: tuple[tuple[str, str], ...] = ()  # (form id, revision id): the form printed in that revision's layout

    def revision_of(self, form_id: str) -> str | None:
        return dict(self.revisions).get(form_id)


def describe(v: Variation) -> dict[str, object]:
    """What the ground truth records of a variation (to group results by it)."""
    return {
        "face": v.face.name,
        "hand": v.face.hand,
        "cover": v.cover.design_id,
        "letter": v.letter.wording_id,
        "scale": round(v.scale, 3),
        "shift_in": [round(x, 2) for x in v.shift_in],
        "stretch": round(v.stretch, 3),
        "skew_deg": round(v.skew_deg, 2),
        "raise_pt": round(v.raise_pt, 1),
        "indent_pt": round(v.indent_pt, 1),
        "stamp": v.stamp is not None,
        "margin_note": v.margin_note is not None,
        **({"revisions": dict(v.revisions)} if v.revisions else {}),
    }


def annotate(page: Image.Image, v: Variation, number: int, dpi: tuple[float, float]) -> Image.Image:
    """A received stamp in the top margin of the first page; a hand-written note in the bottom margin of the second."""
    if number == 1 and v.stamp:
        ink = _text_image(v.stamp, STAMP_FONT, 30, boxed=True).rotate(4, expand=True, fillcolor=255)
        return _paste(page, ink, (page.width - ink.width - 0.4 * dpi[0], 0.45 * dpi[1]), dpi)
    if number == 2 and v.margin_note:
        ink = _text_image(v.margin_note, v.face.path if v.face.hand else NOTE_FONT, 34, boxed=False)
        at = (0.8 * dpi[0], page.height - 0.6 * dpi[1])
        return _paste(page, ink.rotate(-2, expand=True, fillcolor=255), at, dpi)
    return page


STAMP_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
NOTE_FONT = "/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf"


def _text_image(text: str, font_path: str, size: int, *, boxed: bool) -> Image.Image:
    font = ImageFont.truetype(font_path, size)
    x0, y0, x1, y1 = ImageDraw.Draw(Image.new("L", (1, 1))).multiline_textbbox((0, 0), text, font=font)
    pad = 12 if boxed else 2
    img = Image.new("L", (int(x1 - x0) + 2 * pad, int(y1 - y0) + 2 * pad), 255)
    draw = ImageDraw.Draw(img)
    draw.multiline_text((pad - x0, pad - y0), text, font=font, fill=0, align="center")
    if boxed:
        draw.rectangle((2, 2, img.width - 3, img.height - 3), outline=0, width=3)
    return img


def _paste(page: Image.Image, ink: Image.Image, at: tuple[float, float], dpi: tuple[float, float]) -> Image.Image:
    """Darken `page` with `ink` (drawn on square pixels) at `at`, squashed to the page's rows per inch."""
    if dpi[1] != dpi[0]:
        ink = ink.resize((ink.width, max(1, round(ink.height * dpi[1] / dpi[0]))), Image.Resampling.BILINEAR)
    out = page.copy()
    x, y = int(at[0]), int(at[1])
    region = out.crop((x, y, x + ink.width, y + ink.height))
    out.paste(ImageChops.darker(region, ink), (x, y))
    return out
