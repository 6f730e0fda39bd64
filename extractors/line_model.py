"""The second reader: PP-OCRv4's text-line recognizer, run by onnxruntime, for what Tesseract reads badly.

Tesseract gets about a third of hand-printed dates and phone numbers right; this CTC model, shipped inside the
`rapidocr-onnxruntime` wheel (nothing is downloaded), reads them far better. We run the model ourselves rather
than through rapidocr because we want its per-frame character probabilities: a typed box's value is then the
most probable reading *that has the box's format* (a date is d/d/dddd, a CIN eight digits and a letter), found
by a Viterbi search over the CTC frames. That fixes the commonest slips of a free read: a letter read in a
digit box, a stroke read as punctuation, one of two close `1`s lost.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from faxintake.errors import OcrError

MODEL_PACKAGE = "rapidocr_onnxruntime"
MODEL_FILE = "models/ch_PP-OCRv4_rec_infer.onnx"
HEIGHT = 48  # the model's input height
# Wider than the glyphs' natural aspect: CTC needs a blank frame between two equal characters ("11"), and
# hand-printed 1s stand close together. Measured on the corpus's hand-print crops: 1.0 → 12/25 dates right,
# 1.5 → 19/25, 2.0 → 15/25.
STRETCH = 1.5
CANDIDATE_FLOOR = 1e-5  # a character less likely than this in a frame is not considered there
BEAM = 96  # states kept per frame in the format search


@dataclass(frozen=True)
class Segment:
    """`min`..`max` characters, each one of `chars`."""

    chars: str
    min: int
    max: int


Format = tuple[Segment, ...]


@dataclass(frozen=True)
class LineRead:
    text: str
    char_confidences: tuple[float, ...]  # per character: its best frame's probability
    log_probability: float = 0.0  # of the best CTC path to this text (a space counted as a gap)

    @property
    def confidence(self) -> float:
        return min(self.char_confidences, default=0.0)


@dataclass(frozen=True)
class LineProbabilities:
    """The model's output for one line: frames × classes (blank first, space last)."""

    frames: np.ndarray
    labels: tuple[str, ...]

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.labels)}


class _Model:
    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one model per worker process, like one Tesseract engine per core
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise OcrError(f"cannot load the line recognizer model {path.name}: {exc}") from exc
        characters = self.session.get_modelmeta().custom_metadata_map.get("character", "").splitlines()
        self.labels = ("", *characters, " ")
        self.input_name = self.session.get_inputs()[0].name


@functools.cache
def _model() -> _Model:
    spec = importlib.util.find_spec(MODEL_PACKAGE)  # finds the package without importing rapidocr itself
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = next((Path(p) / MODEL_FILE for p in locations if (Path(p) / MODEL_FILE).exists()), None)
    if path is None:
        raise OcrError(
            "the line recognizer model is missing", hint="reinstall the locked environment (uv sync --frozen)"
        )
    return _Model(path)


