"""Where the fields of a saved article page sit, per site family, as CSS selectors.

Each profile lists selectors tried in order; the first that finds non-empty text wins, and
the generic selectors (GENERIC) come after the profile's own. A profile is chosen by the
page's host (canonical link, og:url or the URL it was fetched from) or, for a saved page
without any URL, by a marker element only that family's pages carry. Pages of no known
family are read with the generic selectors and, for the body, with trafilatura.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteProfile:
    name: str
    hosts: tuple[str, ...]
    markers: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    publisher_sel: tuple[str, ...] = ()
    publisher: str | None = None  # who publishes when the page does not say


KSTARTUP = SiteProfile(
    name="k-startup",
    hosts=("k-startup.go.kr",),
    markers=(".board_view .view_cont", "#kstartup"),
    title=(".board_view .title h3", ".board_view .tit"),
    date=(".board_view .board_info .date", ".board_view .board_info li"),
    category=(".board_view .cate", ".location li:last-child", ".sub_title h2"),
    body=(".board_view .view_cont",),
    hashtags=(".board_view .tag_list a", ".board_view .tag_list span"),
    attachments=(".board_view .file_list a.file_name", ".board_view .file_list a"),
    publisher="창업진흥원(K-Startup)",
)

MSS = SiteProfile(
    name="mss",
    hosts=("mss.go.kr",),
    markers=(".bbs_view .bbs_cont", "#mss"),
    title=(".bbs_view .bbs_tit", ".bbs_view h4"),
    date=(".bbs_view .bbs_info .date", ".bbs_view .bbs_info dd"),
    category=(".bbs_view .bbs_cate", ".path li:last-child", ".cont_tit h3"),
    body=(".bbs_view .bbs_cont",),
    hashtags=(".bbs_view .hash a",),
    attachments=(".bbs_view .bbs_file a.name", ".bbs_view .bbs_file a"),
    publisher_sel=(".bbs_view .bbs_info .dept",),
    publisher="중소벤처기업부",
)

KOREA_KR = SiteProfile(
    name="korea.kr",
    hosts=("korea.kr",),
    markers=(".article_view .view_cont", "#korea-kr"),
    title=(".article_head h1", ".article_head .title"),
    date=(".article_head .info .date", ".article_head .info span"),
    category=(".article_head .category", ".breadcrumb li:last-child"),
    body=(".article_view .view_cont", ".article_body"),
    hashtags=(".article_view .tag a", ".tag_area a"),
    attachments=(".article_view .filedown a.name", ".article_view .filedown a"),
    publisher_sel=(".article_head .info .source", ".article_head .source"),
    publisher=None,  # 정책브리핑 republishes every ministry's releases: the page names the source
)

PROFILES: tuple[SiteProfile, ...] = (KSTARTUP, MSS, KOREA_KR)

GENERIC = SiteProfile(
    name="generic",
    hosts=(),
    title=("article h1", "main h1", "h1", ".title", "h2"),
    date=("time", ".date", ".reg_date", ".info .date"),
    category=(".breadcrumb li:last-child", ".location li:last-child", ".category"),
    body=("[itemprop=articleBody]", "article", ".view_cont", ".view_con", ".article_body", ".board_view"),
    hashtags=(".tag a", ".tags a", ".hashtag a", ".hashtag"),
    attachments=(".file a", ".files a", ".attach a", "a[download]"),
)

# Chrome dropped before any text is read: navigation, scripts, sharing widgets, skip links.
CHROME = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "form",
    "header",
    "footer",
    "nav",
    "aside",
    ".skip",
    ".skip_nav",
    "#skipnav",
    "#gnb",
    ".gnb",
    ".lnb",
    ".sns",
    ".share",
    ".sns_share",
    ".util",
    ".btn_area",
    ".btn_wrap",
    ".paging",
    ".prev_next",
    ".view_nav",
    ".satisfaction",
    ".quick",
)
