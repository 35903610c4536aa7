import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from khuyenhoc.core.models import AuditEvent
from khuyenhoc.organizations import selectors, services
from khuyenhoc.organizations.models import ChapterType, Node, NodeKind, NodeStatus


def test_a_new_node_gets_a_path_under_its_parent(world):
    assert world.chapter_a.path.startswith(world.commune_a.path)
    assert world.chapter_a.depth == world.commune_a.depth + 1


def test_a_chapter_cannot_sit_directly_under_a_province(world):
    with pytest.raises(ValidationError) as exc:
        services.node_create(actor=None, parent=world.province, name="X", kind=NodeKind.CHAPTER, code="X", chapter_type=ChapterType.VILLAGE)
    assert "kind" in exc.value.error_dict
    assert not Node.objects.filter(code="X").exists()


def test_a_duplicate_code_is_refused_and_nothing_is_saved(world):
    before = Node.objects.count()
    with pytest.raises(ValidationError):
        services.node_create(actor=None, parent=world.commune_a, name="Dup", kind=NodeKind.CHAPTER, code="TP-A-01", chapter_type=ChapterType.VILLAGE)
    assert Node.objects.count() == before


def test_moving_a_node_rewrites_its_whole_subtree(world):
    sub = services.node_create(actor=None, parent=world.chapter_a, name="Phân hội 1", kind=NodeKind.SUBCHAPTER, code="TP-A-01-1")
    services.node_move(actor=world.admin_city, node=world.chapter_a, new_parent=world.commune_b, effective=dt.date(2024, 1, 1))
    world.chapter_a.refresh_from_db()
    sub.refresh_from_db()
    assert world.chapter_a.parent_id == world.commune_b.pk
    assert world.chapter_a.path.startswith(world.commune_b.path)
    assert sub.path.startswith(world.chapter_a.path)
    assert sub.depth == world.chapter_a.depth + 1
    assert AuditEvent.objects.filter(action="org.node.moved").count() == 1


def test_moving_a_node_under_its_own_descendant_is_refused(world):
    path_before = world.commune_a.path
    with pytest.raises(ValidationError) as exc:
        services.node_move(actor=None, node=world.city, new_parent=world.commune_a)
    assert "own" in str(exc.value) or "chính" in str(exc.value)
    world.commune_a.refresh_from_db()
    assert world.commune_a.path == path_before


def test_merging_a_node_into_itself_is_refused(world):
    with pytest.raises(ValidationError):
        services.node_merge(actor=None, sources=[world.commune_a], into=world.commune_a, effective=dt.date(2025, 7, 1))
    world.commune_a.refresh_from_db()
    assert world.commune_a.status == NodeStatus.ACTIVE


def test_closing_a_node_with_active_children_is_refused(world):
    with pytest.raises(ValidationError):
        services.node_close(actor=None, node=world.commune_a)
    world.commune_a.refresh_from_db()
    assert world.commune_a.is_active


def test_a_registered_close_check_blocks_closing(world):
    def has_money(node):
        return "Quỹ còn tiền" if node.pk == world.chapter_b.pk else None

    services.register_close_check(has_money)
    try:
        with pytest.raises(ValidationError) as exc:
            services.node_close(actor=None, node=world.chapter_b)
        assert "Quỹ còn tiền" in str(exc.value)
        services.node_close(actor=None, node=world.chapter_a, on=dt.date(2024, 5, 1))
        world.chapter_a.refresh_from_db()
        assert world.chapter_a.status == NodeStatus.CLOSED
    finally:
        services._close_checks.remove(has_money)


