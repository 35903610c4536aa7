"""The Django admin may look at funds but never change what is posted or published."""

from django.contrib import admin

from .models import Disclosure, Fund, FundAccount, LedgerEntry, Voucher


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ("name", "node", "kind", "status", "opened_on")
    search_fields = ("name", "node__name")
    readonly_fields = ("node", "opened_on")

    def has_add_permission(self, request):
        return False  # funds are created through the fund pages, with their opening balances

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FundAccount)
class FundAccountAdmin(ReadOnlyAdmin):
    list_display = ("name", "fund", "kind", "bank_name", "account_number")


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    """Vouchers are drafted, approved and reversed through the fund pages only."""

    list_display = ("code", "fund", "kind", "status", "date", "amount", "party_name")
    list_filter = ("kind", "status")
    search_fields = ("party_name", "reason")



@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("fund", "seq", "date", "amount", "kind", "voucher_code")
    list_filter = ("kind",)


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ("title", "node", "period_start", "period_end", "published_at")
