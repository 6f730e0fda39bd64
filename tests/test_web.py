"""The review app through FastAPI's TestClient, over a store the real pipeline made from bundled faxes: logins and
roles, the queue, corrections re-deciding the route, conflicts, returns with a notice, the Medical Director's
decisions and their letters, page images, and what the server logs."""

from __future__ import annotations

import io
import logging
import os
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import webapp
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from faxintake.store import Store
from faxintake.store.models import Audit, Correction, Decision, DocumentRow, Letter, PageImage
from faxintake.web import letters, pages, review, users
from faxintake.web.app import create_app

PASSWORDS = {"rita": "reviewer-pass-1", "remy": "reviewer-pass-2", "dora": "director-pass-1", "adam": "admin-pass-123"}
ROLES = {"rita": "reviewer", "remy": "reviewer", "dora": "director", "adam": "admin"}
# The documents webapp.FAXES make, in order.
COMPLETE, NOT_FOUND, CM, RETURNED = 1, 2, 3, 4
# The roster's member linked to the not-found request's PCP: the correction that makes it a complete request.
ROSTER_MEMBER = {"f.member_id": "00024719R", "f.member_name": "Kha, Paj", "f.member_dob": "09/07/1994"}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    out = tmp_path_factory.mktemp("webstore")
    results = webapp.build(out)
    store = Store(f"sqlite:///{out / 'faxintake.db'}")
    for name, password in PASSWORDS.items():
        users.add_user(store, name, ROLES[name], password)
    store.engine.dispose()
    return out, results


@pytest.fixture()
def out(built: tuple[Path, list[Any]], tmp_path: Path) -> Path:
    return webapp.copy_of(built[0], tmp_path / "out")


@pytest.fixture()
def store(out: Path) -> Store:
    return Store(f"sqlite:///{out / 'faxintake.db'}")


@pytest.fixture()
def app(store: Store, out: Path) -> Any:
    return create_app(store, webapp.references(), out_dir=out)


def csrf(client: TestClient, path: str) -> tuple[str, int | None, str]:
    """The page's CSRF token, the document version its forms carry, and the page."""
    page = client.get(path)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert token is not None, page.text[:500]
    return token.group(1), int(version.group(1)) if version else None, page.text


def signed_in(app: Any, name: str) -> TestClient:
    client = TestClient(app)
    token, _, _ = csrf(client, "/login")
    r = client.post("/login", data={"username": name, "password": PASSWORDS[name], "csrf": token})
    assert r.status_code == 200 and r.url.path == "/queue", r.text[:300]
    return client


def flash(page: str) -> str:
    found = re.search(r'class="flash[^"]*"[^>]*>([^<]*)', page)
    return found.group(1) if found else ""


# --- logins, sessions, roles --------------------------------------------------------------------------------------


