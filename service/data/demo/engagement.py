"""The demo library's activities and one survey, made through the real command handlers:
past activities with sign-ups, a waiting list, a cancellation that promotes, attendance at
the door; two coming ones (the demo reader is signed up for one); a published survey that
many readers answered. Seeded on its own, so the year's circulation plan is unchanged."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from service.application import commands as c
from service.application.context import Actor, Principal
from service.application.handlers import handle
from service.domain.errors import DomainError

LIBRARIAN = Actor(Principal("staff", "librarian", "librarian"), "api")
DOOR = Actor(Principal("staff", "desk", "desk"), "desk")

ACTIVITIES = (  # (day offset from the year's start, or from its end if coming), kind, texts
    (70, "reading_club", "《平凡的世界》读书会", "Book club: Ordinary World",
     "一起聊聊路遥笔下的孙少安与孙少平。", "Talk about Lu Yao's brothers Sun Shao'an and Sun Shaoping."),
    (150, "lecture", "古籍修复讲座", "Lecture: restoring old books",
     "修复师现场演示古籍修复。", "A conservator shows how old books are mended."),
    (230, "storytime", "周末亲子故事会", "Weekend storytime for families",
     "适合 4-8 岁的小读者，家长陪同。", "For readers aged 4 to 8, with a parent."),
    (310, "exhibition", "城市老照片展", "Exhibition: old photos of the city",
     "馆藏老照片首次展出。", "The library's old photographs, shown for the first time."),
)
COMING = (
    (6, "reading_club", "《三体》读书会", "Book club: The Three-Body Problem",
     "科幻迷的读书会，欢迎新朋友。", "A book club for science fiction readers; newcomers welcome."),
    (12, "lecture", "如何用好图书馆的电子资源", "Lecture: getting more from e-resources",
     "数据库、电子书和馆际互借一次讲清。", "Databases, e-books and inter-library loans in one hour."),
)
QUESTIONS = (
    {"id": "q1", "type": "single", "text_zh": "您最常去哪个馆？", "text_en": "Which branch do you use most?",
     "options": [{"zh": "总馆", "en": "Main"}, {"zh": "东区分馆", "en": "East"}]},
    {"id": "q2", "type": "multiple", "text_zh": "您希望多办哪些活动？",
     "text_en": "Which activities would you like more of?",
     "options": [{"zh": "读书会", "en": "Reading clubs"}, {"zh": "讲座", "en": "Lectures"},
                 {"zh": "亲子故事会", "en": "Storytimes"}, {"zh": "展览", "en": "Exhibitions"}]},
    {"id": "q3", "type": "rating", "text_zh": "您对借阅服务的满意度",
     "text_en": "How satisfied are you with lending?"},
    {"id": "q4", "type": "nps", "text_zh": "您向朋友推荐本馆的可能性有多大？",
     "text_en": "How likely are you to recommend the library to a friend?"},
    {"id": "q5", "type": "text", "text_zh": "还有什么建议？", "text_en": "Anything else we could do better?"},
)
TEXTS = ("周末能否延长开放时间？", "希望多买一些新出版的小说。", "Please add more English books.",
         "自助借还机很好用。", "")


def reader_actor(reader_id: str) -> Actor:
    return Actor(Principal("reader", reader_id, "reader", reader_id), "portal")


def _at(day: date, hour: int) -> datetime:
    # hour in the demo library's day (its default zone is UTC+8)
    return datetime.combine(day, time(hour - 8), UTC)


def make_engagement(ports: Any, clock: Any, start: date, end: date, branches: Sequence[str],
                    cards: dict[str, str], seed: int) -> dict[str, int]:
    """Publish, sign up, cancel, attend and answer; return counts of what was made.

    ``cards`` maps reader id -> card number, the demo reader (who can sign in) first."""
    rng = random.Random(seed + 12)
    reader_ids = list(cards)
    counts = {"activities": 0, "sign_ups": 0, "attended": 0, "answers": 0}

    def publish(day: date, spec: tuple[Any, ...], capacity: int) -> str:
        branch = branches[counts["activities"] % len(branches)]
        return str(handle(ports, LIBRARIAN, c.PublishActivity(
            spec[1], spec[2], spec[3], spec[4], spec[5], branch, _at(day, 10), _at(day, 12),
            capacity)).result["activity_id"])
    for spec in ACTIVITIES:
        day = start + timedelta(days=spec[0])
        clock.now = _at(day, 9) - timedelta(days=14)
        activity = publish(day, spec, 20)
        counts["activities"] += 1
        people = rng.sample(list(reader_ids[1:]), 24)  # 20 seats, 4 wait
        for n, reader_id in enumerate(people):
            clock.now = _at(day, 9) - timedelta(days=10 - n // 3)
            counts["sign_ups"] += _try(ports, reader_actor(reader_id),
                                       c.SignUpForActivity(activity, reader_id))
        clock.now = _at(day, 9) - timedelta(days=1)
        # the fourth reader cancels: the first one waiting takes the seat
        _try(ports, reader_actor(people[3]), c.CancelActivitySignUp(activity, people[3]))
        clock.now = _at(day, 10)
        seated = [r for i, r in enumerate(people) if i != 3][:20]
        for reader_id in seated:
            if rng.random() < 0.8:
                counts["attended"] += _try(ports, DOOR,
                                           c.MarkActivityAttendance(activity, cards[reader_id]))
    clock.now = datetime.combine(end, time(12), UTC)
    for i, spec in enumerate(COMING):
        activity = publish(end + timedelta(days=spec[0]), spec, 30)
        counts["activities"] += 1
        who = ([reader_ids[0]] if i == 0 else []) + rng.sample(list(reader_ids[1:]), 12)
        for reader_id in who:
            counts["sign_ups"] += _try(ports, reader_actor(reader_id),
                                       c.SignUpForActivity(activity, reader_id))
    survey = handle(ports, LIBRARIAN, c.CreateSurvey(
        "读者满意度调查", "Reader satisfaction survey", QUESTIONS)).result["survey_id"]
    handle(ports, LIBRARIAN, c.PublishSurvey(survey))
    for reader_id in rng.sample(list(reader_ids[1:]), 40):
        answers: dict[str, Any] = {"q1": rng.randrange(2),
                                   "q2": sorted(rng.sample(range(4), rng.randint(1, 3))),
                                   "q3": rng.choices((2, 3, 4, 5), (1, 2, 5, 4))[0],
                                   "q4": rng.choices(range(11), (1, 0, 1, 1, 1, 2, 2, 5, 7, 6, 5))[0]}
        text = rng.choice(TEXTS)
        if text:
            answers["q5"] = text
        counts["answers"] += _try(ports, reader_actor(reader_id),
                                  c.AnswerSurvey(survey, reader_id, answers))
    return counts


def _try(ports: Any, actor: Actor, command: object) -> int:
    """1 if the command was carried out, 0 if refused (a reader the draw picked twice)."""
    try:
        handle(ports, actor, command)
    except DomainError:
        return 0
    return 1
