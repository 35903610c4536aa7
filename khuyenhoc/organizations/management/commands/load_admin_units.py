from django.core.management.base import BaseCommand, CommandError

from khuyenhoc.organizations.admin_units import load_skeleton


class Command(BaseCommand):
    help = "Create the association skeleton (national, provinces, communes) from vietnam-provinces."

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, action="append", help="Province code (e.g. 19); repeatable. Default: all 34.")

    def handle(self, *args, **opts):
        try:
            created = load_skeleton(province_codes=opts["province"], stdout=self.stdout)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã tạo {created['province']} hội tỉnh, {created['commune']} hội xã/phường."))
