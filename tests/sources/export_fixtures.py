"""Export files with each tool's header layout (column names as the tools document them) and
invented rows, written into a test's folder."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

# Brandwatch: report details above the header, then one column per field and per network.
BRANDWATCH_PREAMBLE = [
    "Report:,Mentions",
    "Brandwatch,",
    "Author:,analyst@example.com",
    "Date Range:,2024-01-01 - 2024-12-31",
    "Time zone:,Europe/Warsaw",
    "",
]
BRANDWATCH_COLUMNS = [
    "Query Id", "Query Name", "Date", "Title", "Url", "Domain", "Sentiment", "Page Type",
    "Language", "Country Code", "Continent Code", "Continent", "Country", "City Code",
    "Account Type", "Added", "Assignment", "Author", "Avatar", "Category Details", "Checked",
    "City", "Display URLs", "Expanded URLs", "Facebook Author ID", "Facebook Comments",
    "Facebook Likes", "Facebook Role", "Facebook Shares", "Facebook Subtype", "Full Name",
    "Full Text", "Gender", "Hashtags", "Impact", "Impressions", "Instagram Comments",
    "Instagram Followers", "Instagram Likes", "Interest", "Media URLs", "Mentioned Authors",
    "Original Url", "Priority", "Professions", "Resource Id", "Short URLs", "Starred", "Status",
    "Thread Id", "Thread URL", "Twitter Followers", "Twitter Following", "Twitter Reply Count",
    "Twitter Reply to", "Twitter Retweet of", "Twitter Retweets", "Twitter Likes",
    "Twitter Verified", "Updated",
]  # fmt: skip
MELTWATER_COLUMNS = [
    "Date", "Headline", "URL", "Opening Text", "Hit Sentence", "Source", "Influencer",
    "Country", "Subregion", "Language", "Reach", "Twitter Social Echo", "Engagement", "AVE",
    "Sentiment", "Key Phrases", "Input Name", "Keywords", "Tweet Id", "Twitter Screen Name",
    "Twitter Followers", "Alternate Date Format", "Time", "State", "City",
]  # fmt: skip
SPRINKLR_COLUMNS = [
    "Universal Message Id", "Social Network", "Message", "Created Time", "Permalink",
    "Sender Screen Name", "Sender Name", "Sender Followers Count", "Sentiment", "Language",
    "Country", "Likes", "Shares", "Comments",
]  # fmt: skip
MENTION_COLUMNS = [
    "Alert Name", "Mention ID", "Published At", "Title", "Description", "URL", "Source Type",
    "Author Name", "Author Handle", "Author Followers", "Author Influence Score", "Language",
    "Country", "Tone", "Reach",
]  # fmt: skip


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def brandwatch_row(**values: str) -> list[str]:
    return [values.get(column, "") for column in BRANDWATCH_COLUMNS]


def write_brandwatch(path: Path, rows: list[dict[str, str]]) -> Path:
    body = csv_text([BRANDWATCH_COLUMNS, *(brandwatch_row(**r) for r in rows)])
    # The Excel BOM, as the UI's CSV download writes it.
    path.write_text("\ufeff" + "\r\n".join(BRANDWATCH_PREAMBLE) + "\r\n" + body, encoding="utf-8")
    return path


def write_table(
    path: Path,
    columns: list[str],
    rows: list[dict[str, str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    body = csv_text([columns, *([r.get(c, "") for c in columns] for r in rows)], delimiter)
    path.write_bytes(body.encode(encoding))
    return path


def talkwalker_line(document: dict[str, object]) -> str:
    chunk = {"chunk_type": "CT_RESULT", "chunk_result": {"data": {"data": document}}}
    return json.dumps(chunk, ensure_ascii=False)


def write_tweets_js(path: Path, tweets: list[dict[str, object]]) -> Path:
    body = json.dumps([{"tweet": t} for t in tweets], indent=2, ensure_ascii=False)
    path.write_text("window.YTD.tweets.part0 = " + body, encoding="utf-8")
    return path


def facebook_escaped(text: str) -> str:
    """Text the way Facebook's download writes it: each UTF-8 byte as its own character."""
    return text.encode("utf-8").decode("latin-1")


def write_facebook_comments(path: Path, comments: list[tuple[int, str, str]]) -> Path:
    items = [
        {
            "timestamp": stamp,
            "data": [
                {
                    "comment": {
                        "timestamp": stamp,
                        "comment": facebook_escaped(text),
                        "author": facebook_escaped(author),
                    }
                }
            ],
            "title": facebook_escaped(f"{author} commented on a post."),
        }
        for stamp, text, author in comments
    ]
    path.write_text(json.dumps({"comments_v2": items}), encoding="utf-8")
    return path
