"""The second reader: PP-OCRv6's small text-line recognizer, run by onnxruntime, for what Tesseract reads badly.

Tesseract gets about a third of hand-printed dates and phone numbers right; this CTC model, shipped inside the
`rapidocr` 3.10 wheel (Apache-2.0; nothing is downloaded), reads them far better. It replaced PP-OCRv4's model
(`rapidocr-onnxruntime`): on hand-print in faces nothing was tuned on, the line model alone read 72% of fields
exactly instead of 45%, typed ones 89% instead of 73%, at about the same cost (benchmarks/handprint.py). We run the model ourselves rather
than through rapidocr because we want its per-frame character probabilities: a typed box's value is then the
most probable reading *that has the box's format* (a date is d/d/dddd, a CIN eight digits and a letter), found
by a Viterbi search over the CTC frames. That fixes the commonest slips of a free read: a letter read in a
digit box, a stroke read as punctuation, one of two close `1`s lost.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from extractors import clean, vote
from faxintake.errors import OcrError

MODEL_PACKAGE = "rapidocr"
MODEL_FILE = "models/PP-OCRv6_rec_small.onnx"
HEIGHT = 48  # the model's input height (PP-OCRv4 to v6 alike, and alike normalized: 3 channels, (x - 0.5) / 0.5)
# Wider than the glyphs' natural aspect: CTC needs a blank frame between two equal characters ("11"), and
# hand-printed 1s stand close together. PP-OCRv4's model read the corpus's hand-print dates best at 1.5 (19/25;
# 1.0: 12/25); PP-OCRv6's reads the dev family's hand-print (benchmarks/handprint.py, 480 boxes) as well at 1.0 or
# 1.25 (79.2% exact, 1.25 with fewer wrong reads at >= 0.9) and worse at 1.5 (76.5%).
STRETCH = 1.25
# PP-OCRv6 small fine-tuned on hand-printed box crops (scripts/train_line_model.py), its output cut to the
# characters our boxes hold (WRITTEN): a third reader of validated boxes (read_box).
HAND_MODEL = Path(__file__).parent / "models" / "handprint_rec.onnx"
CANDIDATE_FLOOR = 1e-5  # a character less likely than this in a frame is not considered there


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


# What is written in our forms' boxes: Latin letters (Spanish's and other accented ones), digits, the marks values
# use. PP-OCRv6 knows some 18,700 characters; a free reading picks among these only, so a speck between two words
# is a gap, not a middle dot ("a·medical"), and a stroke no "¦" or CJK character.
WRITTEN = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 /-.,'()#&:;?!%+@\"¿¡"
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ"
)


@dataclass(frozen=True)
class LineProbabilities:
    """The model's output for one line: frames × classes (blank first, space last)."""

    frames: np.ndarray
    labels: tuple[str, ...]

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return _label_index(self.labels)

    @functools.cached_property
    def written_columns(self) -> np.ndarray:
        """The blank's column and those of the WRITTEN characters, in the model's order."""
        return _written_columns(self.labels)


# Worked out once per model, not once per line read: with PP-OCRv6's 18,700 characters, building them for every
# line cost 2-3% of reading a page.
@functools.lru_cache(maxsize=4)
def _label_index(labels: tuple[str, ...]) -> dict[str, int]:
    return {c: i for i, c in enumerate(labels)}


@functools.lru_cache(maxsize=4)
def _written_columns(labels: tuple[str, ...]) -> np.ndarray:
    columns = np.array([0, *(i for i, c in enumerate(labels) if c in WRITTEN)])
    columns.flags.writeable = False  # shared by every line read with the model
    return columns


