"""Curated word lists: Chinese and English names, fiction title words, publishers."""

from __future__ import annotations

import random


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """'王:wang 李:li' -> (('王', 'wang'), ('李', 'li'))."""
    return tuple((w.split(":")[0], w.split(":")[1]) for w in text.split())


def _words(text: str) -> tuple[str, ...]:
    """Space-separated words as a tuple (keeps long word lists readable)."""
    return tuple(text.split())


# Common surnames, roughly by frequency, with pinyin for e-mail addresses.
SURNAMES = _pairs(
    "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou "
    "徐:xu 孙:sun 马:ma 朱:zhu 胡:hu 郭:guo 何:he 高:gao 林:lin 罗:luo 郑:zheng "
    "梁:liang 谢:xie 宋:song 唐:tang 许:xu 韩:han 冯:feng 邓:deng 曹:cao 彭:peng "
    "曾:zeng 肖:xiao 田:tian 董:dong 袁:yuan 潘:pan 于:yu 蒋:jiang 蔡:cai 余:yu "
    "杜:du 叶:ye 程:cheng 苏:su 魏:wei 吕:lv 丁:ding 任:ren 沈:shen 姚:yao 卢:lu "
    "欧阳:ouyang 司马:sima"
)
GIVEN_CHARS = _pairs(
    "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang "
    "勇:yong 艳:yan 杰:jie 娟:juan 涛:tao 明:ming 超:chao 秀:xiu 霞:xia 平:ping "
    "刚:gang 桂:gui 文:wen 华:hua 建:jian 国:guo 红:hong 梅:mei 琳:lin 晨:chen "
    "宇:yu 浩:hao 然:ran 子:zi 涵:han 欣:xin 怡:yi 梓:zi 轩:xuan 思:si 雨:yu "
    "博:bo 嘉:jia 佳:jia 一:yi 诺:nuo 若:ruo 汐:xi 辰:chen 睿:rui 安:an 晓:xiao "
    "婷:ting 雪:xue 慧:hui 志:zhi 鹏:peng 海:hai 玉:yu 兰:lan 春:chun 燕:yan"
)
EN_FIRST = _words(
    "James Emma Oliver Sophie Daniel Grace Thomas Lucy Michael Hannah David Chloe "
    "Samuel Amelia Peter Laura Robert Alice Mark Julia"
)
EN_LAST = _words(
    "Smith Brown Taylor Wilson Johnson Walker White Green Hall Wood Clarke Evans "
    "Turner Hill Baker Cooper Ward King Moore Scott"
)
# Transliterated foreign authors for translated fiction, by CLC country class.
FOREIGN_AUTHORS: dict[str, tuple[str, ...]] = {
    "I313.45": ("[日]山田健一", "[日]佐藤由美", "[日]中村浩二", "[日]小林真理子", "[日]高桥诚"),
    "I561.45": ("[英]约翰·哈里森", "[英]艾米莉·卡特", "[英]乔治·班尼特", "[英]露西·格雷"),
    "I712.45": ("[美]詹姆斯·米勒", "[美]萨拉·戴维斯", "[美]迈克尔·安德森", "[美]劳拉·摩尔"),
    "I565.45": ("[法]皮埃尔·杜邦", "[法]玛丽·勒克莱尔", "[法]让·莫罗"),
    "I512.45": ("[俄]伊万·彼得罗夫", "[俄]安娜·伊万诺娃", "[俄]谢尔盖·沃尔科夫"),
}
PLACES = _words("北方 南方 长河 群山 雪原 海边 小城 旧城 江南 西北 故乡 草原 山谷 村庄 高原 边城 河湾 老街")
NOUNS = _words(
    "灯火 岁月 时光 星辰 河流 月光 风声 雨季 白夜 春天 秋天 黎明 旷野 家族 少年 "
    "姐妹 往事 秘密 来信 渡船 钟声 花园 火车 回声 远方 麦田 大雪 归途 人间 烟火"
)
ADJS = _words("漫长的 寂静的 遥远的 消失的 燃烧的 温暖的 最后的 沉默的 明亮的 蓝色的 无尽的")
SCIFI = _words("星际 量子 深空 银河 第五纪元 黑域 云端 时间 机械")
SCIFI_TAIL = _words("边疆 之门 计划 迷航 回响 纪事 守望者 觉醒 坠落")
ANIMALS = _words("小熊 小兔子 小狐狸 小猪 小老鼠 大象 小企鹅 小鸭子 小猫 恐龙")
KID_TAIL = _words("去旅行 的生日 找妈妈 的秘密 上学记 的新朋友 不想睡觉 学游泳 和月亮 的大冒险")
# Real publishers with their real ISBN registrant prefixes (978-7-...), by the classes they
# are known for, so that a law book does not come from a children's press.
_LITERATURE = (
    ("人民文学出版社", "978702"),
    ("上海译文出版社", "97875327"),
    ("译林出版社", "97875447"),
    ("作家出版社", "97875063"),
    ("重庆出版社", "9787229"),
    ("长江文艺出版社", "97875354"),
)
_CHILDREN = (("二十一世纪出版社", "97875391"), ("接力出版社", "97875448"))
_SCIENCE = (
    ("科学出版社", "978703"),
    ("人民邮电出版社", "9787115"),
    ("清华大学出版社", "9787302"),
    ("机械工业出版社", "9787111"),
    ("电子工业出版社", "9787121"),
)
_HUMANITIES = (
    ("商务印书馆", "9787100"),
    ("中华书局", "9787101"),
    ("生活·读书·新知三联书店", "9787108"),
    ("北京大学出版社", "9787301"),
    ("高等教育出版社", "978704"),
)
_BUSINESS = (
    ("中信出版社", "97875217"),
    ("机械工业出版社", "9787111"),
    ("北京大学出版社", "9787301"),
)
PUBLISHERS_BY_CLASS: dict[str, tuple[tuple[str, str], ...]] = {
    "I": _LITERATURE,
    "I287": _CHILDREN,
    "Z228": _CHILDREN,
    "N49": _CHILDREN,
    "C": _BUSINESS,
    "F": _BUSINESS,
    "D9": (("法律出版社", "97875197"),),
    "R": (("人民卫生出版社", "9787117"),),
    "G6": (("高等教育出版社", "978704"),),
    **{top: _SCIENCE for top in "NOPQSTUVX"},
}


