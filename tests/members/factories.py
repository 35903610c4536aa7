"""Members built through the real services, for tests."""

from __future__ import annotations

import datetime as dt

from khuyenhoc.members.services import member_create


def add_member(node, full_name: str, *, joined_on=dt.date(2020, 1, 10), actor=None, **kw):
    kw.setdefault("birth_year", 1970)
    return member_create(actor=actor, node=node, full_name=full_name, joined_on=joined_on, **kw)


def add_chapter(parent, code: str, name: str | None = None):
    from khuyenhoc.organizations.models import ChapterType, NodeKind
    from khuyenhoc.organizations.services import node_create

    return node_create(
        actor=None, parent=parent, name=name or f"Chi hội {code}", kind=NodeKind.CHAPTER, chapter_type=ChapterType.VILLAGE, code=code
    )
