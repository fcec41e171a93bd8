"""Reader feedback and purchase-suggestion texts for the demo, in zh-CN and en."""

from __future__ import annotations

# category -> ((zh-CN, en, rating range low, high), ...)
FEEDBACK: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    "service": (
        (
            "前台老师很耐心，帮我找到了想要的书。",
            "The desk staff were patient and found my book.",
            4,
            5,
        ),
        (
            "还书排队有点久，希望高峰时多开一个窗口。",
            "Long queue to return books; open another desk at peak.",
            2,
            3,
        ),
        (
            "预约的书到了很快就收到了通知，很方便。",
            "I was told quickly that my reserved book was ready.",
            4,
            5,
        ),
    ),
    "collection": (
        ("希望多采购一些新出版的科幻小说。", "Please buy more new science fiction.", 3, 4),
        (
            "热门小说总是借不到，能否多买几本复本？",
            "Popular novels are always out; could you buy more copies?",
            2,
            3,
        ),
        (
            "少儿绘本区的书很丰富，孩子很喜欢。",
            "The picture-book corner is rich; my child loves it.",
            5,
            5,
        ),
    ),
    "facilities": (
        (
            "自习区座位不够，周末经常找不到位置。",
            "Not enough study seats; full every weekend.",
            2,
            3,
        ),
        ("阅览室空调太冷了。", "The reading room air conditioning is too cold.", 2, 3),
        (
            "新装修的儿童区很明亮，环境很好。",
            "The renovated children's area is bright and pleasant.",
            4,
            5,
        ),
    ),
    "digital": (
        (
            "手机续借很方便，希望能增加到期提醒。",
            "Renewing on my phone is easy; please add due-date reminders.",
            4,
            5,
        ),
        (
            "自助借还机偶尔识别不了条码。",
            "The self-check kiosk sometimes fails to read barcodes.",
            2,
            3,
        ),
    ),
    "other": (
        (
            "周末的亲子阅读活动很好，希望多办。",
            "The weekend family reading events are great; more please.",
            5,
            5,
        ),
        ("建议延长晚上的开放时间。", "Please stay open later in the evening.", 3, 4),
    ),
}
SUGGESTION_REASONS: tuple[tuple[str, str], ...] = (
    (
        "馆内没有这本书，很多同学都在找。",
        "The library does not have it and many classmates want it.",
    ),
    ("这本书获得了文学奖，值得收藏。", "It won a literary prize and deserves a place here."),
    ("孩子的学校推荐阅读书目中有这本书。", "It is on my child's school reading list."),
    ("工作需要，希望图书馆能采购。", "I need it for work; please consider buying it."),
)