class _Model:
    def __init__(self, path: Path, characters: Path | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one model per worker process, like one Tesseract engine per core
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise OcrError(f"cannot load the line recognizer model {path.name}: {exc}") from exc
        listed = self.session.get_modelmeta().custom_metadata_map.get("character", "")
        if characters is not None:  # a model exported without its character list carries it beside it
            listed = characters.read_text(encoding="utf-8")
        # The character set is owned here: CTC's blank first, the model's characters (its metadata's list, one a
        # line; PP-OCRv6's has Latin-1 letters, Ñ among them, and no space), the space it was trained with last.
        self.labels = ("", *listed.splitlines(), " ")
        classes = self.session.get_outputs()[0].shape[-1]
        if not listed or (isinstance(classes, int) and classes != len(self.labels)):
            raise OcrError(f"the line recognizer model {path.name} does not come with its character list")
        self.input_name = self.session.get_inputs()[0].name


_CHOSEN: list[tuple[Path, Path | None]] = []  # a model file tried instead of the shipped one (benchmarks)
_CHOSEN_HAND: list[Path | None] = []  # a hand-print model tried instead of the shipped one, or none (benchmarks)


def use_model(path: Path, characters: Path | None = None) -> None:
    """Read with another model file of the same kind (and its character list, when the model does not carry it):
    how benchmarks/handprint.py measures a candidate before it is adopted."""
    _CHOSEN[:] = [(path, characters)]
    _model.cache_clear()


def use_hand_model(path: Path | None) -> None:
    """Read with another hand-print model (HAND_MODEL's kind), or with none: the base model alone."""
    _CHOSEN_HAND[:] = [path]
    _hand_model.cache_clear()


@functools.cache
def _model() -> _Model:
    if _CHOSEN:
        return _Model(*_CHOSEN[0])
    spec = importlib.util.find_spec(MODEL_PACKAGE)  # finds the package without importing rapidocr itself
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = next((Path(p) / MODEL_FILE for p in locations if (Path(p) / MODEL_FILE).exists()), None)
    if path is None:
        raise OcrError(
            "the line recognizer model is missing", hint="reinstall the locked environment (uv sync --frozen)"
        )
    return _Model(path)


@functools.cache
def _hand_model() -> _Model | None:
    path = _CHOSEN_HAND[0] if _CHOSEN_HAND else HAND_MODEL
    if path is None:
        return None
    if not path.exists():
        raise OcrError("the hand-print line model is missing", hint=f"{path} belongs to the package")
    return _Model(path)


def load() -> None:
    """Load the models now (a worker's start), not at the first line read."""
    _model()
    _hand_model()


def model_input(ink: np.ndarray, *, stretch: float = STRETCH) -> np.ndarray:
    """One line of ink (bool, True where written) as the model sees it: the ink's bounds with a margin, gray
    (uint8, paper white), HEIGHT rows, widened by `stretch` (see STRETCH). scripts/line_model_crops.py trains on
    exactly this."""
    ys, xs = np.nonzero(ink)
    if not len(ys):
        raise OcrError("nothing to read in an empty line")
    glyphs = clean.paper(ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
    h = glyphs.shape[0]
    padded = cv2.copyMakeBorder(glyphs, h // 3, h // 3, h // 2, h // 2, cv2.BORDER_CONSTANT, value=255)
    width = max(16, round(padded.shape[1] * HEIGHT / padded.shape[0] * stretch))
    return np.asarray(cv2.resize(padded, (width, HEIGHT), interpolation=cv2.INTER_AREA))


def probabilities(ink: np.ndarray, *, stretch: float = STRETCH, hand: bool = False) -> LineProbabilities:
    """Run the recognizer on one line of ink (bool, True where written); `stretch` widens it first (see STRETCH).
    With `hand`, the hand-print model reads it (None's base model when there is none)."""
    scaled = model_input(ink, stretch=stretch).astype(np.float32) / 255.0
    tensor = np.repeat(((scaled - 0.5) / 0.5)[None, None], 3, axis=1)
    model = (_hand_model() if hand else None) or _model()
    return LineProbabilities(frames=_run(model, tensor), labels=model.labels)


def has_hand_model() -> bool:
    return _hand_model() is not None


def _run(model: _Model, tensor: np.ndarray) -> np.ndarray:
    try:
        return np.asarray(model.session.run(None, {model.input_name: tensor})[0][0])
    except Exception as exc:
        raise OcrError(f"the line recognizer failed: {exc}") from exc


# Setting glyphs apart: a glyph overlapping its neighbour by this share of the narrower one's width is one glyph
# with it (an i's dot, a 5's flag, a broken stroke); a slanted neighbour overlaps less.
SAME_GLYPH_OVERLAP = 0.5
# The white set between glyphs, as a share of the ink's height: at the model's input that is about a frame, so two
# equal characters side by side get the blank frame CTC needs between them. Measured on the corpus's hand-print
# boxes read again this way (5 of 7 wrong before): 0.15-0.35 all right with the glyphs at their own width; stretched
# 1.5x as well, 0.25 and wider drop digits again.
GLYPH_GAP = 0.2
SPACED_STRETCH = 1.0  # the gaps already give each character its frames; stretching the glyphs too deforms them


def glyph_spans(ink: np.ndarray) -> list[tuple[int, int, list[int]]]:
    """The separate glyphs of a line, left to right: (first column, end column, connected components), with the
    components labelled as by `cv2.connectedComponents` (8-connected). Touching glyphs count as one."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    spans: list[tuple[int, int, list[int]]] = []
    for i in sorted(range(1, count), key=lambda i: int(stats[i][0])):
        x0, x1 = int(stats[i][0]), int(stats[i][0] + stats[i][2])
        for k, (g0, g1, parts) in enumerate(spans):
            if min(g1, x1) - max(g0, x0) >= SAME_GLYPH_OVERLAP * min(x1 - x0, g1 - g0):
                spans[k] = (min(g0, x0), max(g1, x1), [*parts, i])
                break
        else:
            spans.append((x0, x1, [i]))
    return sorted(spans)


def glyph_count(ink: np.ndarray) -> int:
    """How many separate glyphs the line holds: about a lower bound on its characters (touching ones count once; a
    glyph broken in two side by side, rare, counts twice)."""
    return len(glyph_spans(ink))


def spaced(ink: np.ndarray, gap: float = GLYPH_GAP) -> np.ndarray:
    """The line with its glyphs set `gap` x its height apart, each glyph's own shape and height kept."""
    spans = glyph_spans(ink)
    if not spans:
        return ink
    _, labels = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    rows = np.nonzero(ink.any(axis=1))[0]
    white = np.zeros((ink.shape[0], max(2, round(gap * (rows[-1] - rows[0] + 1)))), dtype=bool)
    pieces: list[np.ndarray] = []
    for x0, x1, parts in spans:
        pieces += [np.isin(labels[:, x0:x1], parts), white]
    return np.hstack(pieces[:-1])


def read_box(
    ink: np.ndarray, formats: Sequence[Format], accept: Callable[[str], bool] | None = None
) -> tuple[LineRead | None, LineProbabilities]:
    """A box's most probable reading in one of `formats`, and the base model's frames it was read from: read by the
    base model and by the hand-print model (HAND_MODEL) apart, the two readings reconciled by each one's measured
    chance of being right (vote.CALIBRATION); a box they read differently stays unsure (at most DISAGREEMENT)."""
    line, probs = read_box_by(ink, formats, accept)
    if not has_hand_model():
        return line, probs
    other, _ = read_box_by(ink, formats, accept, hand=True)
    return reconciled(line, other), probs


def reconciled(base: LineRead | None, hand: LineRead | None) -> LineRead | None:
    """One reading from the two models': the same text at the surer of their confidences, character by
    character (fine-tuned from the base, the hand-print model is no independent witness: agreement lifts nothing);
    different texts, the reading more likely right, unsure."""
    if base is None or hand is None:
        return base or hand
    if base.text == hand.text:
        surer = tuple(max(a, b) for a, b in zip(base.char_confidences, hand.char_confidences, strict=True))
        return LineRead(base.text, surer, max(base.log_probability, hand.log_probability))
    hand_wins = vote.calibrated("hand model", hand.confidence) > vote.calibrated("line model", base.confidence)
    chosen = hand if hand_wins else base
    unsure = tuple(min(c, DISAGREEMENT) for c in chosen.char_confidences)
    return LineRead(chosen.text, unsure, chosen.log_probability)


def read_box_by(
    ink: np.ndarray, formats: Sequence[Format], accept: Callable[[str], bool] | None = None, *, hand: bool = False
) -> tuple[LineRead | None, LineProbabilities]:
    """One model's reading of a box (the base model's, or with `hand` the hand-print model's). When the reading
    has fewer characters than the ink has separate glyphs, two equal ones ran together in the frames ("11" read as
    "1": CTC needs a blank frame between them); the glyphs are set apart and read again, and that reading is taken
    when it only adds characters. When it changes others, the two disagree and the reading stays unsure.
    A reading `accept` rejects (a date with day 0: "1/" of "01/" read as one stroke) is looked at again at other
    widths; what is found only there is taken, unsure."""
    line, probs = _read_box(ink, formats, hand)
    if accept is None or (line is not None and accept(line.text)):
        return line, probs
    for stretch in RETRY_STRETCHES:
        again = probabilities(ink, stretch=stretch, hand=hand)
        found = read_format(again, formats)
        if found is not None and accept(found.text):
            unsure = tuple(min(c, DISAGREEMENT) for c in found.char_confidences)
            return LineRead(found.text, unsure, found.log_probability), again
    return line, probs


# Other widths to look at a rejected reading again at: on the dev family's hand-print no one width read every
# writer best (benchmarks/handprint.py), and a corpus birth date read with day 0 at 1.5 reads right at 1.0.
RETRY_STRETCHES = (1.0, 1.5)


def _read_box(ink: np.ndarray, formats: Sequence[Format], hand: bool) -> tuple[LineRead | None, LineProbabilities]:
    probs = probabilities(ink, hand=hand)
    line = read_format(probs, formats)
    if line is not None and len(line.text) >= glyph_count(ink):
        return line, probs
    apart = probabilities(spaced(ink), stretch=SPACED_STRETCH, hand=hand)
    again = read_format(apart, formats)
    if again is None or (line is not None and len(again.text) <= len(line.text)):
        return line, probs
    if line is None or _within(line.text, again.text):
        return again, apart
    unsure = tuple(min(c, DISAGREEMENT) for c in line.char_confidences)
    return LineRead(line.text, unsure, line.log_probability), probs


DISAGREEMENT = 0.6  # the most a reading is worth that a closer look at the same ink contradicts


def _within(short: str, long: str) -> bool:
    """Whether `short` is `long` with some characters left out."""
    rest = iter(long)
    return all(ch in rest for ch in short)


def writes(letters: str) -> bool:
    """Whether the model can read every one of `letters` (PP-OCRv6's alphabet: Chinese, Latin-1, more)."""
    return set(letters) <= set(_model().labels)


def read_free(probs: LineProbabilities) -> LineRead:
    """The model's own best reading among the WRITTEN characters (greedy CTC decoding)."""
    columns = probs.written_columns
    best = columns[probs.frames[:, columns].argmax(axis=1)]
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


def read_format(probs: LineProbabilities, formats: Sequence[Format]) -> LineRead | None:
    """The most probable reading that has one of `formats`; None when no path of the frames can have any."""
    best: tuple[float, LineRead] | None = None
    for fmt in formats:
        found = _best_path(probs, fmt)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return best[1] if best else None


@dataclass(frozen=True)
class _Automaton:
    """A format as positions (segment, characters written in it) and the moves a character makes between them."""

    alphabet: tuple[str, ...]
    size: int  # positions; 0 is the start
    sources: np.ndarray  # one row per move: from position, character (alphabet index), to position
    characters: np.ndarray
    targets: np.ndarray
    accepting: np.ndarray  # bool per position


@functools.lru_cache(maxsize=4096)
def _automaton(fmt: Format) -> _Automaton:
    positions = [(0, 0)] + [(seg, n) for seg, segment in enumerate(fmt) for n in range(1, segment.max + 1)]
    number = {p: i for i, p in enumerate(positions)}
    alphabet = tuple(sorted({c for segment in fmt for c in segment.chars}))
    moves = []
    for seg, count in positions:
        for a, char in enumerate(alphabet):
            if count and count < fmt[seg].max and char in fmt[seg].chars:
                moves.append((number[seg, count], a, number[seg, count + 1]))
            if count == 0 and seg == 0:
                if char in fmt[0].chars:
                    moves.append((0, a, number[0, 1]))
            elif count >= fmt[seg].min and seg + 1 < len(fmt) and char in fmt[seg + 1].chars:
                moves.append((number[seg, count], a, number[seg + 1, 1]))
    table = np.array(moves, dtype=np.int64).reshape(-1, 3)
    accepting = np.array([seg == len(fmt) - 1 and count >= fmt[-1].min for seg, count in positions])
    return _Automaton(alphabet, len(positions), table[:, 0], table[:, 1], table[:, 2], accepting)


def _best_path(probs: LineProbabilities, fmt: Format) -> tuple[float, LineRead] | None:
    """Viterbi over (position in the format, last character or a gap) for every frame: the best CTC path whose
    text has the format. States are few (a date: 11 positions x 12), so each frame is a handful of array steps."""
    auto = _automaton(fmt)
    frames = probs.frames
    columns = np.array([probs.index.get(c, 0) for c in auto.alphabet])
    known = np.array([c in probs.index for c in auto.alphabet])
    likely = _with_lookalikes(probs, auto.alphabet, columns)
    with np.errstate(divide="ignore"):
        chars = np.where((likely > CANDIDATE_FLOOR) & known, np.log(likely), -np.inf)
    # A space is not part of any format: between characters it is as good as a blank.
    gaps = np.log(np.maximum(frames[:, 0] + frames[:, -1], 1e-12))
    gap = len(auto.alphabet)  # the "last" index of a state just after a gap
    scores = np.full((auto.size, gap + 1), -np.inf)
    scores[0, gap] = 0.0
    steps: list[tuple[int, np.ndarray, np.ndarray]] = []  # (frame or -1 for a run of gaps, from position, from last)
    rows = np.arange(auto.size)
    active = np.asarray(np.isfinite(chars).any(axis=1), dtype=bool)
    t, end = 0, frames.shape[0]
    while t < end:
        best_last = scores.argmax(axis=1)
        best = scores[rows, best_last]
        if not active[t]:  # nothing of the format here: every path waits, for as long as that lasts
            run = t
            while run < end and not active[run]:
                run += 1
            scores = np.full_like(scores, -np.inf)
            scores[:, gap] = best + gaps[t:run].sum()
            steps.append((-1, rows, best_last))
            t = run
            continue
        following = np.full_like(scores, -np.inf)
        from_pos = np.repeat(rows[:, None], gap + 1, axis=1)
        from_last = np.zeros_like(from_pos)
        following[:, gap] = best + gaps[t]
        from_last[:, gap] = best_last
        following[:, :gap] = scores[:, :gap] + chars[t]  # the same character goes on over this frame
        from_last[:, :gap] = np.arange(gap)
        # A new character: from the best state of its position whose last character differs (CTC needs a gap
        # between two equal ones).
        order = np.argsort(-scores, axis=1)[:, :2]
        first, second = order[:, 0], order[:, 1]
        src, sym, dst = auto.sources, auto.characters, auto.targets
        prev_last = np.where(first[src] == sym, second[src], first[src])
        value = scores[src, prev_last] + chars[t, sym]
        cell = dst * (gap + 1) + sym
        ranked = np.lexsort((value, cell))
        winners = ranked[np.r_[cell[ranked][1:] != cell[ranked][:-1], True]]
        flat = following.reshape(-1)
        better = winners[value[winners] > flat[cell[winners]]]
        flat[cell[better]] = value[better]
        from_pos.reshape(-1)[cell[better]] = src[better]
        from_last.reshape(-1)[cell[better]] = prev_last[better]
        scores = following
        steps.append((t, from_pos, from_last))
        t += 1
    finals = np.where(auto.accepting[:, None], scores, -np.inf)
    pos, last = np.unravel_index(int(finals.argmax()), finals.shape)
    score = float(finals[pos, last])
    if not np.isfinite(score):
        return None
    # Walk back: a character was written where the position changed; it lasted while the state stayed.
    path: list[tuple[int, int, int]] = []  # (frame, position, last) forwards
    for frame, from_pos, from_last in reversed(steps):
        path.append((frame, int(pos), int(last)))
        if from_pos.ndim == 1:  # after a run of gaps every state is (position, gap)
            pos, last = from_pos[pos], from_last[pos]
        else:
            pos, last = from_pos[pos, last], from_last[pos, last]
    path.reverse()
    text: list[str] = []
    confidences: list[float] = []
    previous = 0
    for frame, position, last_char in path:
        if position != previous:
            text.append(auto.alphabet[last_char])
            confidences.append(float(likely[frame, last_char]))
        elif last_char != gap and frame >= 0 and text:
            confidences[-1] = max(confidences[-1], float(likely[frame, last_char]))
        previous = position
    return score, LineRead("".join(text), tuple(confidences), score)


# Letters a hand-printed digit is read as (normalize.DIGIT_LOOKALIKES, for Tesseract's readings): in a digit's place
# the letter's probability is the digit's too. Schoolbell's 5 reads "S" at 0.93; a CIN's sixth character is a digit.
DIGIT_LOOKALIKES = {"0": "OoDQ", "1": "Il|i", "2": "Zz", "5": "Ss", "8": "B", "9": "g"}


def _with_lookalikes(probs: LineProbabilities, alphabet: Sequence[str], columns: np.ndarray) -> np.ndarray:
    """Frames x `alphabet`: each character's probability, a digit's with its look-alike letters' added."""
    likely = probs.frames[:, columns].copy()
    for a, char in enumerate(alphabet):
        for letter in DIGIT_LOOKALIKES.get(char, ""):
            if letter in probs.index:
                likely[:, a] += probs.frames[:, probs.index[letter]]
    return np.minimum(likely, 1.0)


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
    best = np.maximum(gap, frames[:, probs.written_columns[1:]].max(axis=1))
    return float(np.log(np.maximum(best, 1e-12)).sum())
