"""What each importable dialect's operators mean in Flarewatch terms, and how `auto` guesses.

Each table follows the tool's own documentation: a field maps to the Flarewatch field with the
same meaning, and an operator with no exact equivalent is listed with the nearest Flarewatch form
so the importer can reject it with a useful hint instead of reading it as search words.
"""

from __future__ import annotations

import re

DIALECTS = ("brandwatch", "talkwalker", "sprinklr", "meltwater", "google", "x")

# Special field targets (anything else is the Flarewatch field name):
#   ""           drop the field, keep its value as text
#   "author*"    the handle contains the value
#   "author|name" the handle or the display name (Sprinklr's author:)
#   "platform"   the value is a source type, mapped through PLATFORMS
FIELDS: dict[str, dict[str, str]] = {
    "brandwatch": {
        "author": "author",
        "site": "site",
        "url": "url",
        "title": "title",
        "links": "links",
        "raw": "raw",
        "language": "lang",
        "lang": "lang",
        "country": "country",
        "pagetype": "platform",
        "domain": "site",
    },
    "talkwalker": {
        "author": "author",
        "site": "site",
        "url": "url",
        "title": "title",
        "lang": "lang",
        "language": "lang",
        "country": "country",
        "sourcetype": "platform",
        "domain_url": "site",
        "host_url": "site",
        "domain": "site",
    },
    "sprinklr": {
        "author": "author|name",
        "site": "site",
        "url": "url",
        "title": "title",
        "language": "lang",
        "country": "country",
        "message": "",
        "exactmessage": "raw",
        "exactcontent": "raw",
        "authorcontaining": "author*",
    },
    "meltwater": {
        "author": "author",
        "site": "site",
        "url": "url",
        "title": "title",
        "headline": "title",
        "lang": "lang",
        "language": "lang",
        "country": "country",
    },
    "google": {
        "site": "site",
        "intitle": "title",
        "inurl": "url",
        "intext": "",
        "allintext": "",
    },
    "x": {
        "from": "author",
        "lang": "lang",
        "url": "links",
        "url_contains": "links",
        "place_country": "country",
    },
}

# Operators a dialect has that Flarewatch cannot express exactly: name -> nearest form.
REJECTED: dict[str, dict[str, str]] = {
    "brandwatch": {
        "authorgender": "Flarewatch has no author gender; filter by author: instead",
    },
    "talkwalker": {},
    "sprinklr": {},
    "meltwater": {
        "ingress": "Flarewatch has no lead-paragraph field; search the words in the text",
    },
    "google": {
        "allintitle": "write title:(word1 word2) for all of the words in the title",
        "allinurl": "write url:part1 AND url:part2",
        "before": "dates are the topic's time range, not part of the query",
        "after": "dates are the topic's time range, not part of the query",
        "filetype": "posts have no file type; remove it",
        "related": "Flarewatch has no similar-site search; list the sites with site:",
        "cache": "remove it: Flarewatch searches posts, not cached pages",
        "link": "write links:host for posts that link to it",
        "source": "write site:host for a news source",
        "location": "write country:xx with the ISO country code",
    },
    "x": {
        "to": "Flarewatch has no reply target; search @handle in the text",
        "has": "Flarewatch has no has: filters; for links use links:*",
        "is": "Flarewatch has no is: filters (retweet, reply, verified)",
        "bio": "Flarewatch does not store author bios",
        "bio_name": 'write authorname:"Display Name"',
        "sample": "sampling is not part of a Flarewatch query; remove it",
        "profile_country": "write country:xx (the post's country)",
        "contains": 'write raw:"text" for a literal substring',
        "retweets_of": "Flarewatch has no retweet source; search @handle in the text",
        "followers_count": "follower thresholds are alert settings, not query syntax",
    },
}

