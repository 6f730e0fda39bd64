"""Vendor the sample generator's extra fonts into sample_faxes/fonts/ as TrueType (reportlab reads only glyf outlines).

Run by hand when the list changes (needs the npm client and the Debian font packages named below):

    uv run --no-project --with 'fonttools[woff]' python scripts/vendor_fonts.py

Handwriting faces come from @fontsource packages on the npm registry (their woff2, Latin subset: Spanish and
Hmong letters included) and from Debian packages whose files have CFF outlines; CFF is converted to quadratic
TrueType outlines. Every font here is under the SIL Open Font License; each package's licence is copied beside it.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from pathlib import Path

from fontTools.cu2qu.ufo import DEFAULT_MAX_ERR
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont, newTable

OUT = Path(__file__).resolve().parent.parent / "sample_faxes" / "fonts"
FONTSOURCE_VERSION = "5.3.0"
FONTSOURCE = (
    "architects-daughter",
    "caveat",
    "coming-soon",
    "gloria-hallelujah",
    "gochi-hand",
    "handlee",
    "indie-flower",
    "just-another-hand",
    "kalam",
    "patrick-hand",
    "schoolbell",
    "shadows-into-light",
)
# Handwriting faces for training the line model only (sample_faxes.typefaces.TRAINING_HAND): none by a designer
# of a test-family face.
FONTSOURCE_TRAINING = (
    "amatic-sc",
    "atma",
    "chilanka",
    "comic-neue",
    "comic-relief",
    "crafty-girls",
    "dekko",
    "delicious-handrawn",
    "delius",
    "edu-nsw-act-foundation",
    "edu-qld-beginner",
    "edu-sa-beginner",
    "edu-vic-wa-nt-beginner",
    "fuzzy-bubbles",
    "gaegu",
    "gamja-flower",
    "grape-nuts",
    "hi-melody",
    "itim",
    "klee-one",
    "mali",
    "mansalva",
    "mynerve",
    "nanum-brush-script",
    "nanum-pen-script",
    "nerko-one",
    "neucha",
    "pangolin",
    "patrick-hand-sc",
    "playpen-sans",
    "poor-story",
    "reenie-beanie",
    "sedgwick-ave",
    "shantell-sans",
    "short-stack",
    "sriracha",
    "walter-turncoat",
    "yomogi",
    "zen-kurenaido",
)
DEBIAN_CFF = {  # file -> (name here, Debian package whose copyright file is the licence)
    "/usr/share/fonts/opentype/bwht/BecauseWeBuild-Regular.otf": ("because-we-build", "fonts-bwht"),
    "/usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf": ("because-we-learn", "fonts-bwht"),
    "/usr/share/fonts/opentype/courier-prime/Courier Prime.otf": ("courier-prime", "fonts-courier-prime"),
    "/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf": ("nimbus-mono", "fonts-urw-base35"),
    "/usr/share/fonts/opentype/urw-base35/URWBookman-Light.otf": ("urw-bookman", "fonts-urw-base35"),
    "/usr/share/fonts/opentype/urw-base35/C059-Roman.otf": ("c059", "fonts-urw-base35"),
    "/usr/share/texmf/fonts/opentype/public/tex-gyre/texgyreheros-regular.otf": ("texgyre-heros", "fonts-texgyre"),
    "/usr/share/fonts/opentype/cantarell/Cantarell-Regular.otf": ("cantarell", "fonts-cantarell"),
}
LATIN = list(range(0x20, 0x180))  # Basic Latin, Latin-1 and Latin Extended-A: what the forms' languages write


def cff_to_truetype(font: TTFont) -> None:
    """Replace CFF outlines by quadratic glyf ones (cubic curves approximated within a font unit)."""
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = {}
    for name in glyf.glyphOrder:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=DEFAULT_MAX_ERR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]  # version 1.0 has TrueType's fields; fontTools recounts points and contours on save
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements"):
        setattr(maxp, attr, 0)
    maxp.maxSizeOfInstructions = maxp.maxComponentElements = maxp.maxComponentDepth = 0
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def vendor_fontsource(work: Path) -> None:
    for name in FONTSOURCE + FONTSOURCE_TRAINING:
        if (OUT / f"{name}.ttf").exists():
            continue  # kept as committed: another fontTools writes other bytes, and the corpus was drawn with these
        spec = f"@fontsource/{name}@{FONTSOURCE_VERSION}"
        tgz = subprocess.run(["npm", "pack", "-q", spec], cwd=work, check=True, capture_output=True, text=True)
        with tarfile.open(work / tgz.stdout.strip().splitlines()[-1]) as tar:
            tar.extractall(work / name, filter="data")
        package = work / name / "package"
        font = TTFont(package / "files" / f"{name}-latin-400-normal.woff2")
        font.flavor = None
        font.save(OUT / f"{name}.ttf")
        (OUT / "licenses" / f"{name}.txt").write_text(f"{spec}\n\n" + (package / "LICENSE").read_text())


def vendor_debian() -> None:
    for path, (name, package) in DEBIAN_CFF.items():
        if (OUT / f"{name}.ttf").exists():
            continue
        font = TTFont(path)
        subsetter = Subsetter(Options(notdef_outline=True, name_IDs=["*"], layout_features=["kern", "liga"]))
        subsetter.populate(unicodes=LATIN)
        subsetter.subset(font)
        if "CFF " in font:
            cff_to_truetype(font)
        font.save(OUT / f"{name}.ttf")
        (OUT / "licenses" / f"{name}.txt").write_text(
            f"{package} (Debian 12)\n\n" + Path(f"/usr/share/doc/{package}/copyright").read_text()
        )


def main() -> None:
    (OUT / "licenses").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        vendor_fontsource(Path(tmp))
    vendor_debian()
    print(f"fonts in {OUT}: {len(list(OUT.glob('*.ttf')))}")


if __name__ == "__main__":
    main()