def publishers_for(code: str) -> tuple[tuple[str, str], ...]:
    """Publishers (name, ISBN prefix) plausible for a CLC class: the longest matching prefix."""
    best = max((p for p in PUBLISHERS_BY_CLASS if code.startswith(p)), key=len, default=None)
    return PUBLISHERS_BY_CLASS[best] if best else _HUMANITIES


EN_PUBLISHERS = (
    "Penguin Books",
    "Vintage",
    "HarperCollins",
    "Bloomsbury",
    "Scholastic",
    "Random House",
    "Simon & Schuster",
    "Macmillan",
    "Oxford University Press",
    "Little, Brown",
)


def chinese_name(rng: random.Random) -> tuple[str, str]:
    """A Chinese name and its pinyin (surname first, one or two given characters)."""
    surname, s_py = rng.choice(SURNAMES)
    given = [rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2)))]
    return surname + "".join(c for c, _ in given), s_py + "".join(p for _, p in given)


def english_name(rng: random.Random) -> str:
    """An English first and last name."""
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


def fiction_title(rng: random.Random, kind: str) -> str:
    """A plausible Chinese fiction title for a kind: novel, scifi, kids, poetry, essay."""
    if kind == "scifi":
        return rng.choice(SCIFI) + rng.choice(SCIFI_TAIL)
    if kind == "kids":
        return rng.choice(ANIMALS) + rng.choice(KID_TAIL)
    if kind == "poetry":
        return rng.choice(NOUNS) + rng.choice(("集", "诗选", "诗篇"))
    if kind == "essay":
        return rng.choice(PLACES) + rng.choice(("笔记", "札记", "散记", "散文集"))
    pattern = rng.randrange(4)
    if pattern == 0:
        return rng.choice(ADJS) + rng.choice(NOUNS)
    if pattern == 1:
        return rng.choice(PLACES) + "的" + rng.choice(NOUNS)
    if pattern == 2:
        return rng.choice(PLACES) + rng.choice(NOUNS)
    first, second = rng.sample(NOUNS, 2)
    return f"{first}与{second}"
