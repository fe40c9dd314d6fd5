"""Rich-text descriptions: an allow-list of harmless tags (nh3, the Rust ammonia sanitiser).

Nothing executable survives: no script/style/iframe, no event-handler attributes, no
javascript:/data: URLs; links get rel="noopener noreferrer nofollow".
"""

import html

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "ul", "ol", "li",
    "h3", "h4", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": {"colspan", "rowspan"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str) -> str:
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def html_to_text(value: str) -> str:
    """The words of a sanitised description, for search and meta descriptions."""
    return " ".join(html.unescape(nh3.clean(value or "", tags=set())).split())
