"""The reading year as a shareable portrait PNG (1080 x 1920), drawn with Pillow.

Text is set in Noto Sans CJK from Debian's fonts-noto-cjk, which covers both zh-CN and en.
Without the font there is no image: a 503 problem ``reading_year_font_missing`` says so
(the JSON year still works).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from service.domain.errors import DomainError

FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
BOLD_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
SIZE = (1080, 1920)
TITLE_BOX = (0, 120, 1080, 330)  # where the heading is drawn (tests look for ink there)
# Index of the Simplified Chinese face in the .ttc (SC is 2 in Noto Sans CJK's collection).
_SC_FACE = 2

WORDS = {
    "en": {"title": "My {year} in reading", "books": "books", "pages": "pages",
           "classes": "Favourite classes", "authors": "Favourite authors",
           "month": "Busiest month", "streak": "Longest streak", "weeks": "weeks in a row",
           "first": "First", "last": "last book", "favourite": "Favourite book",
           "others": "{n} other readers also read it", "none": "No loans this year",
           "months": ["", "January", "February", "March", "April", "May", "June", "July",
                      "August", "September", "October", "November", "December"]},
    "zh-CN": {"title": "我的{year}阅读年度", "books": "本书", "pages": "页",
              "classes": "最爱的分类", "authors": "最爱的作者", "month": "最忙的月份",
              "streak": "最长连续借阅", "weeks": "周", "first": "第一本",
              "last": "最后一本", "favourite": "年度最爱",
              "others": "还有 {n} 位读者也读过", "none": "今年还没有借阅",
              "months": ["", *[f"{m}月" for m in range(1, 13)]]},
}


def font_missing() -> DomainError:
    return DomainError("reading_year_font_missing",
                       "The image cannot be drawn: the CJK font (fonts-noto-cjk) is not "
                       "installed on the server.",
                       "无法生成图片：服务器未安装中日韩字体（fonts-noto-cjk）。", status=503)


def render(year: dict[str, Any], lang: str, font_path: Path | None = None) -> bytes:
    """The portrait PNG of ``year`` (reading_year's answer) in ``lang`` (zh-CN or en)."""
    from PIL import Image, ImageDraw, ImageFont

    regular = font_path or FONT_PATH
    bold = BOLD_PATH if font_path is None and BOLD_PATH.exists() else regular
    if not regular.exists():
        raise font_missing()
    w = WORDS["zh-CN" if lang == "zh-CN" else "en"]

    def font(size: int, heavy: bool = False) -> Any:
        try:
            return ImageFont.truetype(str(bold if heavy else regular), size, index=_SC_FACE)
        except OSError:
            return ImageFont.truetype(str(bold if heavy else regular), size)

    image = Image.new("RGB", SIZE, (250, 246, 238))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE[0], 90), fill=(46, 94, 78))
    draw.text((540, 225), w["title"].format(year=year["year"]), font=font(84, True),
              fill=(46, 94, 78), anchor="mm")
    y = 400
    draw.text((540, y), str(year["books"]), font=font(220, True), fill=(180, 83, 9), anchor="mm")
    draw.text((540, y + 160), w["books"], font=font(52), fill=(60, 60, 60), anchor="mm")
    if year.get("pages"):
        draw.text((540, y + 250), f"{year['pages']:,} {w['pages']}", font=font(52),
                  fill=(60, 60, 60), anchor="mm")
    y = 760
    lines: list[tuple[str, str]] = []
    if not year["books"]:
        lines.append((w["none"], ""))
    if year.get("favourite_classes"):
        lines.append((w["classes"], " · ".join(c["clc_class"] for c in year["favourite_classes"])))
    if year.get("favourite_authors"):
        lines.append((w["authors"], " · ".join(a["name"] for a in year["favourite_authors"])))
    if year.get("busiest_month"):
        lines.append((w["month"], w["months"][year["busiest_month"]]))
    if year.get("longest_streak_weeks"):
        lines.append((w["streak"], f"{year['longest_streak_weeks']} {w['weeks']}"))
    if year.get("first_book"):
        first, last = (_fit(year[k]["title"] or year[k]["title_id"], 12)
                       for k in ("first_book", "last_book"))
        lines.append((w["first"] + " → " + w["last"], f"{first} → {last}"))
    if year.get("favourite_book"):
        lines.append((w["favourite"], _fit(year["favourite_book"]["title"]
                                           or year["favourite_book"]["title_id"])))
    if year.get("favourite_book") and year.get("others_read_favourite"):
        lines.append(("", w["others"].format(n=year["others_read_favourite"])))
    for label, value in lines:
        if label:
            draw.text((120, y), label, font=font(40), fill=(110, 110, 110))
            y += 58
        if value:
            draw.text((120, y), value, font=font(54, True), fill=(30, 30, 30))
            y += 84
        y += 18
    draw.text((540, 1850), "Lector", font=font(36), fill=(46, 94, 78), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _fit(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
