"""Table-driven conformance suite: every row is (language of the post or None, query, post text,
expected), checked with the reference evaluator and with the Matcher (they must agree). Posts with
language None go through the language guess (script, Polish letters, function words)."""

from __future__ import annotations

import pytest

from flarewatch.mentions.post import Post
from flarewatch.query import Matcher, matches

Case = tuple[str | None, str, str, bool]

BOOLEAN: list[Case] = [
    ("en", "apple", "I like apple pie", True),
    ("en", "apple", "I like pears", False),
    ("en", "apple AND pie", "apple pie", True),
    ("en", "apple AND pie", "apple juice", False),
    ("en", "apple pie", "pie made of apple", True),
    ("en", "apple OR pear", "a pear", True),
    ("en", "apple OR pear", "a plum", False),
    ("en", "apple NOT pie", "apple juice", True),
    ("en", "apple NOT pie", "apple pie", False),
    ("en", "apple AND NOT pie", "apple pie", False),
    ("en", "apple AND NOT pie", "apple tart", True),
    ("en", "NOT spam", "ham only", True),
    ("en", "NOT spam", "spam here", False),
    ("en", "(apple OR pear) AND juice", "pear juice", True),
    ("en", "(apple OR pear) AND juice", "pear cider", False),
    ("en", "apple OR pear AND juice", "apple alone", True),
    ("en", "apple OR pear AND juice", "pear alone", False),
    ("en", "(apple OR pear) AND NOT (juice OR cider)", "apple tart", True),
    ("en", "(apple OR pear) AND NOT (juice OR cider)", "apple cider", False),
    ("en", "a AND (b OR (c AND d))", "a c d", True),
    ("en", "a AND (b OR (c AND d))", "a c", False),
    ("en", "apple && pie", "apple pie", True),
    ("en", "apple || pear", "pear", True),
    ("en", "apple and pie", "apple pie", False),
    ("en", "apple and pie", "apple and pie", True),
    ("en", "Apple", "APPLE STORE", True),
    ("en", "apple", "pineapple", False),
    ("en", "apple", "apple-pie", True),
    ("en", "outage", "OUTAGE!!!", True),
    ("en", "e-mail", "send me an e-mail", True),
    ("en", "e-mail", "send me an email", False),
    ("en", "U.S.", "made in the U.S. today", True),
    ("en", "rock'n'roll", "pure rock'n'roll", True),
    ("en", "covid19", "covid19 cases", True),
    ("en", "2024", "in 2024 we", True),
    ("en", "2024", "in 20245 we", False),
]

PHRASES: list[Case] = [
    ("en", '"apple pie"', "warm apple pie", True),
    ("en", '"apple pie"', "pie apple", False),
    ("en", '"apple pie"', "apple and pie", False),
    ("en", '"apple pie"~1', "apple and pie", True),
    ("en", '"apple pie"~1', "apple and a pie", False),
    ("en", '"apple pie"~2', "pie with apple", True),
    ("en", '"apple pie"~0', "pie apple", True),
    ("en", '"big red apple"', "a big red apple", True),
    ("en", '"big red apple"', "a big apple", False),
    ("en", '"big red apple"~1', "big shiny red apple", True),
    ("en", '"cars"', "two cars", True),
    ("en", '"cars"', "one car", False),
    ("en", '"car"', "two cars", False),
    ("en", '"new york" AND pizza', "New York pizza", True),
    ("en", '"new york" OR "los angeles"', "LOS ANGELES rocks", True),
    ("en", '"new york"', "new, york", True),
    ("en", '"new york"', "york new", False),
    ("en", "\u201capple pie\u201d", "apple pie", True),
]

PROXIMITY: list[Case] = [
    ("en", "apple NEAR/0 pie", "apple pie", True),
    ("en", "apple NEAR/0 pie", "pie apple", True),
    ("en", "apple NEAR/0 pie", "apple hot pie", False),
    ("en", "apple NEAR/2 pie", "apple is a pie", True),
    ("en", "apple NEAR/2 pie", "apple is not a pie", False),
    ("en", "apple NEAR/2 pie", "pie is an apple", True),
    ("en", "apple NEAR/2f pie", "pie is an apple", False),
    ("en", "apple NEAR/2f pie", "apple is a pie", True),
    ("en", "apple ONEAR/2 pie", "pie is an apple", False),
    ("en", "apple ONEAR/2 pie", "apple is a pie", True),
    ("en", "(apple OR pear) NEAR/3 (juice OR cider)", "pear and cider", True),
    ("en", "(apple OR pear) NEAR/3 (juice OR cider)", "pear a b c d cider", False),
    ("en", '"apple pie" NEAR/2 recipe', "apple pie best recipe", True),
    ("en", '"apple pie" NEAR/2 recipe', "recipe for the apple pie", True),
    ("en", '"apple pie" NEAR/0 recipe', "recipe for the apple pie", False),
    ("en", "apple NEAR/1 pie NEAR/1 cream", "apple pie cream", True),
    ("en", "apple NEAR/1 pie NEAR/1 cream", "apple pie x y cream", False),
    ("en", "outage NEAR/3 (bank OR banks)", "the banks report an outage", True),
    ("en", "appl* NEAR/1 pie", "apples pie", True),
    ("en", "apple NEAR/5 pie", "apple", False),
    ("en", "apple NEAR/5 apple", "apple", False),
    ("en", "apple NEAR/5 apple", "apple and apple", True),
]

