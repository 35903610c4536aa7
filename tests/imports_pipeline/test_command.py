"""`khuyenhoc import members FILE --unit CODE`: same checks, messages and exit status."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from khuyenhoc.members.models import Member

from .sheets import member_rows, sheet

pytestmark = pytest.mark.django_db


def _write(tmp_path, data, name="hoi-vien.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_good_file_is_imported_and_summarised(world, tmp_path, capsys):
    call_command("import", "members", _write(tmp_path, sheet("TP-A-01")), unit="tp-a", user="admin_a")
    out = capsys.readouterr().out
    assert "Đã nhập vào Hội Khuyến học phường An Bình. 4 dòng: 4 mới, 0 thay đổi, 0 không đổi." in out
    assert Member.objects.count() == 4


def test_a_dry_run_checks_and_writes_nothing(world, tmp_path, capsys):
    call_command("import", "members", _write(tmp_path, sheet("TP-A-01")), unit="TP-A", dry_run=True)
    assert "không ghi gì (--dry-run)" in capsys.readouterr().out
    assert not Member.objects.exists()


def test_errors_go_to_stderr_with_sheet_row_and_column_and_the_command_fails(world, tmp_path, capsys):
    rows = member_rows("TP-A-01")
    rows[1][4] = "31/02/1960"
    rows[2][0] = "XX"
    with pytest.raises(CommandError, match="Có 2 lỗi ở 2 trên 4 dòng. Không dòng nào được ghi."):
        call_command("import", "members", _write(tmp_path, sheet("TP-A-01", rows=rows)), unit="TP-A")
    err = capsys.readouterr().err
    assert "Trang 'Hội viên', dòng 3, cột Ngày sinh: '31/02/1960' không phải ngày hợp lệ" in err
    assert "Trang 'Hội viên', dòng 4, cột Mã chi hội: 'XX' không phải chi hội" in err
    assert not Member.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_fails_with_the_reason(world, tmp_path):
    with pytest.raises(CommandError, match="không phải bảng tính"):
        call_command("import", "members", _write(tmp_path, b"%PDF-1.4\n"), unit="TP-A")


def test_unknown_unit_kind_and_file_are_named(world, tmp_path):
    with pytest.raises(CommandError, match="Không có đơn vị nào mã 'NOPE'"):
        call_command("import", "members", _write(tmp_path, sheet("TP-A-01")), unit="NOPE")
    with pytest.raises(CommandError, match="Không có loại dữ liệu 'cats'"):
        call_command("import", "cats", _write(tmp_path, sheet("TP-A-01")), unit="TP-A")
    with pytest.raises(CommandError, match="Không đọc được"):
        call_command("import", "members", str(tmp_path / "missing.xlsx"), unit="TP-A")


def test_the_khuyenhoc_console_script_exits_non_zero_on_errors(tmp_path):
    # A real process: exit status and stderr as a shell script would see them. The
    # database has no unit yet, so the command stops at the unit with status 1.
    path = _write(tmp_path, sheet("TP-A-01"))
    env_db = tmp_path / "cli.sqlite3"
    env = {"SQLITE_PATH": str(env_db), "DJANGO_SETTINGS_MODULE": "khuyenhoc.config.settings.test", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", "from khuyenhoc.cli import main; import sys; sys.argv=['khuyenhoc','migrate','-v0']; main()"], env=env, check=True)  # noqa: S603
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from khuyenhoc.cli import main; import sys; sys.argv=['khuyenhoc','import','members',sys.argv[1],'--unit','TP-A']; main()", path],
        env=env, capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert "Không có đơn vị nào mã 'TP-A'" in done.stderr
