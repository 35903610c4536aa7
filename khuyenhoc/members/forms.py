"""Forms of the member register. Rules live in the services; forms only collect values."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyenhoc.core.forms import DateInput
from khuyenhoc.organizations.models import Node, NodeStatus

from . import selectors
from .ethnicities import CHOICES as ETHNICITY_CHOICES
from .models import Gender, MemberKind, MemberStatus
from .services import MEMBER_NODE_KINDS


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.code})"


class MemberForm(forms.Form):
    node = UnitChoiceField(label=_("Chapter"), queryset=None)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    kind = forms.ChoiceField(label=pgettext_lazy("member", "Kind"), choices=MemberKind.choices, initial=MemberKind.INDIVIDUAL)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900, max_value=2100)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=[("", "—"), *ETHNICITY_CHOICES], required=False)
    citizen_id = forms.CharField(label=_("Citizen ID (CCCD)"), max_length=20, required=False, help_text=_("12 digits."))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address (village, residential group)"), max_length=200, required=False)
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput)
    confirm_not_duplicate = forms.BooleanField(
        label=_("This is a different person with the same name and year of birth"), required=False
    )

    def __init__(self, *args, units=None, fixed_unit=None, show_confirm=False, personal=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = units
        if fixed_unit is not None:
            self.fields["node"].initial = fixed_unit.pk
            self.fields["node"].widget = forms.HiddenInput()
        if not show_confirm:
            del self.fields["confirm_not_duplicate"]
        if not personal:
            # Someone who may not see CCCD and phone does not edit them either.
            del self.fields["citizen_id"]
            del self.fields["phone"]
        self.fields["joined_on"].initial = self.fields["joined_on"].initial or timezone.localdate()


class MemberEditForm(MemberForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["node"]


class LeaveForm(forms.Form):
    on = forms.DateField(label=_("Left on"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class RejoinForm(forms.Form):
    on = forms.DateField(label=_("Rejoined on"), widget=DateInput, initial=timezone.localdate)


class TransferForm(forms.Form):
    to_node = UnitChoiceField(label=_("To chapter"), queryset=None)
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_node"].queryset = units


class DuesForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    amount = forms.IntegerField(label=_("Amount (đồng)"), min_value=1)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput, initial=timezone.localdate)
    receipt_ref = forms.CharField(label=_("Receipt number"), max_length=40, required=False)


class BulkDuesForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    amount = forms.IntegerField(label=_("Amount (đồng)"), min_value=1)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput, initial=timezone.localdate)
    members = forms.TypedMultipleChoiceField(coerce=int, choices=(), widget=forms.MultipleHiddenInput)

    def __init__(self, *args, member_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(pk, pk) for pk in member_ids]


PAID_CHOICES = [("", _("All")), ("1", pgettext_lazy("dues", "Paid")), ("0", pgettext_lazy("dues", "Not paid"))]
STATUS_CHOICES = [*MemberStatus.choices[:2], ("all", _("Active and left"))]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    chapter = UnitChoiceField(label=_("Chapter"), queryset=None, required=False, empty_label=_("All chapters"))
    kind = forms.ChoiceField(label=pgettext_lazy("member", "Kind"), choices=[("", _("All kinds")), *MemberKind.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", _("All")), *Gender.choices], required=False)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=[("", _("All")), *ETHNICITY_CHOICES], required=False)
    year = forms.IntegerField(label=_("Dues year"), required=False, min_value=1990, max_value=2100)
    paid = forms.ChoiceField(label=_("Dues"), choices=PAID_CHOICES, required=False)
    joined = forms.IntegerField(label=_("Joined in"), required=False, min_value=1900, max_value=2100)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = units


def units_of(node: Node):
    """Units of `node`'s subtree that hold members (for filters and forms)."""
    return Node.objects.filter(path__startswith=node.path, kind__in=MEMBER_NODE_KINDS, status=NodeStatus.ACTIVE).order_by("path")


def filter_from(form: FilterForm) -> tuple[selectors.MemberFilter, int]:
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or MemberStatus.ACTIVE
    year = data.get("year") or timezone.localdate().year
    paid = {"1": True, "0": False}.get(data.get("paid") or "")
    return (
        selectors.MemberFilter(
            q=data.get("q") or "",
            kind=data.get("kind") or "",
            status="" if status == "all" else status,
            chapter=data.get("chapter"),
            gender=data.get("gender") or "",
            ethnicity=data.get("ethnicity") or "",
            dues_year=year,
            paid=paid,
            joined_year=data.get("joined"),
        ),
        year,
    )
