"""Fine-tune PP-OCRv6's small line recognizer on hand-printed box crops; export the ONNX model the pipeline ships.

Not run by the pipeline or its tests: it rebuilds extractors/models/handprint_rec.onnx. PyTorch is no dependency
of the project; the CPU wheel lives in a venv of its own:

    python3 -m venv /work/torchenv
    /work/torchenv/bin/pip install torch==2.13.0 onnx2torch==1.5.15 onnx==1.23.2 onnxruntime numpy
    uv run python scripts/line_model_crops.py --out /tmp/crops2 --seed 2 --shards 29     # 14,500 crops
    nice -n 10 /work/torchenv/bin/python scripts/train_line_model.py --crops /tmp/crops2 \
        --base .venv/lib/python3.11/site-packages/rapidocr/models/PP-OCRv6_rec_small.onnx \
        --out extractors/models/handprint_rec.onnx --minutes 45 --lr 1.5e-4 --seed 17 --steps 424

The shipped model is that run's step 424 (31 minutes into a 45-minute cosine schedule, on one thread of a shared
2-core machine). The learning rate follows the clock, and that run read its crops while they were still being
written (a shard joins every 50 steps), so a rebuild gives a model like it, not the same bytes.

The base model (PP-OCRv6_rec_small, Apache-2.0, shipped in the rapidocr wheel) is converted to torch with
onnx2torch; its output layer is cut to the characters our boxes hold (line_model.WRITTEN, in the model's order,
CTC's blank first and the space last, as line_model reads any model) and every weight is fine-tuned with CTC loss,
batch norm statistics frozen, on crops written in the dev faces and the training-only ones, never a test-family
face (scripts/line_model_crops.py). One thread (the machine is shared); the run stops after --minutes (or
--steps) and writes the trained weights back into the base model's own ONNX graph, with its character list in
the metadata ("character", one a line, as PP-OCR's models carry it), checked against torch by onnxruntime.
The licence is the base model's (Apache-2.0).
"""

from __future__ import annotations

import argparse
import glob
import math
import pickle
import random
import sys
import time
import types
from pathlib import Path

import numpy as np

# onnx2torch imports torchvision for operators this model does not have (NMS, RoIAlign); a stub stands in.
_tv = types.ModuleType("torchvision")
_ops = types.ModuleType("torchvision.ops")
_ops.roi_align = None  # type: ignore[attr-defined]
_tv.ops = _ops  # type: ignore[attr-defined]
sys.modules.setdefault("torchvision", _tv)
sys.modules.setdefault("torchvision.ops", _ops)

import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from onnx2torch import convert  # noqa: E402

# line_model.WRITTEN: what our boxes hold (kept in step by hand; this script runs outside the project's venv).
WRITTEN = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 /-.,'()#&:;?!%+@\"¿¡"
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ"
)


def prepared_base(path: Path) -> tuple[onnx.ModelProto, list[str]]:
    """The base model with explicit padding (onnx2torch has no SAME_UPPER) and its output layer cut to our
    characters; and those characters."""
    model = onnx.load(str(path))
    listed = {p.key: p.value for p in model.metadata_props}["character"].splitlines()
    keep = [i for i, c in enumerate(listed) if c in WRITTEN and c != " "]
    characters = [listed[i] for i in keep]
    columns = [0, *(i + 1 for i in keep), len(listed) + 1]  # blank, ours, space
    graph = model.graph
    for node in graph.node:
        for attr in list(node.attribute):
            if attr.name == "auto_pad" and attr.s == b"SAME_UPPER":  # 2x2 kernels, stride 1: one row and column after
                node.attribute.remove(attr)
                node.attribute.append(onnx.helper.make_attribute("pads", [0, 0, 1, 1]))
    add = next(n for n in graph.node if n.output[0] == _softmax(graph).input[0])
    while add.op_type == "Identity":
        add = next(n for n in graph.node if n.output[0] == add.input[0])
    matmul = next(n for n in graph.node if n.output[0] in add.input)
    inits = {i.name: i for i in graph.initializer}
    weight = inits[matmul.input[1]]
    bias = inits[next(x for x in add.input if x in inits)]
    weight.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(weight)[:, columns].copy(), weight.name))
    bias.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(bias)[columns].copy(), bias.name))
    graph.output[0].type.tensor_type.shape.dim[2].dim_value = len(columns)
    del graph.value_info[:]  # shape hints of the uncut layer; onnxruntime infers them again
    return model, characters


def _softmax(graph: onnx.GraphProto) -> onnx.NodeProto:
    return next(n for n in graph.node if n.op_type == "Softmax" and n.output[0] == graph.output[0].name)


