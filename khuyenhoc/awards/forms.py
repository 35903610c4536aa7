"""Forms of the awards pages. They only shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyenhoc.core.forms import DateInput
from khuyenhoc.core.money import format_number, parse_vnd

from .models import NomineeKind, Programme
from .uploads import MAX_EVIDENCE_BYTES


class MoneyField(forms.CharField):
    """An amount in đồng as people type it: "500.000", "500000", "500.000 đ"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_number(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return 0 if not self.required else None
        try:
            return parse_vnd(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


def rubric_to_text(rubric: list[dict]) -> str:
    return "\n".join(f"{item['label']} | {item['max']}" for item in rubric or [])


def text_to_rubric(text: str) -> list[dict]:
    out = []
    for i, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        label, sep, top = line.rpartition("|")
        if not sep:
            raise forms.ValidationError(_("Line %(n)s: write the criterion, a bar and its maximum, e.g. 'Kết quả học tập | 50'.") % {"n": i})
        try:
            value = int(top.strip())
        except ValueError as exc:
            raise forms.ValidationError(_("Line %(n)s: the maximum '%(top)s' is not a whole number.") % {"n": i, "top": top.strip()}) from exc
        out.append({"key": f"c{len(out) + 1}", "label": label.strip(), "max": value})
    return out


class ProgrammeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Criteria"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    nominee_kinds = forms.MultipleChoiceField(label=_("Who may be nominated"), choices=NomineeKind.choices, widget=forms.CheckboxSelectMultiple)
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=120, required=False)
    max_age = forms.IntegerField(label=_("Maximum age"), min_value=0, max_value=120, required=False)
    requires_poor_household = forms.BooleanField(label=_("Only pupils of poor or near-poor households"), required=False)
    requires_evidence = forms.BooleanField(label=_("Evidence required before forwarding"), required=False)
    requires_recognition = forms.BooleanField(label=_("Only from a learning-title recognition record"), required=False)
    rubric = forms.CharField(
        label=_("Scoring rubric"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One criterion a line: name | maximum points."),
    )
    pass_score = forms.IntegerField(label=_("Pass mark"), min_value=0, required=False)
    amount = MoneyField(label=_("Amount per award (đồng)"), required=False)
    gift = forms.CharField(label=_("Gift"), max_length=200, required=False)
    budget = MoneyField(label=_("Budget (đồng)"))
    deadline = forms.DateField(label=_("Nomination deadline"), widget=DateInput)
    certificate_text = forms.CharField(label=_("Text on the certificate"), max_length=300, required=False)

    def clean_rubric(self):
        return text_to_rubric(self.cleaned_data.get("rubric", ""))

    @staticmethod
    def initial_from(programme: Programme) -> dict:
        data = {f: getattr(programme, f) for f in (
            "year", "name", "description", "nominee_kinds", "min_age", "max_age", "requires_poor_household", "requires_evidence",
            "requires_recognition", "pass_score", "amount", "gift", "budget", "deadline", "certificate_text")}
        data["rubric"] = rubric_to_text(programme.rubric)
        return data


class QuotaForm(forms.Form):
    node = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    max_nominations = forms.IntegerField(label=_("Quota (empty to remove)"), min_value=0, required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class NominationForm(forms.Form):
    node = forms.ModelChoiceField(label=_("Proposed by"), queryset=None)
    nominee_kind = forms.ChoiceField(label=_("Nominee type"), choices=NomineeKind.choices)
    nominee_name = forms.CharField(label=_("Name of the nominee"), max_length=200)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=2100, required=False)
    class_name = forms.CharField(label=_("Class"), max_length=40, required=False)
    school = forms.CharField(label=_("School, workplace or organisation"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    poor_household = forms.BooleanField(label=_("Poor or near-poor household"), required=False)
    achievement = forms.CharField(label=_("Achievements"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.FileField(
        label=_("Evidence (photo or PDF)"),
        required=False,
        help_text=_("JPG, PNG or PDF up to %(mb)s MB, e.g. a school record or the commune's poor-household certificate.") % {"mb": MAX_EVIDENCE_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args, nodes, programme: Programme, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        kinds = set(programme.nominee_kinds)
        self.fields["nominee_kind"].choices = [c for c in NomineeKind.choices if c[0] in kinds]
        if editing:
            del self.fields["node"]
            del self.fields["evidence"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500, required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File (photo or PDF)"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class ScoreForm(forms.Form):
    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        for item in programme.rubric:
            self.fields[f"score_{item['key']}"] = forms.IntegerField(
                label=f"{item['label']} (0–{item['max']})", min_value=0, max_value=item["max"]
            )

    def scores(self) -> dict:
        return {k[len("score_") :]: v for k, v in self.cleaned_data.items() if k.startswith("score_")}


class ApproveRankedForm(forms.Form):
    count = forms.IntegerField(label=_("How many, from the top"), min_value=1, required=False,
                               help_text=_("Empty: as many as the budget allows, in rank order."))


class DecisionForm(forms.Form):
    programmes = forms.ModelMultipleChoiceField(label=_("Programmes"), queryset=None, widget=forms.CheckboxSelectMultiple)
    number = forms.IntegerField(label=_("Number"), min_value=1)
    symbol = forms.CharField(label=_("Symbol"), max_length=30)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    title = forms.CharField(label=_("Subject"), max_length=300)
    issuer_parent = forms.CharField(label=_("Supervising body"), max_length=200, required=False)
    issuer_name = forms.CharField(label=_("Issuing association"), max_length=200)
    issuing_body = forms.CharField(label=_("Deciding body"), max_length=200)
    legal_bases = forms.CharField(label=_("Legal bases"), widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=_("One per line."))
    recipients = forms.CharField(label=_("Recipients"), widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=_("One per line."))
    signer_title = forms.CharField(label=_("Signer's title"), widget=forms.Textarea(attrs={"rows": 2}), max_length=200)
    signer_name = forms.CharField(label=_("Signer"), max_length=120)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = programmes


class PayForm(forms.Form):
    account = forms.ChoiceField(label=_("Pay from"))
    date = forms.DateField(label=_("Payment date"), widget=DateInput)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {str(a.pk): a for a in accounts}
        self.fields["account"].choices = [(str(a.pk), f"{a.fund.name} — {a.name}") for a in accounts]

    def clean_account(self):
        return self.accounts[self.cleaned_data["account"]]


class CertificateTemplateForm(forms.Form):
    issuer_parent = forms.CharField(label=_("Supervising body"), max_length=200, required=False)
    issuer_name = forms.CharField(label=_("Association name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=60)
    conferring_body = forms.CharField(label=_("Conferring body"), max_length=200)
    signer_title = forms.CharField(label=_("Signer's title"), widget=forms.Textarea(attrs={"rows": 2}), max_length=200)
    signer_name = forms.CharField(label=_("Signer"), max_length=120)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    logo = forms.FileField(label=_("Logo (PNG or JPG)"), required=False)
    seal = forms.FileField(label=_("Seal or signature image (PNG or JPG)"), required=False)
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    remove_seal = forms.BooleanField(label=_("Remove the seal image"), required=False)


class DecisionTemplateForm(forms.Form):
    file = forms.FileField(label=_("Word template (.docx)"))


class CheckCodeForm(forms.Form):
    code = forms.CharField(label=_("Certificate code"), max_length=60)
