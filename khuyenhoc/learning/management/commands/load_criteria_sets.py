"""Store shipped criteria sets that the database does not have yet (by code and version)."""

from django.core.management.base import BaseCommand

from khuyenhoc.learning.services import load_builtin


class Command(BaseCommand):
    help = "Lưu các bộ tiêu chí kèm phần mềm còn thiếu trong cơ sở dữ liệu."

    def handle(self, *args, **options):
        created = load_builtin(actor=None)
        for row in created:
            self.stdout.write(f"+ {row.code} v{row.version}")
        self.stdout.write(f"Đã thêm {len(created)} bộ tiêu chí.")
