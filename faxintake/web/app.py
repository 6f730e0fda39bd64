"""The review app: FastAPI routes over the store, pages rendered on the server (Jinja2) with htmx for the parts that
change in place. Sessions are a signed, HttpOnly, SameSite=strict cookie holding the user's id and the CSRF token;
every POST form carries that token. URLs carry document ids only, and the access log is ours (path and status,
never the query string, which holds the queue's filters)."""

from __future__ import annotations

import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import exists, func, select, text
from starlette.middleware.sessions import SessionMiddleware

from faxintake.errors import FaxIntakeError
from faxintake.intake import References
from faxintake.store import Store
from faxintake.store.models import Audit, Correction, Decision, DocumentRow, Fax, FindingRow, Letter, Page
from faxintake.web import pages, review, users
from faxintake.web.review import ConflictError, ReviewContext, Reviewer, ReviewError

HERE = Path(__file__).resolve().parent
access_log = logging.getLogger("faxintake.web.access")
PAGE_SIZE = 100
SESSION_HOURS = 10  # a working day; signing in again after that
LOGIN_WINDOW_S, LOGIN_PER_WINDOW = 300.0, 20  # attempts per client address (and 5 per account: users.py)
ROUTE_NAMES = {
    "provider_services": "Provider Services",
    "case_management": "Case Management",
    "cbas_assessment": "CBAS assessment",
    "expedited_care": "Expedited care",
    "forward_to_pcp": "Forward to PCP",
    "return_to_sender": "Returned to sender",
    "manual_triage": "Manual triage",
}
FORM_NAMES = {
    "member_reassignment": "Member reassignment",
    "cm_referral": "CM referral",
    "cbas_referral": "CBAS referral",
    "hif_met": "HIF/MET survey",
    "unknown": "Unknown",
}
LETTER_NAMES = {
    "deficiency_notice": "Deficiency notice",
    "provider_letter": "Decision letter to the provider",
    "member_letter": "Letter to the member",
}


class NeedsLogin(Exception):
    pass


class Forbidden(Exception):
    pass


@dataclass(frozen=True)
class AppConfig:
    store: Store
    context: ReviewContext
    secret: str
    secure_cookies: bool = False  # set behind HTTPS


