"""The faces values are written in, split into a `dev` family (tuned and trained on) and a `test` family (never).

The split is by design, not by seed: a test face shares no font file with any dev face, so a figure measured on
the test family says how the reader does on writing it was never shown. Faces come from Debian's font packages
(installed by scripts/setup.sh) and from `sample_faxes/fonts/` (vendored by scripts/vendor_fonts.py, each with its
licence). The corpus's own four styles (faxintake.fonts) are dev faces.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from faxintake.errors import ConfigError
from faxintake.fonts import FONT_FILES, register_fonts

VENDORED = Path(__file__).parent / "fonts"
Family = Literal["dev", "test"]
APT_PACKAGES = "fonts-freefont-ttf fonts-lato fonts-open-sans fonts-go fonts-breip"


@dataclass(frozen=True)
class Typeface:
    name: str  # the reportlab font name
    path: str
    size: float  # points, for a value in a form's box
    hand: bool
    capitals_only: bool = False  # a face with no lower case: people print in capitals, and that is what is read


def _vendored(name: str) -> str:
    return str(VENDORED / f"{name}.ttf")


TYPED: dict[Family, tuple[Typeface, ...]] = {
    "dev": (
        Typeface("Typed", FONT_FILES["Typed"], 10.0, hand=False),
        Typeface("Typed-Mono", FONT_FILES["Typed-Mono"], 9.5, hand=False),
        Typeface("Typed-Serif", FONT_FILES["Typed-Serif"], 10.5, hand=False),
        Typeface("DejaVu-Serif", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 9.5, hand=False),
        Typeface("Go", "/usr/share/fonts/fonts-go/Go-Regular.ttf", 10.0, hand=False),
        Typeface("Go-Mono", "/usr/share/fonts/fonts-go/Go-Mono.ttf", 9.5, hand=False),
        Typeface("URW-Bookman", _vendored("urw-bookman"), 9.5, hand=False),
        Typeface("TeXGyre-Heros", _vendored("texgyre-heros"), 10.0, hand=False),
        Typeface("Cantarell", _vendored("cantarell"), 10.0, hand=False),
    ),
    "test": (
        Typeface("FreeSans", "/usr/share/fonts/truetype/freefont/FreeSans.ttf", 10.0, hand=False),
        Typeface("FreeSerif", "/usr/share/fonts/truetype/freefont/FreeSerif.ttf", 11.0, hand=False),
        Typeface("Lato", "/usr/share/fonts/truetype/lato/Lato-Regular.ttf", 10.0, hand=False),
        Typeface("OpenSans", "/usr/share/fonts/truetype/open-sans/OpenSans-Regular.ttf", 9.5, hand=False),
        Typeface("Courier-Prime", _vendored("courier-prime"), 10.0, hand=False),
        Typeface("Nimbus-Mono", _vendored("nimbus-mono"), 10.0, hand=False),
        Typeface("C059", _vendored("c059"), 10.0, hand=False),
        Typeface("FreeMono", "/usr/share/fonts/truetype/freefont/FreeMono.ttf", 10.0, hand=False),
    ),
}

HAND: dict[Family, tuple[Typeface, ...]] = {
    "dev": (
        Typeface("Hand-Humor", FONT_FILES["Hand-Humor"], 10.5, hand=True, capitals_only=True),
        Typeface("Hand-DKG", FONT_FILES["Hand-DKG"], 12.0, hand=True),
        Typeface("Patrick-Hand", _vendored("patrick-hand"), 12.0, hand=True),
        Typeface("Kalam", _vendored("kalam"), 11.0, hand=True),
        Typeface("Indie-Flower", _vendored("indie-flower"), 11.5, hand=True),
        Typeface("Handlee", _vendored("handlee"), 11.0, hand=True),
        Typeface("Gochi-Hand", _vendored("gochi-hand"), 12.0, hand=True),
        Typeface("Coming-Soon", _vendored("coming-soon"), 10.0, hand=True),
        Typeface("Because-We-Build", _vendored("because-we-build"), 12.0, hand=True, capitals_only=True),
    ),
    "test": (
        Typeface("Caveat", _vendored("caveat"), 13.0, hand=True),
        Typeface("Shadows-Into-Light", _vendored("shadows-into-light"), 12.0, hand=True),
        Typeface("Schoolbell", _vendored("schoolbell"), 11.0, hand=True),
        Typeface("Architects-Daughter", _vendored("architects-daughter"), 10.5, hand=True),
        Typeface("Just-Another-Hand", _vendored("just-another-hand"), 14.0, hand=True),
        Typeface("Breip", "/usr/share/fonts/truetype/breip/Breip.ttf", 12.0, hand=True),
        Typeface("Gloria-Hallelujah", _vendored("gloria-hallelujah"), 10.0, hand=True),
        Typeface("Because-We-Learn", _vendored("because-we-learn"), 12.0, hand=True, capitals_only=True),
    ),
}

# Faces only scripts/line_model_crops.py writes in, to train the line model on more writers than the dev family's
# nine: no font file, and as far as known no designer, shared with a test-family face (so no Liberation fonts:
# their designs are FreeSans', FreeSerif's and Courier's). Sizes as the dev faces': a box's capitals about 7.5 pt
# high.
TRAINING_HAND: tuple[Typeface, ...] = (
    Typeface("Amatic-SC", _vendored("amatic-sc"), 15.0, hand=True, capitals_only=True),
    Typeface("Atma", _vendored("atma"), 10.0, hand=True),
    Typeface("Chilanka", _vendored("chilanka"), 10.5, hand=True),
    Typeface("Comic-Neue", _vendored("comic-neue"), 10.5, hand=True),
    Typeface("Comic-Relief", _vendored("comic-relief"), 10.0, hand=True),
    Typeface("Crafty-Girls", _vendored("crafty-girls"), 10.0, hand=True),
    Typeface("Dekko", _vendored("dekko"), 11.5, hand=True),
    Typeface("Delicious-Handrawn", _vendored("delicious-handrawn"), 10.0, hand=True),
    Typeface("Delius", _vendored("delius"), 10.5, hand=True),
    Typeface("Edu-NSW-ACT-Foundation", _vendored("edu-nsw-act-foundation"), 9.5, hand=True),
    Typeface("Edu-QLD-Beginner", _vendored("edu-qld-beginner"), 9.5, hand=True),
    Typeface("Edu-SA-Beginner", _vendored("edu-sa-beginner"), 11.5, hand=True),
    Typeface("Edu-VIC-WA-NT-Beginner", _vendored("edu-vic-wa-nt-beginner"), 9.5, hand=True),
    Typeface("Fuzzy-Bubbles", _vendored("fuzzy-bubbles"), 10.5, hand=True),
    Typeface("Gaegu", _vendored("gaegu"), 13.0, hand=True),
    Typeface("Gamja-Flower", _vendored("gamja-flower"), 13.0, hand=True),
    Typeface("Grape-Nuts", _vendored("grape-nuts"), 12.5, hand=True),
    Typeface("Hi-Melody", _vendored("hi-melody"), 15.0, hand=True),
    Typeface("Itim", _vendored("itim"), 11.0, hand=True),
    Typeface("Klee-One", _vendored("klee-one"), 10.5, hand=True),
    Typeface("Mali", _vendored("mali"), 10.5, hand=True),
    Typeface("Mansalva", _vendored("mansalva"), 11.5, hand=True),
    Typeface("Mynerve", _vendored("mynerve"), 10.5, hand=True),
    Typeface("Nanum-Brush-Script", _vendored("nanum-brush-script"), 15.5, hand=True),
    Typeface("Nanum-Pen-Script", _vendored("nanum-pen-script"), 15.0, hand=True),
    Typeface("Nerko-One", _vendored("nerko-one"), 13.0, hand=True),
    Typeface("Neucha", _vendored("neucha"), 12.0, hand=True),
    Typeface("Pangolin", _vendored("pangolin"), 10.5, hand=True),
    Typeface("Patrick-Hand-SC", _vendored("patrick-hand-sc"), 11.5, hand=True, capitals_only=True),
    Typeface("Playpen-Sans", _vendored("playpen-sans"), 10.0, hand=True),
    Typeface("Poor-Story", _vendored("poor-story"), 12.0, hand=True),
    Typeface("Reenie-Beanie", _vendored("reenie-beanie"), 14.0, hand=True),
    Typeface("Sedgwick-Ave", _vendored("sedgwick-ave"), 8.5, hand=True),
    Typeface("Shantell-Sans", _vendored("shantell-sans"), 10.5, hand=True),
    Typeface("Short-Stack", _vendored("short-stack"), 9.5, hand=True),
    Typeface("Sriracha", _vendored("sriracha"), 11.0, hand=True),
    Typeface("Walter-Turncoat", _vendored("walter-turncoat"), 10.5, hand=True),
    Typeface("Yomogi", _vendored("yomogi"), 10.5, hand=True),
    Typeface("Zen-Kurenaido", _vendored("zen-kurenaido"), 10.5, hand=True),
)
TRAINING_TYPED: tuple[Typeface, ...] = (
    Typeface("DejaVu-Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 9.5, hand=False),
    Typeface("DejaVu-Sans-Mono", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 9.5, hand=False),
    Typeface("DejaVu-Sans-Condensed", "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf", 10.0, hand=False),
    Typeface("Go-Medium", "/usr/share/fonts/fonts-go/Go-Medium.ttf", 10.0, hand=False),
)


def faces(family: Family) -> tuple[Typeface, ...]:
    return TYPED[family] + HAND[family]


@functools.cache
def register_typefaces(*, training: bool = False) -> dict[str, Typeface]:
    """Every face of both families (and with `training`, the training-only faces) registered with reportlab."""
    register_fonts()
    out: dict[str, Typeface] = {}
    for face in faces("dev") + faces("test") + ((TRAINING_HAND + TRAINING_TYPED) if training else ()):
        if not Path(face.path).exists():
            raise ConfigError(f"font file {face.path} is missing", hint=f"apt-get install {APT_PACKAGES}")
        if face.name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(face.name, face.path))
        out[face.name] = face
    return out