WILDCARDS: list[Case] = [
    ("en", "micro*", "Microsoft", True),
    ("en", "micro*", "micro", True),
    ("en", "micro*", "macro", False),
    ("en", "micro*t", "microsoft", True),
    ("en", "micro*t", "microsofts", False),
    ("en", "col?r", "color", True),
    ("en", "col?r", "colour", False),
    ("en", "col?r", "colr", False),
    ("en", "col*r", "colour", True),
    ("en", "wom?n", "women and men", True),
    ("en", "brand*", "rebranding", False),
    ("en", "#brand*", "#brandnew day", True),
    ("en", "#brand*", "brandnew day", False),
    ("en", "awar*", "awaria", True),
    ("pl", "awar*", "awarię", True),
    ("he", "ישרא*", "ובישראלים", True),
    ("he", "ישרא*", "ישר", False),
    ("en", '"big app*"', "big apples", True),
    ("en", '"big app*"', "big red apples", False),
    ("en", "{Micro*}", "Microsoft", True),
    ("en", "{Micro*}", "microsoft", False),
    ("en", "te?t*", "testing", True),
]

CASE_HASH_EMOJI: list[Case] = [
    ("en", "{Apple}", "Apple stock", True),
    ("en", "{Apple}", "apple stock", False),
    ("en", "{Apple}", "APPLE stock", False),
    ("en", "{Apple}", "Apple's stock", True),
    ("en", "{IT}", "the IT department", True),
    ("en", "{IT}", "it is", False),
    ("en", "{New York}", "New York city", True),
    ("en", "{New York}", "new york city", False),
    ("en", "#brand", "love #brand", True),
    ("en", "#brand", "love #Brand", True),
    ("en", "#brand", "love brand", False),
    ("en", "#brand", "love #brands", False),
    ("en", "brand", "love #brand", True),
    ("en", "@acme", "thanks @acme", True),
    ("en", "@acme", "thanks acme", False),
    ("en", "acme", "thanks @ACME", True),
    ("en", "@acme", "mail me at x@acme.com", False),
    ("en", "🔥", "hot 🔥🔥", True),
    ("en", "🔥", "hot stuff", False),
    ("en", "👍", "good 👍🏽", True),
    ("en", "❤️", "love ❤ it", True),
    ("en", "🔥 AND sale", "🔥sale today", True),
    ("en", "👨‍👩‍👧", "family 👨‍👩‍👧 day", True),
    ("en", "#ישראל", "שלום #ישראל", True),
    # A leading - or ! excludes (Talkwalker, Google, X, Brandwatch, Sprinklr write it so).
    ("en", "chocolate -swiss", "swiss chocolate", False),
    ("en", "chocolate -swiss", "dark chocolate", True),
    ("en", "(-bike OR -car) AND road", "a bike on the road", True),
    ("en", "(-bike OR -car) AND road", "a bike and a car on the road", False),
    ("en", '(!"NASA" OR launch) AND rocket', "NASA rocket", False),
    ("en", '(!"NASA" OR launch) AND rocket', "rocket launch", True),
    ("he", "ישראל -מלחמה", "מלחמה בישראל", False),
    ("pl", "awaria !prąd", "awaria wody", True),
]