def test_merge_moves_children_from_the_effective_date_and_keeps_history(world):
    """The 2025 reorganisation: two wards merge; 2022 reports still see the old wards."""
    merged = services.node_merge(
        actor=world.admin_city,
        sources=[world.commune_a, world.commune_b],
        new_name="Hội Khuyến học phường Bắc Kạn",
        new_code="TP-BK",
        effective=dt.date(2025, 7, 1),
    )
    world.commune_a.refresh_from_db()
    world.chapter_a.refresh_from_db()
    assert world.commune_a.status == NodeStatus.CLOSED
    assert world.commune_a.successor_id == merged.pk
    assert world.chapter_a.parent_id == merged.pk
    # Today both chapters stand under the merged ward …
    today_ids = selectors.subtree_ids_as_of(merged, dt.date(2025, 12, 31))
    assert {world.chapter_a.pk, world.chapter_b.pk} <= set(today_ids)
    # … while at the end of 2022 the chapter stood under its old ward, with the old name.
    old_ids = selectors.subtree_ids_as_of(world.commune_a, dt.date(2022, 12, 31))
    assert world.chapter_a.pk in old_ids and world.chapter_b.pk not in old_ids
    assert selectors.subtree_ids_as_of(merged, dt.date(2022, 12, 31)) == []
    assert selectors.name_as_of(world.commune_a, dt.date(2022, 12, 31)) == "Hội Khuyến học phường An Bình"


def test_renaming_with_an_effective_date_keeps_the_old_name_for_earlier_years(world):
    services.node_update(actor=None, node=world.commune_a, name="Hội Khuyến học phường Mới", effective=dt.date(2025, 7, 1))
    assert selectors.name_as_of(world.commune_a, dt.date(2022, 6, 1)) == "Hội Khuyến học phường An Bình"
    assert selectors.name_as_of(world.commune_a, dt.date(2025, 8, 1)) == "Hội Khuyến học phường Mới"
    ev = AuditEvent.objects.get(action="org.node.renamed")
    assert ev.before["name"] == "Hội Khuyến học phường An Bình"
    assert ev.after["name"] == "Hội Khuyến học phường Mới"


def test_split_requires_every_child_to_go_somewhere(world):
    c2 = services.node_create(actor=None, parent=world.commune_a, name="Chi hội tổ 2", kind=NodeKind.CHAPTER, code="TP-A-02", chapter_type=ChapterType.RESIDENTIAL)
    with pytest.raises(ValidationError):
        services.node_split(actor=None, source=world.commune_a, parts=[{"name": "P1", "code": "P1", "children": [world.chapter_a]}, {"name": "P2", "code": "P2", "children": []}], effective=dt.date(2025, 7, 1))
    parts = services.node_split(
        actor=None,
        source=world.commune_a,
        parts=[{"name": "P1", "code": "P1", "children": [world.chapter_a]}, {"name": "P2", "code": "P2", "children": [c2]}],
        effective=dt.date(2025, 7, 1),
    )
    c2.refresh_from_db()
    assert c2.parent_id == parts[1].pk
    world.commune_a.refresh_from_db()
    assert world.commune_a.status == NodeStatus.CLOSED


def test_officer_term_cannot_end_before_it_starts(world):
    with pytest.raises(ValidationError):
        services.officer_add(actor=None, node=world.commune_a, full_name="A", title="chair", term_start=dt.date(2022, 1, 1), term_end=dt.date(2021, 1, 1))


def test_children_with_counts_counts_chapters_below_each_child(world):
    rows = dict((n.code, c) for n, c in selectors.children_with_counts(world.city))
    assert rows == {"TP-A": 1, "TP-B": 1}


def test_skeleton_loader_creates_a_province_and_its_communes_idempotently(db):
    from khuyenhoc.organizations.admin_units import communes_of, load_skeleton

    created = load_skeleton(province_codes=[19])
    assert created["province"] == 1
    assert created["commune"] == len(communes_of(19)) > 50
    again = load_skeleton(province_codes=[19])
    assert again == {"province": 0, "commune": 0}
    bk = Node.objects.get(admin_unit_code="1843")
    assert bk.name == "Hội Khuyến học phường Bắc Kạn"
    assert bk.parent.admin_unit_name == "Thái Nguyên"
