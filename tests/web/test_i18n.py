"""Languages: negotiation, Hebrew right-to-left, Polish catalogue, dates in the reader's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.languages import is_rtl, translations_for
from flarewatch.web.i18n import negotiate

from .conftest import WebEnv, csrf_from, login


def test_negotiate() -> None:
    assert negotiate("he-IL,he;q=0.9,en;q=0.8") == "he"
    assert negotiate("de-DE,pl;q=0.7,en;q=0.5") == "pl"
    assert negotiate("iw") == "he"
    assert negotiate("fr") == "en" and negotiate(None) == "en"


def test_catalogues_are_complete_enough() -> None:
    assert translations_for("he").gettext("Alert inbox") == "תיבת התראות"
    assert translations_for("pl").gettext("Sign in") == "Zaloguj się"
    assert is_rtl("he") and not is_rtl("pl")


def test_dates_and_numbers_follow_locale_and_zone() -> None:
    at = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    assert Formatter("he", "Asia/Jerusalem").datetime(at) == "2.3.2026, 0:30"  # UTC+2: next day
    assert Formatter("pl", "Europe/Warsaw").number(12345.5) == "12\xa0345,5"
    assert Formatter("en", None).number(12345.5) == "12,345.5"


def test_browser_language_is_the_default(web: WebEnv, client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "he-IL,he;q=0.9"}).text
    assert '<html lang="he" dir="rtl">' in page and "כניסה" in page
    page = client.get("/login", headers={"Accept-Language": "pl"}).text
    assert '<html lang="pl" dir="ltr">' in page and "Zaloguj się" in page


def test_choice_wins_over_browser_and_is_saved(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-viewer"])
    client.post("/preferences", data={"language": "he", "next": "/w/acme", "csrf_token": csrf})
    page = client.get("/w/acme", headers={"Accept-Language": "en"}).text
    assert 'dir="rtl"' in page and "לוח בקרה" in page
    me = client.get("/api/v1/me").json()
    assert me["locale"] == "he"


def test_user_written_text_is_dir_auto(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-viewer"])
    page = client.get("/w/acme/mentions", params={"language": "he"}).text
    assert '<p class="mention-text" dir="auto">אקמה' in page
    assert csrf_from(page)
