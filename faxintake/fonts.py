"""Fonts for rendering forms, samples and notices: Debian packages, registered once with reportlab."""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from faxintake.errors import ConfigError

FONT_FILES = {
    "Sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "Sans-Bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "Mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "Typed": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "Typed-Mono": "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
    "Typed-Serif": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "Hand-Humor": "/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf",
    "Hand-DKG": "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf",
    "CJK": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
}
TYPED_FONTS = ("Typed", "Typed-Mono", "Typed-Serif")
HAND_FONTS = ("Hand-Humor", "Hand-DKG")
APT_PACKAGES = "fonts-dejavu-core fonts-liberation2 fonts-humor-sans fonts-dkg-handwriting fonts-wqy-zenhei"


@functools.cache
def register_fonts() -> None:
    for name, path in FONT_FILES.items():
        if not Path(path).exists():
            raise ConfigError(f"font file {path} is missing", hint=f"apt-get install {APT_PACKAGES}")
        font = TTFont(name, path, subfontIndex=0) if path.endswith(".ttc") else TTFont(name, path)
        pdfmetrics.registerFont(font)


def label_font(language: str, *, bold: bool = False) -> str:
    """Printed-label font: DejaVu covers Latin incl. Spanish and Hmong; Chinese needs a CJK face."""
    register_fonts()
    if language == "zh-Hant":
        return "CJK"
    return "Sans-Bold" if bold else "Sans"