FIELDS: list[Case] = [
    # Field rows use the special post texts built in the test (see FIELD_POST).
    (None, "author:acme", "", True),
    (None, "author:@acme", "", True),
    (None, "author:ACME", "", True),
    (None, "author:other", "", False),
    (None, "author:ac*", "", True),
    (None, 'authorname:"Justin Blake"', "", True),
    (None, 'authorname:"justin blake"', "", True),
    (None, "authorname:justin*", "", True),
    (None, 'authorname:"Justin"', "", False),
    (None, 'author:"Justin Blake"', "", False),
    (None, "site:example.com", "", True),
    (None, "site:news.example.com", "", True),
    (None, "site:www.example.com", "", True),
    (None, 'site:"http://www.example.com"', "", True),
    (None, "site:https://example.com/", "", True),
    (None, 'site:"http://www.other.com"', "", False),
    (None, "site:ample.com", "", False),
    (None, "site:other.com", "", False),
    (None, "site:example.com/world", "", True),
    (None, "url:example.com/world", "", True),
    (None, "url:/world/123", "", True),
    (None, "url:*world*", "", True),
    (None, "url:sport", "", False),
    (None, "title:outage", "", True),
    (None, "title:(outage OR failure)", "", True),
    (None, 'title:"bank outage"', "", True),
    (None, "title:customers", "", False),
    (None, "customers", "", True),
    (None, "outage", "", True),
    (None, "lang:en", "", True),
    (None, "language:en", "", True),
    (None, "lang:pl", "", False),
    (None, "lang:(pl OR en)", "", True),
    (None, "country:gb", "", True),
    (None, "country:GB", "", True),
    (None, "country:us", "", False),
    (None, "platform:news", "", True),
    (None, "platform:twitter", "", False),
    (None, "links:bbc.co.uk", "", True),
    (None, "links:cnn.com", "", True),
    (None, "links:reuters.com", "", False),
    (None, 'raw:"$AAPL"', "", True),
    (None, 'raw:"$aapl"', "", False),
    (None, "raw:AAPL", "", True),
    (None, "raw:AAP", "", False),
    (None, "bank AND NOT platform:twitter", "", True),
    (None, "bank AND (site:example.com OR site:other.com)", "", True),
    (None, "NOT lang:en", "", False),
]

HEBREW: list[Case] = [
    ("he", "ישראל", "ישראל", True),
    ("he", "ישראל", "ובישראל", True),
    ("he", "ישראל", "לישראל", True),
    ("he", "ישראל", "מישראל", True),
    ("he", "ישראל", "וכשבישראל", True),
    ("he", "ישראל", "שבישראל", True),
    ("he", "ישראל", "הישראל", True),
    ("he", "ישראל", "ישראלי", False),
    ("he", "ישראל", "ישראלים", False),
    ("he", "ישראל", "אישראל", False),
    ("he", "ישראל", "תישראל", False),
    ("he", "בית", "ומהבית", True),
    ("he", "בית", "בבית", True),
    ("he", "בית", "תבית", False),
    ("he", "בית", "ביתה", False),
    ("he", "שלום", "שָׁלוֹם", True),
    ("he", "שָׁלוֹם", "שלום", True),
    ("he", "מלך", "המלך", True),
    ("he", "מלך", "מלכים", False),
    ("he", "ספר", "בספר", True),
    ("he", '"ממשלת ישראל"', "ממשלת ישראל החליטה", True),
    ("he", '"ממשלת ישראל"', "בממשלת ישראל", True),
    ("he", '"ממשלת ישראל"', "ישראל ממשלת", False),
    ("he", "צה״ל", 'חיילי צה"ל', True),
    ("he", "צה״ל", "חיילי צה״ל", True),
    ("he", "ישראל AND NOT מלחמה", "שלום בישראל", True),
    ("he", "ישראל AND NOT מלחמה", "מלחמה בישראל", False),
    ("he", "ישראל AND NOT מלחמה", "ובמלחמה בישראל", False),
    ("he", "ישראל NEAR/1 שלום", "שלום גדול לישראל", True),
    ("he", "ישראל NEAR/0 שלום", "שלום גדול לישראל", False),
    ("he", "חברה", "החברה", True),
    ("he", "חברה", "וחברה", True),
    ("he", "חברה", "חברות", False),
    (None, "ישראל", "ביקור בישראל", True),
]

POLISH: list[Case] = [
    ("pl", "awaria", "awaria", True),
    ("pl", "awaria", "awarii", True),
    ("pl", "awaria", "awarię", True),
    ("pl", "awaria", "awarią", True),
    ("pl", "awaria", "awarie", True),
    ("pl", "awaria", "awariach", True),
    ("pl", "awaria", "awariami", True),
    ("pl", "awarii", "awaria", True),
    ("pl", "awaria", "awaryjny", False),
    ("pl", '"awaria"', "awarii", False),
    ("pl", '"awarii"', "awarii", True),
    ("pl", "prąd", "brak prądu", True),
    ("pl", "prąd", "o prądzie", True),
    ("pl", "prąd", "z prądem", True),
    ("pl", "prąd", "brak pradu", False),
    ("pl", "bank", "w banku", True),
    ("pl", "bank", "bankiem", True),
    ("pl", "bank", "banków", True),
    ("pl", "bank", "bankach", True),
    ("pl", "bank", "bankowy", True),
    ("pl", "bank", "bankructwo", False),
    ("pl", "Polska", "w Polsce", True),
    ("pl", "polski", "polskiego", True),
    ("pl", "sieć", "brak sieci", True),
    ("pl", "sieć", "siecią", True),
    ("pl", "jakość", "niskiej jakości", True),
    ("pl", "lekarz", "do lekarza", True),
    ("pl", "samochód", "samochodu", True),
    ("pl", "kanał", "kanału", True),
    ("pl", "kanał", "kanały", True),
    ("pl", "koń", "konia", True),
    ("pl", "nie", "nie", True),
    ("pl", "awaria prądu", "Wielka awaria i brak prądu", True),
    ("pl", '"awaria prądu"', "wielka awaria prądu", True),
    ("pl", '"awaria prądu"', "awarii prądu", False),
    ("pl", "awaria NEAR/2 prąd", "awarie i brak prądu", True),
    ("pl", "awaria AND NOT test", "awaria testowa", False),
    ("pl", "awaria AND NOT test", "awaria test", False),
    (None, "awaria", "Brak awarii dzisiaj", True),
    (None, "awaria", "Usunięto awarię", True),
    ("en", "awaria", "awarii", False),
]