def without_softmax(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model giving scores, not probabilities: CTC loss wants log-probabilities of its own."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    softmax = _softmax(copy.graph)
    copy.graph.node.remove(softmax)
    copy.graph.output[0].name = softmax.input[0]
    return copy


def _key(array: np.ndarray) -> bytes:
    return str(array.shape).encode() + np.ascontiguousarray(array, dtype=np.float32).tobytes()


def initializer_names(net: torch.nn.Module, model: onnx.ModelProto) -> dict[str, str]:
    """Which ONNX initializer each of the converted model's weights came from (found by value: onnx2torch renames
    them; every float initializer of PP-OCRv6 small is distinct), so that trained weights go back into the base
    model's own graph, whose dynamic shapes onnxruntime already runs."""
    by_value = {}
    for init in model.graph.initializer:
        array = numpy_helper.to_array(init)
        if array.dtype == np.float32 and array.size > 1:
            by_value[_key(array)] = init.name
    names = {}
    for name, tensor in [*net.named_parameters(), *net.named_buffers()]:
        array = tensor.detach().numpy()
        if array.dtype == np.float32 and array.size > 1:
            names[name] = by_value[_key(array)]
    return names


def trainable(net: torch.nn.Module) -> torch.nn.Module:
    """onnx2torch keeps MatMul weights and the like as buffers: float ones with more than one value are made
    parameters, so that the attention blocks and the output layer learn too."""
    holder = net.initializers  # type: ignore[attr-defined]
    for name, buffer in list(holder.named_buffers(recurse=False)):
        if buffer.dtype == torch.float32 and buffer.numel() > 1:
            delattr(holder, name)
            holder.register_parameter(name, torch.nn.Parameter(buffer.clone()))
    return net


def load_crops(folder: Path, seen: set[str], crops: list[tuple[np.ndarray, str]]) -> None:
    for path in sorted(glob.glob(str(folder / "*.pkl"))):
        if path not in seen:
            seen.add(path)
            crops.extend(pickle.loads(Path(path).read_bytes()))


def batch_of(
    crops: list[tuple[np.ndarray, str]], index: dict[str, int], rng: random.Random, size: int, max_pixels: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`size` crops of about one width (a random one's neighbours by width), padded with paper on the right."""
    pick = rng.sample(range(len(crops)), min(len(crops), size * 8))
    pick.sort(key=lambda i: crops[i][0].shape[1])
    start = rng.randrange(max(1, len(pick) - size + 1))
    chosen = [crops[i] for i in pick[start : start + size]]
    width = max(img.shape[1] for img, _ in chosen)
    chosen = chosen[: max(1, max_pixels // (48 * width))]
    images = np.ones((len(chosen), 3, 48, width), dtype=np.float32)
    targets: list[int] = []
    lengths: list[int] = []
    for k, (img, text) in enumerate(chosen):
        images[k, :, :, : img.shape[1]] = (img.astype(np.float32) / 255.0 - 0.5) / 0.5
        labels = [index[c] for c in text if c in index]
        targets += labels
        lengths.append(len(labels))
    return torch.from_numpy(images), torch.tensor(targets, dtype=torch.long), torch.tensor(lengths, dtype=torch.long)


def export(
    net: torch.nn.Module, names: dict[str, str], base: onnx.ModelProto, characters: list[str], out: Path
) -> None:
    """The base model's graph with the trained weights, its characters in its metadata ("character"); onnxruntime's
    output checked against torch's."""
    import onnxruntime as ort

    model = onnx.ModelProto()
    model.CopyFrom(base)
    tensors = dict([*net.named_parameters(), *net.named_buffers()])
    trained = {names[n]: tensors[n].detach().numpy() for n in names}
    for init in model.graph.initializer:
        if init.name in trained:
            init.CopyFrom(numpy_helper.from_array(trained[init.name].astype(np.float32), init.name))
    del model.metadata_props[:]
    onnx.helper.set_model_props(model, {"character": "\n".join(characters)})
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    check = torch.rand(2, 3, 48, 404) * 2 - 1
    with torch.no_grad():
        expected = torch.softmax(net(check), dim=-1).numpy()
    got = session.run(None, {session.get_inputs()[0].name: check.numpy()})[0]
    assert np.abs(got - expected).max() < 1e-3, "the exported model does not compute what torch does"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crops", type=Path, required=True)
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--minutes", type=float, default=75.0, help="the learning rate's cosine runs over this time")
    parser.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: when --minutes is up)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-pixels", type=int, default=16 * 48 * 420)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--export-every", type=float, default=20.0, help="minutes between exported checkpoints")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    base, characters = prepared_base(args.base)
    index = {c: i + 1 for i, c in enumerate(characters)} | {" ": len(characters) + 1}
    net = trainable(convert(without_softmax(base)))
    names = initializer_names(net, base)
    net.eval()  # batch norm keeps the base model's statistics: small batches of one kind of writing would skew them
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-4)
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    crops: list[tuple[np.ndarray, str]] = []
    seen: set[str] = set()
    load_crops(args.crops, seen, crops)
    started = time.monotonic()
    budget = args.minutes * 60
    last_export = started
    step, smoothed = 0, None
    while (elapsed := time.monotonic() - started) < budget and not (args.steps and step >= args.steps):
        if step % 50 == 0:
            load_crops(args.crops, seen, crops)
        warm = min(1.0, step / 100)
        lr = args.lr * warm * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget)))
        for group in optimizer.param_groups:
            group["lr"] = max(lr, args.lr * 0.02)
        images, targets, lengths = batch_of(crops, index, rng, args.batch, args.max_pixels)
        logits = net(images)  # batch x frames x classes
        log_probs = torch.log_softmax(logits, dim=-1).permute(1, 0, 2)
        frames = torch.full((images.shape[0],), log_probs.shape[0], dtype=torch.long)
        loss = ctc(log_probs, targets, frames, lengths)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        optimizer.step()
        smoothed = float(loss) if smoothed is None else 0.98 * smoothed + 0.02 * float(loss)
        step += 1
        if step % 25 == 0:
            print(f"step {step} {elapsed / 60:5.1f} min loss {smoothed:.3f} lr {lr:.2e} crops {len(crops)}", flush=True)
        if time.monotonic() - last_export > args.export_every * 60:
            export(net, names, base, characters, args.out.with_name(f"{args.out.stem}.step{step}.onnx"))
            last_export = time.monotonic()
    export(net, names, base, characters, args.out)
    print(f"exported {args.out} after {step} steps", flush=True)


if __name__ == "__main__":
    main()