def test_healthz_answers_without_a_login_and_every_page_redirects_to_it(app: Any) -> None:
    client = TestClient(app)
    assert client.get("/healthz").json() == {"status": "ok"}
    for path in ("/", "/queue", f"/documents/{COMPLETE}", f"/documents/{COMPLETE}/pages/2.png", "/users"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    assert client.post(f"/documents/{COMPLETE}/approve", follow_redirects=False).status_code == 303


def test_login_takes_username_and_password_and_sets_a_signed_httponly_samesite_cookie(app: Any) -> None:
    client = TestClient(app)
    token, _, page = csrf(client, "/login")
    assert 'name="username"' in page and 'name="password"' in page
    r = client.post(
        "/login", data={"username": "rita", "password": PASSWORDS["rita"], "csrf": token}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/queue"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "faxintake_session=" in cookie
    assert client.get("/queue").status_code == 200
    # A cookie changed by hand is not a session.
    forged = TestClient(app, cookies={"faxintake_session": client.cookies["faxintake_session"][:-4] + "AAAA"})
    assert forged.get("/queue", follow_redirects=False).status_code == 303


def test_a_form_without_its_csrf_token_is_refused(app: Any) -> None:
    client = TestClient(app)
    client.get("/login")
    r = client.post("/login", data={"username": "rita", "password": PASSWORDS["rita"]})
    assert r.status_code == 403
    reviewer = signed_in(app, "rita")
    _, version, _ = csrf(reviewer, f"/documents/{CM}")
    r = reviewer.post(f"/documents/{CM}/approve", data={"version": version, "csrf": "forged"})
    assert r.status_code == 403 and "expired" in r.text


def test_login_never_sends_anyone_off_the_app_and_a_missing_document_is_not_found(app: Any) -> None:
    client = TestClient(app)
    token, _, _ = csrf(client, "/login?next=//evil.example/")
    r = client.post(
        "/login",
        data={"username": "rita", "password": PASSWORDS["rita"], "csrf": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/queue"
    token, _, _ = csrf(client, "/queue")
    assert client.post("/documents/999/approve", data={"csrf": token, "version": 1}).status_code == 404
    assert client.get("/documents/999").status_code == 404


def test_wrong_passwords_lock_the_account_for_a_while(app: Any, store: Store) -> None:
    client = TestClient(app)
    for _ in range(users.MAX_FAILED):
        token, _, _ = csrf(client, "/login")
        r = client.post("/login", data={"username": "remy", "password": "wrong password", "csrf": token})
        assert r.status_code == 401 and "Wrong name or password" in r.text
    token, _, _ = csrf(client, "/login")
    r = client.post("/login", data={"username": "remy", "password": PASSWORDS["remy"], "csrf": token})
    assert r.status_code == 401 and "try again in 15 minutes" in r.text
    # An unknown name gets the same answer as a wrong password.
    token, _, _ = csrf(client, "/login")
    r = client.post("/login", data={"username": "nobody", "password": "x" * 12, "csrf": token})
    assert r.status_code == 401 and "Wrong name or password" in r.text


def test_only_an_admin_manages_users_and_a_disabled_user_is_signed_out(app: Any, store: Store) -> None:
    reviewer = signed_in(app, "rita")
    assert reviewer.get("/users").status_code == 403
    admin = signed_in(app, "adam")
    token, _, page = csrf(admin, "/users")
    assert "dora" in page
    r = admin.post("/users", data={"csrf": token, "name": "nina", "role": "reviewer", "password": "nina-pass-12"})
    assert r.status_code == 200 and "Added nina" in r.text
    r = admin.post("/users/rita/disable", data={"csrf": token})
    assert "Disabled rita" in r.text
    assert reviewer.get("/queue", follow_redirects=False).status_code == 303  # her session ends with the account
    assert [a.active for a in users.list_users(store) if a.name == "rita"] == [False]
    actions = set(store_actions(store, "user"))
    assert {"user added", "user disabled"} <= actions


def test_users_commands_add_list_and_disable(out: Path) -> None:
    from flows.cli import app as cli

    url = f"sqlite:///{out / 'faxintake.db'}"
    runner = CliRunner()
    r = runner.invoke(
        cli, ["users", "add", "olga", "--role", "director", "--password-stdin", "--store", url], input="olga-pass-123\n"
    )
    assert r.exit_code == 0 and "added olga (director)" in r.output
    r = runner.invoke(
        cli, ["users", "add", "olga2", "--role", "boss", "--password-stdin", "--store", url], input="x" * 12
    )
    assert r.exit_code == 2  # a bad option (ConfigError)
    r = runner.invoke(
        cli, ["users", "add", "olga3", "--role", "admin", "--password-stdin", "--store", url], input="short\n"
    )
    assert r.exit_code == 2
    r = runner.invoke(cli, ["users", "list", "--store", url])
    assert r.exit_code == 0 and "olga" in r.output and "director" in r.output
    r = runner.invoke(cli, ["users", "disable", "olga", "--store", url])
    assert r.exit_code == 0
    r = runner.invoke(cli, ["users", "disable", "nobody", "--store", url])
    assert r.exit_code == 2
    account = next(a for a in users.list_users(Store(url)) if a.name == "olga")
    assert not account.active
    with pytest.raises(users.SignInRefused):
        users.authenticate(Store(url), "olga", "olga-pass-123")


def test_the_web_command_imports_no_web_stack_for_other_commands() -> None:
    import subprocess
    import sys

    code = "import sys, flows.cli; print(any(m.startswith(('fastapi', 'uvicorn', 'argon2', 'faxintake.web')) for m in sys.modules))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


# --- the queue ---------------------------------------------------------------------------------------------------


def test_the_queue_lists_open_documents_oldest_first_with_initials_only(
    app: Any, built: tuple[Path, list[Any]]
) -> None:
    client = signed_in(app, "rita")
    page = client.get("/queue").text
    ids = [int(i) for i in re.findall(r'<a href="/documents/(\d+)" class="doc-link"', page)]
    assert sorted(ids) == [COMPLETE, NOT_FOUND, CM, RETURNED]
    received = [r.received_at for r in sorted(built[1], key=lambda r: r.received_at)]
    by_id = {i + 1: r.received_at for i, r in enumerate(built[1])}
    assert [by_id[i] for i in ids] == received  # oldest first
    for result in built[1]:  # initials only: no name, birth date or CIN of any member
        for doc in result.documents:
            for name in ("member_name", "member_id", "member_dob"):
                value = str(doc.fields[name].value)
                assert value and value not in page, name
    assert "Manual triage <b>1</b>" in page and "Provider Services <b>1</b>" in page


def test_the_queue_filters_by_route_form_code_date_and_initials(app: Any, store: Store) -> None:
    client = signed_in(app, "rita")

    def listed(query: str) -> list[int]:
        return [int(i) for i in re.findall(r'class="doc-link">(\d+)<', client.get(f"/queue?{query}").text)]

    assert listed("route=manual_triage") == [NOT_FOUND]
    assert listed("form=cm_referral") == [CM]
    assert listed("code=member_not_found") == [NOT_FOUND]
    with store.session("read") as s:
        initials = s.scalar(select(DocumentRow.member_initials).where(DocumentRow.id == CM))
    assert initials and listed(f"member={initials.replace('.', '').lower()}") == [CM]
    assert listed("received_from=2099-01-01") == []
    assert sorted(listed("received_from=2000-01-01&received_to=2099-12-31")) == [1, 2, 3, 4]


# --- a document and its actions --------------------------------------------------------------------------------


def test_the_document_page_shows_fields_boxes_findings_and_the_audit(app: Any) -> None:
    client = signed_in(app, "rita")
    page = client.get(f"/documents/{NOT_FOUND}").text
    assert 'class="field unsure' in page and "MEMBER_NOT_FOUND" in page and "routed" in page
    assert re.search(r'class="box unsure" data-field="pcp_name"', page)  # the unsure read, highlighted on the page
    assert "/documents/2/pages/2.png" in page and 'data-x0="' in page
    assert "Kha" not in page and "Her, Luis" in page  # the full record is on the document page


def test_a_correction_is_previewed_then_saved_and_changes_the_route(app: Any, store: Store) -> None:
    client = signed_in(app, "rita")
    token, version, _ = csrf(client, f"/documents/{NOT_FOUND}")
    values = {**ROSTER_MEMBER, "ok.pcp_name": "on"}
    preview = client.post(f"/documents/{NOT_FOUND}/preview", data={"csrf": token, **values}).text
    assert 'data-new-route="provider_services"' in preview and "Manual triage" in preview
    with store.session("read") as s:  # nothing saved by a preview
        assert s.get(DocumentRow, NOT_FOUND).route == "manual_triage"  # type: ignore[union-attr]
    saved = client.post(f"/documents/{NOT_FOUND}/correct", data={"csrf": token, "version": version, **values})
    assert "route manual_triage → provider_services" in flash(saved.text)
    with store.session("read") as s:
        row = s.get(DocumentRow, NOT_FOUND)
        assert row is not None and row.route == "provider_services" and row.version == (version or 0) + 1
        fields = {f.name: f for f in row.fields}
        assert fields["member_dob"].value == "1994-09-07" and fields["member_dob"].confidence == 1.0
        assert fields["pcp_name"].value == "Dr. Neng Vue" and fields["pcp_name"].confidence == 1.0  # accepted as read
        assert "MEMBER_NOT_FOUND" not in {f.code for f in row.findings}
        corrections = {c.field: (c.before, c.after, c.by) for c in s.scalars(select(Correction))}
    assert corrections["member_id"] == ("07191862R", "00024719R", "rita")
    audit = store_actions(store, "document", NOT_FOUND)
    assert audit.count("corrected") == 3 and audit.count("accepted") == 1 and "re-decided" in audit


def test_two_reviewers_saving_the_same_document_get_a_conflict_not_an_overwrite(app: Any, store: Store) -> None:
    rita, remy = signed_in(app, "rita"), signed_in(app, "remy")
    token_a, version_a, _ = csrf(rita, f"/documents/{NOT_FOUND}")
    token_b, version_b, _ = csrf(remy, f"/documents/{NOT_FOUND}")
    assert version_a == version_b
    first = rita.post(f"/documents/{NOT_FOUND}/correct", data={"csrf": token_a, "version": version_a, **ROSTER_MEMBER})
    assert first.status_code == 200
    second = remy.post(
        f"/documents/{NOT_FOUND}/correct", data={"csrf": token_b, "version": version_b, "f.member_id": "99999999Z"}
    )
    assert second.status_code == 409
    assert "was changed by rita" in second.text and "your change was not saved" in second.text
    with store.session("read") as s:
        assert {f.name: f.value for f in s.get(DocumentRow, NOT_FOUND).fields}["member_id"] == "00024719R"  # type: ignore[union-attr]


def test_concurrent_saves_one_wins_the_other_conflicts(store: Store) -> None:
    """Two transactions claiming the same version at the same moment: exactly one is applied."""
    ctx = review.ReviewContext(refs=webapp.references())
    with store.session("read") as s:
        version = s.get(DocumentRow, CM).version  # type: ignore[union-attr]
    start, outcomes = threading.Barrier(2), []

    def save(name: str) -> None:
        start.wait()
        try:
            review.send_to_triage(store, CM, version, f"by {name}", review.Reviewer(name, "reviewer"))
            outcomes.append("saved")
        except review.ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(n,)) for n in ("rita", "remy")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert store_actions(store, "document", CM).count("sent to triage") == 1
    assert ctx.form("cm_referral") is not None


def test_return_to_sender_makes_the_notice_from_the_chosen_codes_and_note(app: Any, store: Store) -> None:
    client = signed_in(app, "rita")
    token, version, page = csrf(client, f"/documents/{CM}")
    assert 'value="CMR_NO_PROGRAM"' in page and 'value="SIGNATURE_MISSING"' in page
    r = client.post(
        f"/documents/{CM}/return",
        data={
            "csrf": token,
            "version": version,
            "codes": ["SIGNATURE_MISSING", "CMR_NO_PROGRAM"],
            "note": "Call us at 831-555-0199 first",
        },
    )
    assert r.status_code == 200 and "Returned to the sender" in flash(r.text)
    link = re.search(rf"/documents/{CM}/letters/(\d+)\.pdf", r.text)
    assert link is not None
    pdf = client.get(link.group(0))
    assert pdf.headers["content-type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(pdf.content)) as doc:
        text = " ".join(p.extract_text() or "" for p in doc.pages)
    assert "Mark at least one program." in text and "Sign and date the form." in text and "Call us at" in text
    assert "831-555-0199" not in text  # the notice's own filter keeps numbers off it
    with store.session("read") as s:
        row = s.get(DocumentRow, CM)
        assert row is not None and row.route == "return_to_sender"
        assert {f.code: f.severity for f in row.findings} == {"SIGNATURE_MISSING": "return", "CMR_NO_PROGRAM": "return"}
        assert [letter.kind for letter in s.scalars(select(Letter))] == ["deficiency_notice"]
    assert {"returned", "notice made"} <= set(store_actions(store, "document", CM))


def test_approve_triage_and_resolve_are_audited(app: Any, store: Store) -> None:
    client = signed_in(app, "rita")
    token, version, _ = csrf(client, f"/documents/{NOT_FOUND}")
    r = client.post(f"/documents/{NOT_FOUND}/approve", data={"csrf": token, "version": version})
    assert "Approved to Provider Services" in flash(r.text)
    token, version, _ = csrf(client, f"/documents/{NOT_FOUND}")
    r = client.post(f"/documents/{NOT_FOUND}/triage", data={"csrf": token, "version": version, "note": "odd CIN"})
    assert "manual triage" in flash(r.text)
    token, version, _ = csrf(client, f"/documents/{NOT_FOUND}")
    r = client.post(f"/documents/{NOT_FOUND}/resolve", data={"csrf": token, "version": version, "reason": "called"})
    assert flash(r.text) == "Resolved."
    trail = audit_rows(store, NOT_FOUND)
    assert [(a.action, a.from_state, a.to_state, a.actor) for a in trail[-3:]] == [
        ("approved", "manual_triage", "provider_services", "rita"),
        ("sent to triage", "provider_services", "manual_triage", "rita"),
        ("resolved", "open", "resolved", "rita"),
    ]
    token, version, _ = csrf(client, f"/documents/{NOT_FOUND}")
    assert client.post(f"/documents/{NOT_FOUND}/approve", data={"csrf": token, "version": version}).status_code == 400


def test_only_the_director_decides_and_approval_makes_both_letters(app: Any, store: Store) -> None:
    reviewer = signed_in(app, "rita")
    token, version, _ = csrf(reviewer, f"/documents/{COMPLETE}")
    refused = reviewer.post(
        f"/documents/{COMPLETE}/decision", data={"csrf": token, "version": version, "outcome": "approve", "reason": "x"}
    )
    assert refused.status_code == 403
    director = signed_in(app, "dora")
    token, version, page = csrf(director, f"/documents/{COMPLETE}")
    assert 'id="decision-form"' in page
    r = director.post(
        f"/documents/{COMPLETE}/decision",
        data={"csrf": token, "version": version, "outcome": "approve", "reason": "Abusive behavior on two dates."},
    )
    assert "2 letter(s)" in flash(r.text)
    effective = letters.effective_date(date.today())
    with store.session("read") as s:
        decision = s.scalars(select(Decision)).one()
        assert (decision.outcome, decision.effective_date, decision.by) == ("approve", effective, "dora")
        made = {letter.kind: letter for letter in s.scalars(select(Letter))}
        row = s.get(DocumentRow, COMPLETE)
        assert row is not None and row.status == "resolved"
    assert set(made) == {"provider_letter", "member_letter"}
    provider = pdf_text(made["provider_letter"].pdf)
    member = pdf_text(made["member_letter"].pdf)
    assert (
        "approved" in provider and f"{effective:%m/%d/%Y}" in provider and "Abusive behavior on two dates." in provider
    )
    assert "Moua" not in provider and "A.M." in provider  # the provider's letter: initials and birth date only
    assert "Dear Ana Moua" in member and f"{effective:%m/%d/%Y}" in member
    assert made["provider_letter"].send_to == "831-321-6235" and made["member_letter"].send_to == "mail"
    assert "director decision" in store_actions(store, "document", COMPLETE)


def test_a_later_effective_date_defer_and_deny(app: Any, store: Store) -> None:
    ctx = review.ReviewContext(refs=webapp.references())
    director = review.Reviewer("dora", "director")
    today = date(2026, 11, 20)
    made = review.decide_reassignment(store, COMPLETE, 1, "defer", "Need the chart notes.", director, ctx, today=today)
    assert len(made) == 1
    made = review.decide_reassignment(
        store, COMPLETE, 2, "approve", "Now documented.", director, ctx, later_effective=date(2027, 2, 1), today=today
    )
    with store.session("read") as s:
        decisions = list(s.scalars(select(Decision).order_by(Decision.id)))
        assert [(d.outcome, d.effective_date) for d in decisions] == [("defer", None), ("approve", date(2027, 2, 1))]
        assert s.scalar(select(func.count()).select_from(Letter)) == 3
    with pytest.raises(review.ReviewError):  # decided: closed
        review.decide_reassignment(store, COMPLETE, 3, "deny", "x", director, ctx)
    with pytest.raises(review.ReviewError):  # not a director
        review.decide_reassignment(store, RETURNED, 1, "deny", "x", review.Reviewer("rita", "reviewer"), ctx)


def test_effective_date_is_the_first_of_next_month_or_later() -> None:
    assert letters.effective_date(date(2026, 11, 20)) == date(2026, 12, 1)
    assert letters.effective_date(date(2026, 12, 31)) == date(2027, 1, 1)
    assert letters.effective_date(date(2026, 1, 31)) == date(2026, 2, 1)
    assert letters.effective_date(date(2026, 11, 1), date(2027, 3, 1)) == date(2027, 3, 1)
    assert letters.effective_date(date(2026, 11, 1), date(2026, 11, 15)) == date(2026, 12, 1)  # never earlier


# --- page images --------------------------------------------------------------------------------------------------


def test_page_images_are_rendered_once_and_field_boxes_lie_on_their_values(
    app: Any, store: Store, built: tuple[Path, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cv2
    import numpy as np

    from extractors import ocr

    client = signed_in(app, "rita")
    renders = []
    real = pages._render
    monkeypatch.setattr(pages, "_render", lambda *a: renders.append(a) or real(*a))
    first = client.get(f"/documents/{COMPLETE}/pages/2.png")
    again = client.get(f"/documents/{COMPLETE}/pages/3.png")
    assert first.headers["content-type"] == "image/png" and again.status_code == 200
    assert len(renders) == 1  # every page of the fax at the first request
    with store.session("read") as s:
        assert s.scalar(select(func.count()).select_from(PageImage)) == 4
    assert client.get(f"/documents/{COMPLETE}/pages/9.png").status_code == 404
    # The boxes, drawn from the page's registration, hold their values: Tesseract reads the CIN and the PCP NPI
    # from the rendered page cut to their boxes.
    page = client.get(f"/documents/{COMPLETE}").text
    image = cv2.imdecode(np.frombuffer(first.content, np.uint8), cv2.IMREAD_GRAYSCALE)
    truth = {n: str(v.value) for n, v in built[1][0].documents[0].fields.items()}
    for name in ("member_id", "pcp_npi"):
        box = re.search(
            rf'data-field="{name}"\s+data-x0="([\d.]+)" data-y0="([\d.]+)"\s+data-x1="([\d.]+)" data-y1="([\d.]+)"',
            page,
        )
        assert box is not None
        x0, y0, x1, y1 = (round(float(v) * pages.RENDER_DPI / 72) for v in box.groups())
        read = ocr.read_line(image[y0 + 2 : y1 - 2, x0 + 2 : x1 - 2], dpi=pages.RENDER_DPI).text
        assert truth[name] in read.replace(" ", ""), (name, read)


def test_a_missing_original_leaves_the_fields_shown(app: Any, store: Store, out: Path) -> None:
    client = signed_in(app, "rita")
    with store.session("move", write=True) as s:
        s.get(DocumentRow, CM).fax.source = str(out / "gone.tif")  # type: ignore[union-attr]
    assert client.get(f"/documents/{CM}/pages/2.png").status_code == 404
    assert client.get(f"/documents/{CM}").status_code == 200


def test_the_pipeline_notice_is_served_from_the_out_folder(app: Any) -> None:
    client = signed_in(app, "rita")
    page = client.get(f"/documents/{RETURNED}").text
    assert f"/documents/{RETURNED}/notice.pdf" in page
    assert client.get(f"/documents/{RETURNED}/notice.pdf").headers["content-type"] == "application/pdf"
    assert client.get(f"/documents/{COMPLETE}/notice.pdf").status_code == 404


# --- logs -----------------------------------------------------------------------------------------------------------


def test_the_access_log_carries_paths_with_ids_only(
    app: Any, built: tuple[Path, list[Any]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = signed_in(app, "rita")
    client.get("/queue?member=PH&code=RMR_NO_REASON")
    client.get(f"/documents/{NOT_FOUND}")
    token, version, _ = csrf(client, f"/documents/{NOT_FOUND}")
    client.post(f"/documents/{NOT_FOUND}/correct", data={"csrf": token, "version": version, **ROSTER_MEMBER})
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "httpx")  # httpx: the test's client
    assert "GET /documents/2 200" in logged and "GET /queue 200" in logged
    assert "member=" not in logged and "P.H." not in logged
    for result in built[1]:
        for doc in result.documents:
            for name in ("member_name", "member_id", "member_dob"):
                assert str(doc.fields[name].value) not in logged
    for value in ROSTER_MEMBER.values():
        assert value not in logged


# --- PostgreSQL -------------------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_review_actions_on_postgresql(built: tuple[Path, list[Any]]) -> None:
    url = os.environ.get("FAXINTAKE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("FAXINTAKE_TEST_POSTGRES_URL is not set (CI sets it and starts PostgreSQL)")
    from sqlalchemy import create_engine, make_url

    # A schema of its own: the store test uses the same database, perhaps at the same time on the other worker.
    schema = f"web_test_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as c:
        c.exec_driver_sql(f"drop schema if exists {schema} cascade")
        c.exec_driver_sql(f"create schema {schema}")
    own = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    try:
        store = Store(own)
        with store.engine.connect() as c:
            assert c.exec_driver_sql("select current_schema()").scalar() == schema
        _review_on(store, built)
    finally:
        with admin.begin() as c:
            c.exec_driver_sql(f"drop schema if exists {schema} cascade")
        admin.dispose()


def _review_on(store: Store, built: tuple[Path, list[Any]]) -> None:
    ids = [store.record(r).document_ids[0] for r in built[1]]
    users.add_user(store, "dora", "director", PASSWORDS["dora"])
    app = create_app(store, webapp.references(), out_dir=built[0])
    client = signed_in(app, "dora")
    token, version, _ = csrf(client, f"/documents/{ids[1]}")
    saved = client.post(f"/documents/{ids[1]}/correct", data={"csrf": token, "version": version, **ROSTER_MEMBER})
    assert "→ provider_services" in flash(saved.text)
    stale = client.post(f"/documents/{ids[1]}/correct", data={"csrf": token, "version": version, **ROSTER_MEMBER})
    assert stale.status_code == 409
    token, version, _ = csrf(client, f"/documents/{ids[0]}")
    r = client.post(
        f"/documents/{ids[0]}/decision", data={"csrf": token, "version": version, "outcome": "approve", "reason": "ok"}
    )
    assert "2 letter(s)" in flash(r.text)
    assert client.get(f"/documents/{ids[0]}/pages/2.png").headers["content-type"] == "image/png"


# --- helpers ----------------------------------------------------------------------------------------------------------


def audit_rows(store: Store, document_id: int) -> list[Audit]:
    with store.session("read the audit") as s:
        return list(
            s.scalars(
                select(Audit).where(Audit.entity == "document", Audit.entity_id == document_id).order_by(Audit.id)
            )
        )


def store_actions(store: Store, entity: str, entity_id: int | None = None) -> list[str]:
    with store.session("read the audit") as s:
        q = select(Audit.action).where(Audit.entity == entity)
        if entity_id is not None:
            q = q.where(Audit.entity_id == entity_id)
        return list(s.scalars(q.order_by(Audit.id)))


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return " ".join(p.extract_text() or "" for p in doc.pages)