def create_app(
    store: Store,
    refs: References,
    *,
    out_dir: Path = Path("out"),
    confidence_threshold: float = 0.9,
    secret: str | None = None,
    secure_cookies: bool = False,
) -> FastAPI:
    """The app over `store`. `secret` signs the session cookies (default: a random one, so sessions end when the
    server restarts); `out_dir` is where the pipeline's own notices are (their paths are relative to it)."""
    cfg = AppConfig(
        store=store,
        context=ReviewContext(refs=refs, confidence_threshold=confidence_threshold, out_dir=out_dir),
        secret=secret or secrets.token_urlsafe(32),
        secure_cookies=secure_cookies,
    )
    app = FastAPI(title="faxintake review", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(route_names=ROUTE_NAMES, form_names=FORM_NAMES, letter_names=LETTER_NAMES)
    app.state.cfg = cfg
    attempts: dict[str, deque[float]] = {}

    @app.middleware("http")
    async def log_access(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        # The path only: ids, never the query (filters by initials) nor a form's body.
        access_log.info(
            "%s %s %d %.0f ms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - start) * 1000,
        )
        static = request.url.path.startswith("/static/")
        response.headers.setdefault("Cache-Control", "public, max-age=86400" if static else "no-store")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
        )
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=cfg.secret,
        session_cookie="faxintake_session",
        max_age=SESSION_HOURS * 3600,
        same_site="strict",
        https_only=secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(NeedsLogin)
    async def to_login(request: Request, _exc: NeedsLogin) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        target = request.url.path if request.method == "GET" else "/queue"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return templates.TemplateResponse(
            request,
            "message.html",
            {"user": _user(request), "title": "Not allowed", "message": str(exc)},
            status_code=403,
        )

    def _user(request: Request) -> users.Account | None:
        uid = request.session.get("uid")
        if not isinstance(uid, int):
            return None
        return users.get_user(cfg.store, uid)

    def need_user(request: Request) -> users.Account:
        user = _user(request)
        if user is None:
            request.session.clear()
            raise NeedsLogin()
        return user

    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not isinstance(token, str):
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return token

    async def form_of(request: Request) -> dict[str, Any]:
        """The posted form, after its CSRF token is checked against the session's."""
        form = await request.form()
        sent, expected = form.get("csrf"), request.session.get("csrf")
        if not isinstance(sent, str) or not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
            raise Forbidden("This form has expired (or did not come from this app). Go back, reload and try again.")
        out: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                out.setdefault(key, []).append(value)
        return {k: v if len(v) > 1 else v[0] for k, v in out.items()}

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("user", _user(request))
        context["csrf"] = csrf_token(request)
        context["flash"] = request.session.pop("flash", None)
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def flash(request: Request, message: str, kind: str = "ok") -> None:
        request.session["flash"] = {"message": message, "kind": kind}

    # --- no login needed -------------------------------------------------------------------------------------

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        try:
            with cfg.store.session("check the store") as s:
                s.execute(text("select 1"))
        except FaxIntakeError:
            return JSONResponse({"status": "store unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/queue") -> HTMLResponse:
        return page(request, "login.html", user=None, next=_safe_next(next), error=None)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await form_of(request)
        client = request.client.host if request.client else "?"
        window = attempts.setdefault(client, deque())
        now = time.monotonic()
        while window and now - window[0] > LOGIN_WINDOW_S:
            window.popleft()
        target = _safe_next(str(form.get("next", "/queue")))
        if len(window) >= LOGIN_PER_WINDOW:
            return page(
                request,
                "login.html",
                429,
                user=None,
                next=target,
                error="Too many attempts from here: wait a few minutes.",
            )
        window.append(now)
        try:
            account = users.authenticate(cfg.store, str(form.get("username", "")), str(form.get("password", "")))
        except users.SignInRefused as exc:
            return page(request, "login.html", 401, user=None, next=target, error=str(exc).capitalize() + ".")
        request.session.clear()  # a new session (and CSRF token) for the signed-in user: no fixation
        request.session.update(uid=account.id, csrf=secrets.token_urlsafe(32))
        return RedirectResponse(target, status_code=303)

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await form_of(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # --- the queue ---------------------------------------------------------------------------------------------

    @app.get("/")
    def home(request: Request) -> Response:
        need_user(request)
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue", response_class=HTMLResponse)
    def queue(
        request: Request,
        route: str = "",
        form: str = "",
        code: str = "",
        received_from: str = "",
        received_to: str = "",
        member: str = "",
        status: str = "open",
        p: int = 1,
    ) -> HTMLResponse:
        user = need_user(request)
        filters = {
            "route": route,
            "form": form,
            "code": code.strip().upper(),
            "received_from": received_from,
            "received_to": received_to,
            "member": member,
            "status": status if status in ("open", "resolved", "resubmitted") else "open",
        }
        with cfg.store.session("list the queue") as s:
            q = select(DocumentRow.id).join(Fax).where(DocumentRow.status == filters["status"])
            if route:
                q = q.where(DocumentRow.route == route)
            if form:
                q = q.where(DocumentRow.doc_type == form)
            if filters["code"]:
                q = q.where(
                    exists().where(FindingRow.document_id == DocumentRow.id, FindingRow.code == filters["code"])
                )
            start, end = _day(received_from), _day(received_to)
            if start:
                q = q.where(Fax.received_at >= datetime.combine(start, datetime.min.time()))
            if end:
                q = q.where(Fax.received_at < datetime.combine(end, datetime.max.time()))
            initials = _initials(member)
            if initials:
                q = q.where(DocumentRow.member_initials == initials)
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            p = max(1, min(p, (total + PAGE_SIZE - 1) // PAGE_SIZE or 1))
            rows = list(
                s.execute(
                    select(
                        DocumentRow.id,
                        DocumentRow.doc_type,
                        DocumentRow.route,
                        DocumentRow.status,
                        DocumentRow.member_initials,
                        Fax.received_at,
                        Fax.page_count,
                    )
                    .join(Fax)
                    .where(DocumentRow.id.in_(q.scalar_subquery()))
                    .order_by(Fax.received_at, DocumentRow.id)
                    .limit(PAGE_SIZE)
                    .offset((p - 1) * PAGE_SIZE)
                )
            )
            ids = [r.id for r in rows]
            codes: dict[int, list[tuple[str, str]]] = {}
            for doc_id, c, severity in s.execute(
                select(FindingRow.document_id, FindingRow.code, FindingRow.severity)
                .where(FindingRow.document_id.in_(ids))
                .order_by(FindingRow.document_id, FindingRow.code)
            ):
                if (c, severity) not in codes.setdefault(doc_id, []):
                    codes[doc_id].append((c, severity))
            counts = review.open_counts(s)
        return page(
            request,
            "queue.html",
            user=user,
            rows=rows,
            codes=codes,
            counts=counts,
            total=total,
            filters=filters,
            page_number=p,
            pages=(total + PAGE_SIZE - 1) // PAGE_SIZE,
            query=urlencode({k: v for k, v in filters.items() if v and (k, v) != ("status", "open")}),
            now=datetime.now(),
        )

    # --- a document --------------------------------------------------------------------------------------------

    def document_context(document_id: int) -> dict[str, Any]:
        ctx = cfg.context
        with cfg.store.session(f"show document {document_id}") as s:
            row = s.get(DocumentRow, document_id)
            if row is None:
                raise ReviewError(f"no document {document_id}", hint="go back to the queue")
            form = ctx.form(row.doc_type)
            language = row.language or "en"
            page_rows = {
                p.number: (p.form_page, p.form_to_page, p.doc_type)
                for p in s.scalars(select(Page).where(Page.fax_id == row.fax_id))
            }
            review_fields = {n for f in row.findings if f.severity != "info" for n in f.fields}
            shown = []
            for f in row.fields:
                fdef = form.field_map.get(f.name) if form else None
                place = (
                    pages.field_place(fdef, list(row.pages), {k: (v[0], v[1]) for k, v in page_rows.items()})
                    if fdef
                    else None
                )
                # A narrative's own confidence is the chance it is exact to the letter; its words' is what counts.
                confidence = f.content_confidence if f.content_confidence is not None else f.confidence
                unsure = confidence < ctx.confidence_threshold or not f.valid or f.name in review_fields
                shown.append(
                    {
                        "name": f.name,
                        "label": fdef.label_for(language) if fdef else f.name,
                        "type": fdef.type.value if fdef else f.value_type,
                        "options": list((fdef.options or {}).keys()) if fdef else [],
                        "value": f.value,
                        "confidence": confidence,
                        "valid": f.valid,
                        "unsure": unsure,
                        "flagged": f.name in review_fields,
                        "place": place,
                        "form_page": fdef.page if fdef else 0,
                        "order": _field_order(form, f.name),
                    }
                )
            shown.sort(key=lambda x: int(str(x["order"])))
            findings = [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "fields": f.fields,
                    "demoted": f.demoted_from,
                }
                for f in sorted(row.findings, key=lambda f: ({"return": 0, "review": 1}.get(f.severity, 2), f.code))
            ]
            audit = list(
                s.scalars(
                    select(Audit)
                    .where(Audit.entity == "document", Audit.entity_id == document_id)
                    .order_by(Audit.id.desc())
                )
            )
            decisions = list(
                s.scalars(select(Decision).where(Decision.document_id == document_id).order_by(Decision.id))
            )
            corrections = s.scalar(select(func.count()).where(Correction.document_id == document_id)) or 0
            all_pages = sorted({*row.pages, *(n for a in row.attachments for n in a["pages"])})
            member = {f.name: f.value for f in row.fields if f.name in ("member_name", "member_dob", "member_id")}
            return {
                "doc": {
                    "id": row.id,
                    "doc_type": row.doc_type,
                    "title": form.title_for("en") if form else FORM_NAMES.get(row.doc_type, row.doc_type),
                    "route": row.route,
                    "status": row.status,
                    "version": row.version,
                    "received_at": row.fax.received_at,
                    "source": Path(row.fax.source).name,
                    "page_count": row.fax.page_count,
                    "sender_fax": row.fax.sender_fax,
                    "member_initials": row.member_initials,
                    "pipeline_notice": bool(row.notice),
                    "resolved_by": row.resolved_by,
                    "resolved_reason": row.resolved_reason,
                    "linked_return_id": row.linked_return_id,
                    "attachments": row.attachments,
                },
                "member": member,
                "fields": shown,
                "findings": findings,
                "audit": audit,
                "letters": review.letter_rows(s, document_id),
                "decisions": decisions,
                "corrections": corrections,
                "pages": [
                    {"number": n, "kind": page_rows.get(n, (None, None, "?"))[2], "form": n in row.pages}
                    for n in all_pages
                ],
                "render_dpi": pages.RENDER_DPI,
                "next_id": review.next_open(s, row),
                "can_decide": review.can_be_decided(row),
                "can_approve": row.doc_type in ("member_reassignment", "cm_referral", "cbas_referral", "hif_met"),
                "can_return": row.doc_type in ("member_reassignment", "cm_referral", "cbas_referral"),
                "return_codes": review.returnable_codes(row.doc_type, tuple(sorted({f.code for f in row.findings}))),
                "effective_default": review.letters.effective_date(date.today()),
                "threshold": ctx.confidence_threshold,
            }

    @app.get("/documents/{document_id}", response_class=HTMLResponse)
    def document(request: Request, document_id: int) -> HTMLResponse:
        user = need_user(request)
        try:
            context = document_context(document_id)
        except ReviewError as exc:
            return page(request, "message.html", 404, user=user, title="Not found", message=str(exc))
        return page(request, "document.html", user=user, **context)

    @app.get("/documents/{document_id}/next")
    def next_document(request: Request, document_id: int) -> Response:
        need_user(request)
        with cfg.store.session("find the next document") as s:
            row = s.get(DocumentRow, document_id)
            found = review.next_open(s, row) if row is not None else None
        return RedirectResponse(f"/documents/{found}" if found else "/queue", status_code=303)

    @app.get("/documents/{document_id}/pages/{number}.png")
    def page_image(request: Request, document_id: int, number: int) -> Response:
        need_user(request)
        with cfg.store.session("find the page") as s:
            row = s.get(DocumentRow, document_id)
            if row is None:
                return Response(status_code=404)
            belongs = number in row.pages or any(number in a["pages"] for a in row.attachments)
            fax_id = row.fax_id
        if not belongs:
            return Response(status_code=404)
        try:
            png = pages.page_png(cfg.store, fax_id, number)
        except pages.PageMissing:
            return Response(status_code=404)
        # Private: it shows member data. Rendered once: the browser may keep it for the session.
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/documents/{document_id}/letters/{letter_id}.pdf")
    def letter_pdf(request: Request, document_id: int, letter_id: int) -> Response:
        need_user(request)
        with cfg.store.session("read the letter") as s:
            letter = s.get(Letter, letter_id)
            if letter is None or letter.document_id != document_id:
                return Response(status_code=404)
            pdf, name = letter.pdf, f"{letter.kind}-{letter.reference}-{letter.id}.pdf"
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
        )

    @app.get("/documents/{document_id}/notice.pdf")
    def pipeline_notice(request: Request, document_id: int) -> Response:
        """The notice the pipeline made when it returned the form (a file under --out)."""
        need_user(request)
        with cfg.store.session("find the notice") as s:
            row = s.get(DocumentRow, document_id)
            relative = row.notice if row is not None else None
        if not relative:
            return Response(status_code=404)
        root = cfg.context.out_dir.resolve()
        path = (root / relative).resolve()
        if root not in path.parents or not path.is_file():
            return Response(status_code=404)
        return Response(path.read_bytes(), media_type="application/pdf")

    # --- actions -----------------------------------------------------------------------------------------------

    def reviewer(user: users.Account) -> Reviewer:
        return Reviewer(user.name, user.role)

    def fields_of(form: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
        values = {k[2:]: str(v if not isinstance(v, list) else v[-1]) for k, v in form.items() if k.startswith("f.")}
        accepted = {k[3:] for k in form if k.startswith("ok.")}
        return values, accepted

    def version_of(form: dict[str, Any]) -> int:
        try:
            return int(str(form.get("version", "")))
        except ValueError:
            raise ReviewError("the form lacks the document's version", hint="reload the page") from None

    def act(request: Request, document_id: int, user: users.Account, done: Callable[[], str]) -> Response:
        """Run an action; success: back to the document with a message; a conflict or a refusal: the document as
        it now is, with the reason."""
        try:
            message = done()
        except ReviewError as exc:
            status = 409 if isinstance(exc, ConflictError) else 400
            try:
                context = document_context(document_id)
            except ReviewError:  # no such document
                return page(request, "message.html", 404, user=user, title="Not found", message=str(exc))
            return page(request, "document.html", status, user=user, error=str(exc), **context)
        flash(request, message)
        return RedirectResponse(f"/documents/{document_id}", status_code=303)

    @app.post("/documents/{document_id}/preview", response_class=HTMLResponse)
    async def preview(request: Request, document_id: int) -> HTMLResponse:
        user = need_user(request)
        form = await form_of(request)
        values, accepted = fields_of(form)
        try:
            result = review.preview_correction(cfg.store, document_id, values, accepted, cfg.context)
        except ReviewError as exc:
            return page(request, "_preview.html", user=user, preview=None, error=str(exc))
        return page(request, "_preview.html", user=user, preview=result, error=None)

    @app.post("/documents/{document_id}/correct")
    async def correct(request: Request, document_id: int) -> Response:
        user = need_user(request)
        form = await form_of(request)
        values, accepted = fields_of(form)

        def run() -> str:
            done = review.correct(
                cfg.store, document_id, version_of(form), values, accepted, reviewer(user), cfg.context
            )
            moved = f"; route {done.old_route} → {done.new_route}" if done.route_changes else "; route unchanged"
            return f"Saved {len(done.changed_fields)} field(s){moved}."

        return act(request, document_id, user, run)

    @app.post("/documents/{document_id}/approve")
    async def approve(request: Request, document_id: int) -> Response:
        user = need_user(request)
        form = await form_of(request)

        def run() -> str:
            target = review.approve(cfg.store, document_id, version_of(form), reviewer(user), str(form.get("note", "")))
            return f"Approved to {ROUTE_NAMES.get(target, target)}."

        return act(request, document_id, user, run)

    @app.post("/documents/{document_id}/return")
    async def return_(request: Request, document_id: int) -> Response:
        user = need_user(request)
        form = await form_of(request)
        codes = form.get("codes", [])
        codes = [codes] if isinstance(codes, str) else list(codes)

        def run() -> str:
            review.return_to_sender(
                cfg.store, document_id, version_of(form), codes, str(form.get("note", "")), reviewer(user), cfg.context
            )
            return "Returned to the sender; the deficiency notice is listed under Letters."

        return act(request, document_id, user, run)

    @app.post("/documents/{document_id}/triage")
    async def triage(request: Request, document_id: int) -> Response:
        user = need_user(request)
        form = await form_of(request)

        def run() -> str:
            review.send_to_triage(cfg.store, document_id, version_of(form), str(form.get("note", "")), reviewer(user))
            return "Sent to manual triage."

        return act(request, document_id, user, run)

    @app.post("/documents/{document_id}/resolve")
    async def resolve(request: Request, document_id: int) -> Response:
        user = need_user(request)
        form = await form_of(request)

        def run() -> str:
            review.resolve(cfg.store, document_id, version_of(form), str(form.get("reason", "")), reviewer(user))
            return "Resolved."

        return act(request, document_id, user, run)

    @app.post("/documents/{document_id}/decision")
    async def decision(request: Request, document_id: int) -> Response:
        user = need_user(request)
        if not user.can_decide:
            raise Forbidden("Only the Medical Director decides reassignment requests.")
        form = await form_of(request)

        def run() -> str:
            later = _day(str(form.get("effective", "")))
            made = review.decide_reassignment(
                cfg.store,
                document_id,
                version_of(form),
                str(form.get("outcome", "")),
                str(form.get("reason", "")),
                reviewer(user),
                cfg.context,
                later_effective=later if later and later > review.letters.effective_date(date.today()) else None,
            )
            return f"Decision recorded; {len(made)} letter(s) made."

        return act(request, document_id, user, run)

    # --- users (admins) ----------------------------------------------------------------------------------------

    def need_admin(request: Request) -> users.Account:
        user = need_user(request)
        if not user.can_manage_users:
            raise Forbidden("Only an administrator manages users.")
        return user

    @app.get("/users", response_class=HTMLResponse)
    def users_page(request: Request) -> HTMLResponse:
        user = need_admin(request)
        return page(
            request, "users.html", user=user, accounts=users.list_users(cfg.store), roles=users.ROLES, error=None
        )

    @app.post("/users")
    async def users_add(request: Request) -> Response:
        user = need_admin(request)
        form = await form_of(request)
        try:
            added = users.add_user(
                cfg.store,
                str(form.get("name", "")),
                str(form.get("role", "")),
                str(form.get("password", "")),
                actor=user.name,
            )
        except FaxIntakeError as exc:
            return page(
                request,
                "users.html",
                400,
                user=user,
                accounts=users.list_users(cfg.store),
                roles=users.ROLES,
                error=str(exc),
            )
        flash(request, f"Added {added.name} ({added.role}).")
        return RedirectResponse("/users", status_code=303)

    @app.post("/users/{name}/disable")
    async def users_disable(request: Request, name: str) -> Response:
        user = need_admin(request)
        await form_of(request)
        if name == user.name:
            flash(request, "You cannot disable your own account.", "error")
            return RedirectResponse("/users", status_code=303)
        try:
            users.disable_user(cfg.store, name, actor=user.name)
        except FaxIntakeError as exc:
            flash(request, str(exc), "error")
        else:
            flash(request, f"Disabled {name}.")
        return RedirectResponse("/users", status_code=303)

    return app


def _safe_next(target: str) -> str:
    """Only a path of this app (no scheme, no other host): a login link must not send anyone elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/queue"


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _initials(text: str) -> str:
    """'AR', 'a.r.' or 'A R' as stored: 'A.R.'."""
    letters = [c.upper() for c in text if c.isalpha()]
    return "".join(f"{c}." for c in letters[:4])


def _field_order(form: Any, name: str) -> int:
    if form is None:
        return 0
    for i, f in enumerate(form.fields):
        if f.name == name:
            return i
    return 10_000
