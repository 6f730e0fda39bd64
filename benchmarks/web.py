"""The review app on a store of 10 000 documents: the queue page and the document page, over HTTP from a real
uvicorn server, beside the naive baseline (the store's own `queue()`, which loads every open document).

    uv run python -m benchmarks.web [--documents 10000] [--requests 40] [--store sqlite:///…]

The store is made from the corpus's ground truth (no OCR): each corpus document decided by the real rules once,
then recorded again and again as new faxes (another content hash, arrivals spread over 60 days), with its pages and
the kept original, so the document page has everything it shows. Targets: queue ≤ 300 ms, document ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from sample_faxes.build import CORPUS_DIR

QUEUE_TARGET_MS, DOCUMENT_TARGET_MS = 300, 500


def _results() -> list[object]:
    """One decided FaxResult per corpus fax, from its ground truth."""
    from faxintake.catalog import load_catalog
    from faxintake.intake import References
    from faxintake.model import Attachment, Document, FaxResult, FieldRead, PageRead
    from faxintake.settings import Settings
    from validators import DecisionContext, decide

    refs = References.load(Settings())
    forms = {f.form_id: f for f in load_catalog().forms}
    out = []
    for truth_path in sorted(CORPUS_DIR.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text())
        received = datetime.fromisoformat(truth["received_at"])
        ctx = DecisionContext(received_at=received, roster=refs.roster, providers=refs.providers)
        docs = []
        for d in truth["documents"]:
            fields = {
                k: FieldRead(value=v["value"], confidence=0.97, codes=tuple(v["codes"]) if "codes" in v else None)
                for k, v in d["fields"].items()
            }
            doc = Document(
                doc_type=d["doc_type"],
                language=d["language"],
                pages=tuple(d["pages"]),
                fields=fields,
                attachments=tuple(
                    Attachment(doc_type=a["doc_type"], pages=tuple(a["pages"])) for a in d["attachments"]
                ),
            )
            docs.append(decide(doc, forms.get(doc.doc_type), ctx))
        pages = tuple(
            PageRead(number=i + 1, doc_type=p["doc_type"], language=p.get("language"), form_page=p.get("form_page"))
            for i, p in enumerate(truth["pages"])
        )
        out.append(
            FaxResult(
                source=str(CORPUS_DIR / truth["file"]),
                sha256="",
                received_at=received,
                page_count=truth["page_count"],
                documents=tuple(docs),
                pages=pages,
            )
        )
    return out


def make_store(url: str, documents: int) -> int:
    """Record faxes until the store holds `documents` documents; returns how many it holds."""
    from faxintake.store import Store
    from faxintake.store.models import DocumentRow

    store = Store(url)
    with store.session("count") as s:
        from sqlalchemy import func, select

        have = s.scalar(select(func.count()).select_from(DocumentRow)) or 0
    templates = [r for r in _results() if r.documents]  # type: ignore[attr-defined]
    rng = random.Random(16)
    start = datetime(2026, 9, 1)
    n = have
    while n < documents:
        # 500 faxes a transaction, with the rows Store.record makes (one transaction per fax would take minutes).
        with store.session("record the benchmark's faxes", write=True) as s:
            for _ in range(500):
                if n >= documents:
                    break
                base = templates[n % len(templates)]
                when = start + timedelta(minutes=rng.randrange(60 * 24 * 60))
                fax = base.model_copy(update={"sha256": f"{n:064x}", "received_at": when})  # type: ignore[attr-defined]
                row = store._add_fax(s, fax)
                for index, doc in enumerate(fax.documents):
                    store._add_document(s, row, index, doc, fax)
                s.flush()
                n += len(fax.documents)
    store.engine.dispose()
    return n


def _serve(url: str) -> tuple[str, object]:
    import uvicorn

    from faxintake.intake import References
    from faxintake.settings import Settings
    from faxintake.store import Store
    from faxintake.web.app import create_app
    from faxintake.web.users import add_user, list_users

    store = Store(url)
    if not any(u.name == "bench" for u in list_users(store)):
        add_user(store, "bench", "reviewer", "bench-password-1")
    app = create_app(store, References.load(Settings()))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def _timed(client: object, path: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(path)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return times


def _line(name: str, times: list[float], target: float | None = None) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    verdict = f"  (target ≤ {target:.0f} ms: {'met' if p95 <= target else 'MISSED'})" if target else ""
    return f"{name:<44} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms{verdict}"


def main() -> None:
    import re

    import httpx

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--store", help="SQLAlchemy URL (default: a new SQLite file); an existing store is topped up")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="faxintake-web-bench-"))
    url = args.store or f"sqlite:///{folder / 'bench.db'}"
    t = time.perf_counter()
    count = make_store(url, args.documents)
    print(f"store: {count} documents ({time.perf_counter() - t:.0f} s to make)")
    base, _server = _serve(url)
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=60)
    page = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    client.post("/login", data={"username": "bench", "password": "bench-password-1", "csrf": token.group(1)})
    queue = client.get("/queue").text
    ids = [int(i) for i in re.findall(r'class="doc-link">(\d+)<', queue)]
    rng = random.Random(1)
    n = args.requests
    _timed(client, "/queue", 3)  # warm: templates compiled, connections open
    print(_line("GET /queue (all open, oldest 100)", _timed(client, "/queue", n), QUEUE_TARGET_MS))
    print(
        _line(
            "GET /queue?route=provider_services", _timed(client, "/queue?route=provider_services", n), QUEUE_TARGET_MS
        )
    )
    print(
        _line(
            "GET /queue?code=SIGNATURE_MISSING&p=5",
            _timed(client, "/queue?code=SIGNATURE_MISSING&p=5", n),
            QUEUE_TARGET_MS,
        )
    )
    print(_line("GET /queue?member=A.M.", _timed(client, "/queue?member=AM", n), QUEUE_TARGET_MS))
    doc_times = []
    for _ in range(n):
        doc_times += _timed(client, f"/documents/{rng.randint(1, count)}", 1)
    print(_line("GET /documents/<random id>", doc_times, DOCUMENT_TARGET_MS))
    print(
        _line(
            "GET /documents/<id> of the queue's first page",
            [x for i in ids[:n] for x in _timed(client, f"/documents/{i}", 1)],
            DOCUMENT_TARGET_MS,
        )
    )
    image = re.search(r'src="(/documents/\d+/pages/\d+\.png)"', client.get(f"/documents/{ids[0]}").text)
    assert image is not None
    first = _timed(client, image.group(1), 1)
    cached = _timed(client, image.group(1), n)
    print(_line("page image, first (renders the whole fax)", first))
    print(_line("page image, cached", cached))
    from faxintake.store import Store

    store = Store(url)
    baseline = []
    for _ in range(3):
        t = time.perf_counter()
        store.queue()
        baseline.append((time.perf_counter() - t) * 1000)
    print(_line("naive baseline: Store.queue() (CLI's queue list)", baseline))


if __name__ == "__main__":
    main()
