"""Load any input into page images, one page at a time: TIFF (G3/G4, multi-page), PDF (image or text layer), PNG, JPEG.

Pages come out grayscale with square pixels at 150-300 dpi: standard fax resolution (204x98) is resampled
to square before anything else, and a missing or absurd DPI tag is inferred from the page size.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageSequence, UnidentifiedImageError

from faxintake.errors import InputError

logging.getLogger("pdfminer").setLevel(logging.ERROR)  # pdfminer warns about every odd font descriptor

MAX_PIXELS = 60_000_000  # a letter page at 600 dpi is 34 M; anything far larger is a decompression bomb
PDF_DPI = 200
LETTER_WIDTH_IN = 8.5


@dataclass(frozen=True)
class PdfWord:
    text: str
    box: tuple[float, float, float, float]  # pixels of the page image


@dataclass(frozen=True)
class SourcePage:
    number: int  # from 1
    image: np.ndarray  # grayscale uint8, square pixels
    dpi: int
    words: tuple[PdfWord, ...] | None  # the PDF's text layer, when the page has one
    source_dpi: tuple[float, float]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sniff(path: Path) -> str:
    """'tiff', 'pdf', 'png' or 'jpeg' from the file's first bytes, whatever its name says."""
    try:
        head = path.read_bytes()[:1024] if path.stat().st_size < 1024 else path.open("rb").read(1024)
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror}") from exc
    if not head:
        raise InputError("the file is empty (0 bytes)", hint="the fax did not arrive; ask the sender to fax it again")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if b"%PDF" in head:
        return "pdf"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    raise InputError(
        "not a fax image: the file is not a TIFF, PDF, PNG or JPEG", hint="convert it to PDF or TIFF and reprocess"
    )


def count_pages(path: Path) -> int:
    kind = sniff(path)
    if kind == "pdf":
        with _pdf(path) as doc:
            return len(doc)
    with _image(path) as img:
        return int(getattr(img, "n_frames", 1))


def iter_pages(path: Path) -> Iterator[SourcePage]:
    kind = sniff(path)
    if kind == "pdf":
        yield from _pdf_pages(path)
    else:
        yield from _image_pages(path)


class _image:
    """Open an image with the decompression-bomb guard on, mapping Pillow's errors to InputError."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Image.Image:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                self.img = Image.open(self.path)
                self.img.size  # noqa: B018  (header parsed)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InputError(
                f"the image is too large to be a fax page ({exc})", hint="refused as a possible decompression bomb"
            ) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, KeyError) as exc:
            raise InputError(
                f"the image cannot be decoded: {exc}",
                hint="the file is damaged or truncated; ask the sender to fax it again",
            ) from exc
        if self.img.width * self.img.height > MAX_PIXELS:
            self.img.close()
            raise InputError(
                f"the image is {self.img.width}x{self.img.height} pixels, too large for a fax page",
                hint="refused as a possible decompression bomb",
            )
        return self.img

    def __exit__(self, *exc: object) -> None:
        self.img.close()


def _image_pages(path: Path) -> Iterator[SourcePage]:
    with _image(path) as img:
        try:
            for number, frame in enumerate(ImageSequence.Iterator(img), start=1):
                if frame.width * frame.height > MAX_PIXELS:
                    raise InputError(f"page {number} is {frame.width}x{frame.height} pixels, too large for a fax page")
                gray = np.asarray(frame.convert("L"), dtype=np.uint8)
                dpi = _dpi(frame.info.get("dpi"), gray.shape)
                image, square = _square(gray, dpi)
                yield SourcePage(number=number, image=image, dpi=square, words=None, source_dpi=dpi)
        except (OSError, SyntaxError, ValueError, EOFError, TypeError, KeyError) as exc:
            raise InputError(
                f"the image is damaged or truncated: {exc}", hint="ask the sender to fax it again"
            ) from exc


def _dpi(tag: object, shape: tuple[int, ...]) -> tuple[float, float]:
    """The page's resolution; missing or absurd tags are inferred assuming a letter-width page."""
    h, w = shape[:2]
    try:
        x, y = (float(v) for v in tag)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        x = y = 0.0
    plausible = 90 <= x <= 1200 and 45 <= y <= 1200 and 5.0 <= w / x <= 17.5 and 4.0 <= h / y <= 17.5
    if plausible:
        return x, y
    x = w / LETTER_WIDTH_IN
    tall = h / x
    y = x / 2 if tall < 7.5 else x  # a standard-resolution fax page looks half as tall as it is
    return x, y


def _square(gray: np.ndarray, dpi: tuple[float, float]) -> tuple[np.ndarray, int]:
    x, y = dpi
    target = min(300.0, max(150.0, x))
    fx, fy = target / x, target / y
    if abs(fx - 1) > 0.01 or abs(fy - 1) > 0.01:
        interp = cv2.INTER_AREA if fx < 1 and fy < 1 else cv2.INTER_LINEAR
        gray = cv2.resize(gray, None, fx=fx, fy=fy, interpolation=interp)
    return gray, round(target)


class _pdf:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> pdfium.PdfDocument:
        try:
            self.doc = pdfium.PdfDocument(str(self.path))
        except pdfium.PdfiumError as exc:
            message = str(exc)
            if "password" in message.lower():
                raise InputError(
                    "the PDF is password-protected", hint="ask the sender to fax it again without a password"
                ) from exc
            raise InputError(
                f"the PDF cannot be opened: {message}", hint="the file is damaged; ask the sender to fax it again"
            ) from exc
        return self.doc

    def __exit__(self, *exc: object) -> None:
        self.doc.close()


def _pdf_pages(path: Path) -> Iterator[SourcePage]:
    scale = PDF_DPI / 72.0
    with _pdf(path) as doc, pdfplumber.open(path) as plumber:
        if len(doc) == 0:
            raise InputError("the PDF has no pages")
        for index in range(len(doc)):
            page = doc[index]
            try:
                w, h = page.get_size()
                if w * h * scale * scale > MAX_PIXELS:
                    raise InputError(f"page {index + 1} is {w:.0f}x{h:.0f} pt, too large for a fax page")
                bitmap = page.render(scale=scale, grayscale=True)
                image = bitmap.to_numpy()
                image = np.ascontiguousarray(image[..., 0] if image.ndim == 3 else image)
                has_text = page.get_textpage().count_chars() > 0
            except pdfium.PdfiumError as exc:
                raise InputError(f"page {index + 1} of the PDF cannot be rendered: {exc}") from exc
            words = None
            if has_text:
                words = tuple(
                    PdfWord(
                        str(w["text"]),
                        (
                            float(w["x0"]) * scale,
                            float(w["top"]) * scale,
                            float(w["x1"]) * scale,
                            float(w["bottom"]) * scale,
                        ),
                    )
                    for w in plumber.pages[index].extract_words(keep_blank_chars=False, use_text_flow=False)
                )
                plumber.pages[index].flush_cache()
            yield SourcePage(
                number=index + 1,
                image=image,
                dpi=PDF_DPI,
                words=words or None,
                source_dpi=(float(PDF_DPI), float(PDF_DPI)),
            )