ENGLISH: list[Case] = [
    ("en", "car", "two cars", True),
    ("en", "cars", "one car", True),
    ("en", "city", "big cities", True),
    ("en", "cities", "a city", True),
    ("en", "box", "boxes", True),
    ("en", "church", "churches", True),
    ("en", "glass", "glasses", True),
    ("en", "house", "houses", True),
    ("en", "bus", "buses", False),
    ("en", "news", "new", False),
    ("en", "status", "statu", False),
    ("en", "analysis", "analysi", False),
    ("en", "brand", "the brand's logo", True),
    ("en", "brand", "the brands' logos", True),
    ("en", "brand", "the brand’s logo", True),
    ("en", "brand's", "the brand logo", True),
    ("en", "company", "companies", True),
    ("en", "day", "days", True),
    ("en", "key", "keys", True),
    ("en", "tesla", "teslas", True),
    ("en", "it", "it's done", True),
    ("en", "don't", "don't", True),
    ("en", "CAFÉ", "café", True),
    ("en", "ﬁle", "file", True),
    ("en", "straße", "STRASSE", True),
    ("pl", "cars", "cars", True),
    ("pl", "car", "cars", False),
]

ALL: list[Case] = (
    BOOLEAN + PHRASES + PROXIMITY + WILDCARDS + CASE_HASH_EMOJI + HEBREW + POLISH + ENGLISH
)


FIELD_POST = Post(
    external_id="f",
    text="Customers report a bank outage, see https://www.bbc.co.uk/news/1 $AAPL falls",
    title="Bank outage hits millions",
    author="@Acme",
    author_name="Justin  Blake",
    platform="news",
    url="https://news.example.com/world/123?src=rss",
    language="en",
    country="GB",
    links=["http://cnn.com/story"],
)


def _post(lang: str | None, text: str) -> Post:
    return Post(external_id="p", text=text, language=lang)


def _check(query: str, post: Post, expected: bool) -> None:
    assert matches(query, post) is expected
    matcher = Matcher()
    matcher.add("q", query)
    assert (matcher.match(post) == ["q"]) is expected


@pytest.mark.parametrize(
    ("lang", "query", "text", "expected"), ALL, ids=[f"{c[0]}|{c[1]}|{c[2]}" for c in ALL]
)
def test_conformance(lang: str | None, query: str, text: str, expected: bool) -> None:
    _check(query, _post(lang, text), expected)


@pytest.mark.parametrize(("lang", "query", "text", "expected"), FIELDS, ids=[c[1] for c in FIELDS])
def test_fields(lang: str | None, query: str, text: str, expected: bool) -> None:
    _check(query, FIELD_POST, expected)


FOLD: list[Case] = [
    ("pl", "prad", "brak prądu", True),
    ("pl", "prąd", "brak pradu", True),
    ("pl", "awaria pradu", "Awaria prądu", True),
    ("pl", "zolw", "żółwia", True),
    ("pl", "łódź", "lodzi", True),
    ("pl", '"prad"', "prąd", True),
    ("pl", '"prad"', "prądu", False),
    ("pl", "prad*", "prądowy", True),
    ("en", "cafe", "café", True),
]


@pytest.mark.parametrize(("lang", "query", "text", "expected"), FOLD, ids=[c[1] for c in FOLD])
def test_fold_diacritics(lang: str | None, query: str, text: str, expected: bool) -> None:
    post = _post(lang, text)
    assert matches(query, post, fold_diacritics=True) is expected
    matcher = Matcher(fold_diacritics=True)
    matcher.add("q", query)
    assert (matcher.match(post) == ["q"]) is expected


def test_table_is_large_enough() -> None:
    assert len(ALL) + len(FIELDS) + len(FOLD) >= 200
