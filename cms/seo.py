"""What a page says about itself to search engines and link previews."""

from dataclasses import dataclass

from django.utils.translation import gettext


@dataclass
class Seo:
    title: str
    description: str
    url: str
    og_type: str = "website"  # OpenGraph: "website" for indexes, "article" for items
    full_title: str = ""  # the <title>: the page's title and the site's name

    def __post_init__(self) -> None:
        if not self.full_title:
            self.full_title = f"{self.title} · {gettext('Zhengzhou IP Exchange')}"
