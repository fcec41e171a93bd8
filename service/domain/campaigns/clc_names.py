"""Names of the 22 main classes of the Chinese Library Classification (中图法基本大类)."""

from __future__ import annotations

MAIN_CLASSES: dict[str, tuple[str, str]] = {
    "A": ("马克思主义、列宁主义、毛泽东思想、邓小平理论", "Marxism, Leninism, Mao Zedong Thought"),
    "B": ("哲学、宗教", "Philosophy and religion"), "C": ("社会科学总论", "Social sciences"),
    "D": ("政治、法律", "Politics and law"), "E": ("军事", "Military science"),
    "F": ("经济", "Economics"), "G": ("文化、科学、教育、体育", "Culture, education and sport"),
    "H": ("语言、文字", "Languages"), "I": ("文学", "Literature"), "J": ("艺术", "Arts"),
    "K": ("历史、地理", "History and geography"), "N": ("自然科学总论", "Natural sciences"),
    "O": ("数理科学和化学", "Mathematics, physics and chemistry"),
    "P": ("天文学、地球科学", "Astronomy and earth sciences"), "Q": ("生物科学", "Biology"),
    "R": ("医药、卫生", "Medicine and health"), "S": ("农业科学", "Agriculture"),
    "T": ("工业技术", "Engineering and technology"), "U": ("交通运输", "Transport"),
    "V": ("航空、航天", "Aviation and spaceflight"), "X": ("环境科学、安全科学", "Environment"),
    "Z": ("综合性图书", "General works"),
}


def class_name(main_class: str | None, lang: str) -> str | None:
    """'I 文学' / 'I Literature' for a main class letter, None for none."""
    if not main_class:
        return None
    names = MAIN_CLASSES.get(main_class[:1].upper())
    if names is None:
        return main_class
    return f"{main_class[:1].upper()} {names[0] if lang.startswith('zh') else names[1]}"
