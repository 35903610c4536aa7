"""Forms of the fund pages. Amounts are typed the Vietnamese way ("1.000.000") and read
with `parse_vnd`, which refuses decimals and ambiguous commas with a Vietnamese message."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khuyenhoc.core.forms import DateInput
from khuyenhoc.core.money import parse_vnd

from .models import (
    PAYMENT_PARTIES,
    RECEIPT_PARTIES,
    AccountKind,
    Disclosure,
    FundAccount,
    FundKind,
    PartyKind,
    Purpose,
    VoucherKind,
)


class AmountField(forms.CharField):
    """A money amount in đồng, typed as "1.000.000", "1000000" or "1.000.000 đ"."""

    def __init__(self, *args, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "placeholder": "1.000.000"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return 0 if self.allow_zero else None
        try:
            amount = parse_vnd(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount == 0 and not self.allow_zero:
            raise forms.ValidationError(_("The amount must be greater than 0 đồng."))
        return amount


def _today() -> dt.date:
    return timezone.localdate()


class FundForm(forms.Form):
    name = forms.CharField(label=_("Name of the fund"), max_length=200, initial=_("Study-promotion fund"))
    kind = forms.ChoiceField(label=_("Kind"), choices=FundKind.choices)
    opened_on = forms.DateField(label=_("Opening date"), widget=DateInput, help_text=_("The date of the opening balances."))
    cash_opening = AmountField(label=_("Opening cash balance (đồng)"), required=False, allow_zero=True)
    bank_name = forms.CharField(label=_("Bank"), required=False, max_length=120)
    account_number = forms.CharField(label=_("Bank account number"), required=False, max_length=40)
    bank_opening = AmountField(label=_("Opening bank balance (đồng)"), required=False, allow_zero=True)

    def clean(self):
        data = super().clean()
        if data.get("bank_opening") and not data.get("account_number"):
            self.add_error("account_number", _("Give the bank account number."))
        return data


class VoucherForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    account = forms.ModelChoiceField(label=_("Paid in or out through"), queryset=FundAccount.objects.none(), empty_label=None)
    amount = AmountField(label=_("Amount (đồng)"))
    party_kind = forms.ChoiceField(label=_("Payer type"))
    party_name = forms.CharField(label=_("Name of the payer"), required=False, max_length=200)
    party_address = forms.CharField(label=_("Address"), required=False, max_length=255)
    party_public = forms.BooleanField(label=_("The donor agrees to be named on the public disclosure"), required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=255)
    in_kind_description = forms.CharField(
        label=_("Gift in kind"), required=False, max_length=255, help_text=_("Only for gifts in kind, e.g. '20 bicycles'; the amount is their stated value.")
    )
    attachments = forms.IntegerField(label=_("Original documents attached"), min_value=0, max_value=999, initial=0, required=False)

    def __init__(self, *args, fund, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["account"].queryset = fund.accounts.all()
        self.fields["date"].initial = _today()
        if kind == VoucherKind.RECEIPT:
            self.fields["party_kind"].choices = [(k, PartyKind(k).label) for k in RECEIPT_PARTIES if k != PartyKind.ASSOCIATION]
            del self.fields["purpose"]
        else:
            self.fields["party_kind"].label = _("Payee type")
            self.fields["party_name"].label = _("Name of the payee")
            self.fields["party_kind"].choices = [(k, PartyKind(k).label) for k in PAYMENT_PARTIES if k != PartyKind.ASSOCIATION]
            self.fields["purpose"].choices = [(k, v) for k, v in Purpose.choices if k != Purpose.TRANSFER]
            self.fields["purpose"].required = True
            del self.fields["party_public"]

    def clean_attachments(self):
        return self.cleaned_data.get("attachments") or 0


class TransferForm(forms.Form):
    from_account = forms.ModelChoiceField(label=_("From"), queryset=FundAccount.objects.none(), empty_label=None)
    to_account = forms.ModelChoiceField(label=_("To the fund of"), queryset=FundAccount.objects.none())
    date = forms.DateField(label=_("Date"), widget=DateInput)
    amount = AmountField(label=_("Amount (đồng)"))
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, fund, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_account"].queryset = fund.accounts.exclude(kind=AccountKind.IN_KIND)
        self.fields["to_account"].queryset = targets
        self.fields["to_account"].label_from_instance = lambda a: f"{a.fund.node.name} — {a.fund.name} — {a.name}"
        self.fields["date"].initial = _today()


class ReverseForm(forms.Form):
    date = forms.DateField(label=_("Date of the reversing voucher"), widget=DateInput)
    reason = forms.CharField(label=_("What was wrong"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = _today()


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=255, required=False)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("To"), widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period cannot end before it starts."))
        return data


def period_from(request, *, default: str = "year", prefix: str = "") -> tuple[PeriodForm, dt.date, dt.date]:
    """Read ?start=&end= (ISO dates); default the current month or year."""
    today = _today()
    if default == "month":
        start = today.replace(day=1)
    else:
        start = today.replace(month=1, day=1)
    end = today
    form = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


class BookForm(PeriodForm):
    account = forms.ModelChoiceField(label=_("Account"), queryset=FundAccount.objects.none(), empty_label=None)
    field_order = ["account", "start", "end"]

    def __init__(self, *args, fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = fund.accounts.exclude(kind=AccountKind.IN_KIND)


class DisclosureForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DateInput)
    period_end = forms.DateField(label=_("To"), widget=DateInput)
    title = forms.CharField(label=_("Title"), required=False, max_length=255, help_text=_("Leave empty for the usual title."))
    corrects = forms.ModelChoiceField(label=_("Corrects the statement"), queryset=Disclosure.objects.none(), required=False)
    correction_note = forms.CharField(label=_("What this statement corrects"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].queryset = fund.disclosures.all()
        today = _today()
        self.fields["period_start"].initial = today.replace(month=1, day=1)
        self.fields["period_end"].initial = today


class BankImportForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Bank account"), queryset=FundAccount.objects.none(), empty_label=None)
    file = forms.FileField(label=_("Bank statement (XLSX or CSV)"))

    def __init__(self, *args, fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = fund.accounts.filter(kind=AccountKind.BANK)