# Source-type vocabularies -> Post.platform values.
PLATFORMS = {
    "socialmedia_twitter": "twitter",
    "socialmedia_facebook": "facebook",
    "socialmedia_instagram": "instagram",
    "socialmedia_youtube": "youtube",
    "socialmedia_reddit": "reddit",
    "socialmedia_tiktok": "tiktok",
    "socialmedia_linkedin": "linkedin",
    "online_news": "news",
    "news": "news",
    "blog": "blog",
    "blogs": "blog",
    "forum": "forum",
    "forums": "forum",
    "review": "review",
    "reviews": "review",
    "twitter": "twitter",
    "x": "twitter",
    "facebook": "facebook",
    "instagram": "instagram",
    "youtube": "youtube",
    "reddit": "reddit",
    "tiktok": "tiktok",
    "tumblr": "tumblr",
    "linkedin": "linkedin",
    "qq": "qq",
}

# Dialects whose documentation says repeated site: terms widen the search (either site).
SITES_ORED = frozenset({"talkwalker"})
# Dialects that accept lower-case and/or/not as operators (Meltwater no longer needs capitals).
LOWER_CASE_OPERATORS = frozenset({"meltwater"})
# Dialects where OR binds tighter than AND (Google: `a b OR c` is a AND (b OR c)).
OR_BINDS_TIGHTER = frozenset({"google"})
# Dialects whose "a b"~n is not Flarewatch's window of (words + n) tokens: X allows n tokens in
# the written order but fewer in the opposite one, which no Flarewatch operator expresses.
SLOP_DIFFERS = frozenset({"x"})
# Meltwater's NEAR and ONEAR without a distance allow at most 4 words in between.
DEFAULT_NEAR = {"meltwater": 4}

# Marks of each dialect for --dialect auto: (pattern, what it shows).
_MARKS: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "brandwatch": [
        (re.compile(r"<<<"), "<<<comment>>>"),
        (re.compile(r"(?i)\b(raw|pagetype|links|authorgender):"), "a Brandwatch field"),
        (re.compile(r"\)~\d"), "(group)~n proximity"),
        (re.compile(r"NEAR/\d+f\b"), "NEAR/nf"),
    ],
    "talkwalker": [
        (re.compile(r"(?i)\b(sourcetype|domain_url|host_url):"), "a Talkwalker field"),
        (re.compile(r"(?:^|[\s(])\+[\w\"]"), "+exact"),
    ],
    "sprinklr": [
        (re.compile(r"\["), "[brackets]"),
        (
            re.compile(r"(?i)\b(message|exactmessage|exactcontent|authorcontaining):"),
            "a Sprinklr field",
        ),
    ],
    "meltwater": [
        (re.compile(r"(?i)\b(ingress|headline):"), "a Meltwater field"),
        (re.compile(r"\b(O?NEAR)(?=\s)"), "NEAR without a distance"),
        (re.compile(r"[\w\")]\s+(and|or|not)\s+[\w\"(]"), "lower-case operators"),
    ],
    "google": [
        (
            re.compile(r"(?i)\b(intitle|inurl|intext|allintitle|allinurl|allintext|filetype):"),
            "a Google field",
        ),
        (re.compile(r"AROUND\(\d+\)"), "AROUND(n)"),
        (re.compile(r"\s\|\s"), "| for OR"),
    ],
    "x": [
        (
            re.compile(r"(?i)\b(from|to|has|is|url_contains|place_country|bio|sample):"),
            "an X field",
        ),
    ],
}


def guess_dialect(text: str) -> tuple[str, str]:
    """The dialect whose marks `text` shows most, and why; the shared core reads the same
    everywhere, so a query without marks is read as Talkwalker (exclusion with -, sites ORed)."""
    best, why, score = "talkwalker", "no tool-specific syntax found", 0
    for dialect, marks in _MARKS.items():
        found = [label for rx, label in marks if rx.search(text)]
        if len(found) > score:
            best, why, score = dialect, ", ".join(found), len(found)
    return best, why