def probabilities(ink: np.ndarray, *, stretch: float = STRETCH) -> LineProbabilities:
    """Run the recognizer on one line of ink (bool, True where written); `stretch` widens it first (see STRETCH)."""
    ys, xs = np.nonzero(ink)
    if not len(ys):
        raise OcrError("nothing to read in an empty line")
    glyphs = np.where(ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], 0, 255).astype(np.uint8)
    h = glyphs.shape[0]
    padded = cv2.copyMakeBorder(glyphs, h // 3, h // 3, h // 2, h // 2, cv2.BORDER_CONSTANT, value=255)
    width = max(16, round(padded.shape[1] * HEIGHT / padded.shape[0] * stretch))
    scaled = cv2.resize(padded, (width, HEIGHT), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    tensor = np.repeat(((scaled - 0.5) / 0.5)[None, None], 3, axis=1)
    model = _model()
    try:
        frames = model.session.run(None, {model.input_name: tensor})[0][0]
    except Exception as exc:
        raise OcrError(f"the line recognizer failed: {exc}") from exc
    return LineProbabilities(frames=frames, labels=model.labels)


def read_free(probs: LineProbabilities) -> LineRead:
    """The model's own best reading (greedy CTC decoding)."""
    best = probs.frames.argmax(axis=1)
    text: list[str] = []
    confidences: list[float] = []
    previous = 0
    for t, label in enumerate(best):
        if label != previous and label != 0:
            text.append(probs.labels[label])
            confidences.append(float(probs.frames[t, label]))
        elif label == previous and label != 0:
            confidences[-1] = max(confidences[-1], float(probs.frames[t, label]))
        previous = int(label)
    while text and text[0].isspace():  # a gap read as a space at either end is no character
        del text[0], confidences[0]
    while text and text[-1].isspace():
        del text[-1], confidences[-1]
    return LineRead("".join(text), tuple(confidences))


# A search state: (segment, characters written in it, last character or "" after a blank), and the best path
# into it: (log probability, text, each character's confidence).
_State = tuple[int, int, str]
_Path = tuple[float, str, tuple[float, ...]]


def _offer(paths: dict[_State, _Path], state: _State, path: _Path) -> None:
    if state not in paths or paths[state][0] < path[0]:
        paths[state] = path


def read_format(probs: LineProbabilities, formats: Sequence[Format]) -> LineRead | None:
    """The most probable reading that has one of `formats`; None when no path of the frames can have any."""
    best: tuple[float, LineRead] | None = None
    for fmt in formats:
        found = _best_path(probs, fmt)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return best[1] if best else None


def _best_path(probs: LineProbabilities, fmt: Format) -> tuple[float, LineRead] | None:
    frames, index = probs.frames, probs.index
    moves = _moves(fmt)
    alphabet = sorted({c for segment in fmt for c in segment.chars if c in index})
    columns = np.array([index[c] for c in alphabet])
    # A space is not part of any format: between characters it is as good as a blank.
    blank = np.log(np.maximum(frames[:, 0] + frames[:, -1], 1e-12))
    likely = frames[:, columns] > CANDIDATE_FLOOR
    scores: dict[_State, _Path] = {(0, 0, ""): (0.0, "", ())}
    t, end = 0, frames.shape[0]
    while t < end:
        if not likely[t].any():  # no character of the format here: every path just waits, as long as that lasts
            run = t
            while run < end and not likely[run].any():
                run += 1
            gap = float(blank[t:run].sum())
            waiting: dict[_State, _Path] = {}
            for (seg, count, _), (score, text, confs) in scores.items():
                _offer(waiting, (seg, count, ""), (score + gap, text, confs))
            scores, t = waiting, run
            continue
        candidates = [(alphabet[i], float(frames[t, columns[i]])) for i in np.nonzero(likely[t])[0]]
        following: dict[_State, _Path] = {}
        for (seg, count, last), (score, text, confs) in scores.items():
            _offer(following, (seg, count, ""), (score + blank[t], text, confs))
            if last:
                p = float(frames[t, index[last]])
                if p > CANDIDATE_FLOOR:  # the same character goes on over this frame
                    _offer(following, (seg, count, last), (score + math.log(p), text, (*confs[:-1], max(confs[-1], p))))
            for char, p in candidates:
                if char == last:
                    continue  # CTC: a repeated character needs a blank between
                for nxt in moves.get((seg, count, char), ()):
                    _offer(following, (*nxt, char), (score + math.log(p), text + char, (*confs, p)))
        scores = dict(sorted(following.items(), key=lambda kv: -kv[1][0])[:BEAM])
        t += 1
    final = [
        (score, text, confs)
        for (seg, count, _), (score, text, confs) in scores.items()
        if seg == len(fmt) - 1 and count >= fmt[-1].min
    ]
    if not final:
        return None
    score, text, confs = max(final)
    return score, LineRead(text, confs, score)


LOOKALIKE_MARKS = {",": ",.;", "/": "/-.", "-": "-/.", ".": ".,"}  # what a written mark may be read as


def read_literal(probs: LineProbabilities, text: str) -> LineRead | None:
    """The best path to `text` (any letter case, spaces as gaps, a mark read as a mark like it), and how likely it
    is: a hypothesis from outside the image (the roster's spelling of a name) checked against the frames."""
    groups = [c.upper() + c.lower() + LOOKALIKE_MARKS.get(c, "") for c in text if not c.isspace()]
    if not groups or not all(any(v in probs.index for v in group) for group in groups):
        return None
    return read_format(probs, [tuple(Segment(group, 1, 1) for group in groups)])


def free_log_probability(probs: LineProbabilities) -> float:
    """The log probability of the most likely path with no constraint, spaces counted as gaps like `read_format`."""
    frames = probs.frames
    gap = frames[:, 0] + frames[:, -1]
    best = np.maximum(gap, frames[:, 1:-1].max(axis=1))
    return float(np.log(np.maximum(best, 1e-12)).sum())


@functools.lru_cache(maxsize=4096)
def _moves(fmt: Format) -> dict[tuple[int, int, str], tuple[tuple[int, int], ...]]:
    """Where writing a character takes the format: (segment, characters written in it, char) -> next positions."""
    positions = [(0, 0)] + [(seg, n) for seg, segment in enumerate(fmt) for n in range(1, segment.max + 1)]
    moves: dict[tuple[int, int, str], tuple[tuple[int, int], ...]] = {}
    for seg, count in positions:
        for char in {c for segment in fmt for c in segment.chars}:
            out = []
            if count and count < fmt[seg].max and char in fmt[seg].chars:
                out.append((seg, count + 1))
            if count == 0 and seg == 0:
                if char in fmt[0].chars:
                    out.append((0, 1))
            elif count >= fmt[seg].min and seg + 1 < len(fmt) and char in fmt[seg + 1].chars:
                out.append((seg + 1, 1))
            if out:
                moves[seg, count, char] = tuple(out)
    return moves
