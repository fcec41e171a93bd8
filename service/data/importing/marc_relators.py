"""Relator codes and terms (MARC, UNIMARC, Chinese cataloguing) -> the role Lector keeps."""

from __future__ import annotations

from service.data.importing.marc_text import clean_isbd

# Roles that make a name one of the title's authors (the `authors` display list).
AUTHOR_ROLES = frozenset({"author", "creator"})

# MARC relator codes (id.loc.gov/vocabulary/relators), the ones met in practice.
MARC_CODES = {
    "aut": "author", "cre": "creator", "edt": "editor", "trl": "translator",
    "ill": "illustrator", "com": "compiler", "cmp": "composer", "ctb": "contributor",
    "fmo": "former owner", "prt": "printer", "prf": "performer", "pbl": "publisher",
    "aui": "author of introduction", "aft": "author of afterword", "ann": "annotator",
    "art": "artist", "pht": "photographer", "drt": "director", "act": "actor",
    "nrt": "narrator", "sng": "singer", "cnd": "conductor", "lyr": "lyricist",
    "arr": "arranger", "isb": "issuing body", "spn": "sponsor", "dnr": "donor",
    "own": "owner", "scr": "scribe", "ed": "editor", "ctg": "cartographer",
    "dte": "dedicatee", "hnr": "honoree", "orm": "organizer", "pro": "producer",
    "wpr": "writer of preface", "wac": "writer of added commentary", "bnd": "binder",
    "ins": "inscriber", "asn": "associated name", "dub": "dubious author",
}

# UNIMARC relator codes (Appendix C), numeric.
UNIMARC_CODES = {
    "070": "author", "072": "author in quotations", "010": "adapter", "020": "annotator",
    "080": "author of introduction", "075": "author of afterword", "100": "bibliographic antecedent",
    "205": "contributor", "210": "commentator", "220": "compiler", "230": "composer",
    "250": "conductor", "273": "curator", "295": "degree grantor", "340": "editor",
    "360": "engraver", "390": "former owner", "440": "illustrator", "460": "interviewee",
    "470": "interviewer", "545": "musician", "557": "organiser of meeting", "590": "performer",
    "600": "photographer", "605": "presenter", "610": "printer", "650": "publisher",
    "651": "publishing director", "673": "research team head", "675": "reviewer",
    "690": "scenarist", "700": "scribe", "710": "redactor", "721": "singer", "723": "sponsor",
    "730": "translator", "755": "vocalist",
}

# Responsibility terms as Chinese catalogues write them in 7XX $4.
CHINESE_TERMS = {
    "著": "author", "著者": "author", "作者": "author", "撰": "author", "撰写": "author",
    "原著": "author", "编著": "author", "文": "author", "著文": "author",
    "编": "editor", "主编": "editor", "编辑": "editor", "编写": "editor", "编选": "editor",
    "选编": "editor", "编纂": "compiler", "辑": "compiler", "汇编": "compiler",
    "译": "translator", "翻译": "translator", "编译": "translator", "译注": "translator",
    "绘": "illustrator", "绘图": "illustrator", "插图": "illustrator", "图": "illustrator",
    "注": "annotator", "校注": "annotator", "注释": "annotator", "校": "editor",
    "摄影": "photographer", "摄": "photographer", "口述": "author", "整理": "editor",
}


def role_of(terms: list[str], codes: list[str], default: str) -> str:
    """The role named by relator terms ($e), else codes ($4), else ``default``."""
    roles: list[str] = []
    for term in terms:
        text = clean_isbd(term).strip().lower()
        text = CHINESE_TERMS.get(text, text)
        if text and text not in roles:
            roles.append(text)
    if not roles:
        for code in codes:
            raw = clean_isbd(code).strip()
            text = (MARC_CODES.get(raw.lower()) or UNIMARC_CODES.get(raw)
                    or CHINESE_TERMS.get(raw) or raw.lower())
            if text and text not in roles:
                roles.append(text)
    return ", ".join(roles) or default


def is_author(role: str) -> bool:
    """True when any of a name's roles is author or creator."""
    return any(part.strip() in AUTHOR_ROLES for part in role.split(","))
