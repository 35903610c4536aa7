"""Shared fixtures: a small tree with two sibling communes and personas on it.

Test data is built through the real services.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls
# from that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class World:
    national: object
    province: object
    city: object
    commune_a: object
    commune_b: object
    chapter_a: object
    chapter_b: object
    admin_city: object
    admin_a: object
    admin_b: object
    viewer_a: object
    officer_a: object


PASSWORD = "pw-for-tests-1"


def make_user(username, *, node=None, role=None):
    from khuyenhoc.accounts.services import grant_add, user_create

    user = user_create(actor=None, username=username, password=PASSWORD, validate=False, full_name=username.title())
    if node is not None:
        grant_add(actor=None, user=user, node=node, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    from khuyenhoc.accounts.models import Role
    from khuyenhoc.organizations.models import ChapterType, NodeKind, OfficerTitle
    from khuyenhoc.organizations.services import node_create, officer_add

    national = node_create(actor=None, parent=None, name="Hội Khuyến học Việt Nam", kind=NodeKind.NATIONAL, code="VN")
    province = node_create(actor=None, parent=national, name="Hội Khuyến học tỉnh Thử", kind=NodeKind.PROVINCE, code="PT")
    city = node_create(actor=None, parent=province, name="Hội Khuyến học thành phố Thử", kind=NodeKind.DISTRICT, code="TP", place_name="Thử")
    commune_a = node_create(actor=None, parent=city, name="Hội Khuyến học phường An Bình", kind=NodeKind.COMMUNE, code="TP-A")
    commune_b = node_create(actor=None, parent=city, name="Hội Khuyến học phường Bến Đò", kind=NodeKind.COMMUNE, code="TP-B")
    chapter_a = node_create(actor=None, parent=commune_a, name="Chi hội tổ Anh Đào", kind=NodeKind.CHAPTER, chapter_type=ChapterType.RESIDENTIAL, code="TP-A-01")
    chapter_b = node_create(actor=None, parent=commune_b, name="Chi hội tổ Bằng Lăng", kind=NodeKind.CHAPTER, chapter_type=ChapterType.RESIDENTIAL, code="TP-B-01")
    officer_a = officer_add(actor=None, node=commune_a, full_name="Hoàng Văn Ánh", title=OfficerTitle.CHAIR, term_start=dt.date(2021, 1, 1))
    return World(
        national=national,
        province=province,
        city=city,
        commune_a=commune_a,
        commune_b=commune_b,
        chapter_a=chapter_a,
        chapter_b=chapter_b,
        admin_city=make_user("admin_city", node=city, role=Role.ADMIN),
        admin_a=make_user("admin_a", node=commune_a, role=Role.ADMIN),
        admin_b=make_user("admin_b", node=commune_b, role=Role.ADMIN),
        viewer_a=make_user("viewer_a", node=commune_a, role=Role.VIEWER),
        officer_a=officer_a,
    )


@pytest.fixture
def client_for(client):
    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
