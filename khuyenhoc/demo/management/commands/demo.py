from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from khuyenhoc.demo import figures
from khuyenhoc.demo.generate import build_demo


class Command(BaseCommand):
    help = "Load the demo association (Bắc Kạn city, 2022). Deterministic."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete every record first (demo databases only).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the demo is already loaded.")

    def handle(self, *args, **opts):
        from khuyenhoc.organizations.models import Node

        if Node.objects.filter(code="BK").exists():
            if opts["if_empty"]:
                self.stdout.write("Dữ liệu mẫu đã có sẵn.")
                self._print_login()
                return
            if not opts["reset"]:
                raise CommandError("Dữ liệu mẫu đã có (mã BK). Dùng --reset để tạo lại.")
            self._wipe()
        ctx = build_demo()
        for line in ctx.log:
            self.stdout.write(line)
        self._print_login()

    def _print_login(self):
        self.stdout.write(self.style.SUCCESS(
            f"Đăng nhập thử / demo login: admin / {figures.DEMO_PASSWORD} "
            "(cũng có: thuky, thuquy, chutich, ducxuan, chihoi — cùng mật khẩu)"
        ))

    @transaction.atomic
    def _wipe(self):
        from django.apps import apps
        from django.db import connection

        # Delete in reverse dependency order by flushing every project table.
        tables = [m._meta.db_table for m in apps.get_models() if m._meta.app_label not in ("contenttypes", "auth", "sessions", "admin")]
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " RESTART IDENTITY CASCADE")
            else:
                cur.execute("PRAGMA foreign_keys=OFF")
                for t in tables:
                    cur.execute(f"DELETE FROM {connection.ops.quote_name(t)}")  # noqa: S608 - table names from the app registry
                cur.execute("PRAGMA foreign_keys=ON")
