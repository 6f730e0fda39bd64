"""The review app end to end in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium; nothing
downloaded): sign in, the queue, a correction that changes the route, a return that makes a notice, and the Medical
Director's approval that makes both letters. The server is the real app under uvicorn on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import webapp
from browser import Chrome, available

from faxintake.store import Store
from faxintake.web import users

pytestmark = pytest.mark.skipif(not available(), reason="needs Debian's chromium and chromium-driver")
PASSWORDS = {"rita": "reviewer-pass-1", "dora": "director-pass-1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from faxintake.web.app import create_app

    out = tmp_path_factory.mktemp("browser-store")
    webapp.build(out)
    store = Store(f"sqlite:///{out / 'faxintake.db'}")
    users.add_user(store, "rita", "reviewer", PASSWORDS["rita"])
    users.add_user(store, "dora", "director", PASSWORDS["dora"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(store, webapp.references(), out_dir=out)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with Chrome() as driver:
        yield driver


def sign_in(d: Any, base: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    d.delete_all_cookies()
    d.get(f"{base}/queue")
    assert "/login" in d.current_url  # every page needs a login
    d.find_element(By.NAME, "username").send_keys(name)
    d.find_element(By.NAME, "password").send_keys(PASSWORDS[name])
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # The login page's own address ends in "?next=/queue" too: wait for the queue itself, not just its name.
    wait_for(d, lambda: "/login" not in d.current_url and d.find_elements(By.ID, "queue-table"))


def wait_for(d: Any, condition: Any, timeout: float = 20) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(d, timeout).until(lambda _d: condition())


def text_of(d: Any, css: str) -> str:
    from selenium.webdriver.common.by import By

    return str(d.find_element(By.CSS_SELECTOR, css).text)


def test_a_reviewer_corrects_a_document_into_another_route(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    d = browser
    sign_in(d, server, "rita")
    rows = d.find_elements(By.CSS_SELECTOR, "#queue-table tbody tr")
    assert len(rows) == 4
    assert "Manual triage" in text_of(d, "#queue-table")
    d.find_element(By.LINK_TEXT, "2").click()
    wait_for(d, lambda: "/documents/2" in d.current_url)
    # The page images load and every field's box is placed on them.
    wait_for(d, lambda: d.execute_script("return document.querySelectorAll('.box.placed').length") > 10)
    # The keyboard: j goes to the first unsure field and shows its box.
    d.find_element(By.TAG_NAME, "body").send_keys("j")
    current = wait_for(d, lambda: d.find_elements(By.CSS_SELECTOR, ".field.current"))
    assert "unsure" in current[0].get_attribute("class")
    assert d.find_elements(By.CSS_SELECTOR, ".box.current")
    for name, value in (("member_id", "00024719R"), ("member_name", "Kha, Paj"), ("member_dob", "09/07/1994")):
        field = d.find_element(By.ID, f"in-{name}")
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(value)
    d.find_element(By.ID, "in-member_dob").send_keys(Keys.TAB)
    # The new route is shown before anything is saved.
    preview = wait_for(d, lambda: d.find_elements(By.CSS_SELECTOR, "#preview-result[data-new-route=provider_services]"))
    assert "Provider Services" in preview[0].text
    assert text_of(d, "#route") == "Manual triage"
    d.find_element(By.ID, "save-corrections").click()
    wait_for(d, lambda: "route manual_triage → provider_services" in text_of(d, ".flash"))
    assert text_of(d, "#route") == "Provider Services"
    assert "corrected" in text_of(d, "table.audit")


def test_a_reviewer_returns_a_referral_and_the_notice_is_made(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    sign_in(d, server, "rita")
    d.get(f"{server}/documents/3")
    d.find_element(By.CSS_SELECTOR, "#return-panel summary").click()
    d.find_element(By.CSS_SELECTOR, "#return-panel input[value=SIGNATURE_MISSING]").click()
    d.find_element(By.CSS_SELECTOR, "#return-panel textarea[name=note]").send_keys("Please use the current form.")
    d.find_element(By.ID, "return-submit").click()
    wait_for(d, lambda: "Returned to the sender" in text_of(d, ".flash"))
    assert text_of(d, "#route") == "Returned to sender"
    notice = d.find_element(By.CSS_SELECTOR, "#letters .letter-deficiency_notice a")
    assert notice.text == "Deficiency notice"
    assert notice.get_attribute("href").endswith(".pdf")


def test_the_director_approves_a_request_and_both_letters_are_made(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    sign_in(d, server, "rita")
    d.get(f"{server}/documents/1")
    assert not d.find_elements(By.ID, "decision-form")  # a reviewer sees no decision form
    sign_in(d, server, "dora")
    d.get(f"{server}/documents/1")
    d.find_element(By.CSS_SELECTOR, "#decision-form input[value=approve]").click()
    d.find_element(By.CSS_SELECTOR, "#decision-form textarea[name=reason]").send_keys("Abusive behavior documented.")
    d.find_element(By.ID, "decide").click()
    wait_for(d, lambda: "2 letter(s) made" in text_of(d, ".flash"))
    letters = text_of(d, "#letters")
    assert "Decision letter to the provider" in letters and "Letter to the member" in letters
    assert text_of(d, "#status") == "RESOLVED"
    assert "Approved by dora" in text_of(d, ".director")


def test_a_page_screenshot_for_the_readme(server: str, browser: Any, tmp_path: Path) -> None:
    """The document page renders in a real browser with its images (the README's screenshot is made this way)."""
    from selenium.webdriver.common.by import By

    d = browser
    sign_in(d, server, "rita")
    d.get(f"{server}/documents/4")
    wait_for(d, lambda: d.find_elements(By.CSS_SELECTOR, ".keys-bar kbd"))
    wait_for(
        d,
        lambda: d.execute_script(
            "return document.images.length > 0 && Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
        ),
    )
    shot = tmp_path / "document.png"
    assert d.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    assert d.find_elements(By.CSS_SELECTOR, ".keys-bar kbd")  # the keyboard shortcuts are shown
