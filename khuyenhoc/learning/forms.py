"""Forms of the learning area. Rules live in the services; forms only shape input."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyenhoc.core.forms import DateInput

from .criteria import CriteriaSet as EngineSet
from .models import (
    Audience,
    CriteriaSetVersion,
    DecidingBody,
    Gender,
    Relation,
    Schooling,
    Title,
    UnitKind,
)

YEAR_MIN, YEAR_MAX = 2000, 2100


def this_year() -> int:
    return timezone.localdate().year


class HouseholdForm(forms.Form):
    code = forms.CharField(label=_("Household code"), max_length=40, required=False,
                           help_text=_("Leave empty to number it automatically."))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    since_year = forms.IntegerField(label=_("Recorded since (year)"), min_value=1990, max_value=YEAR_MAX)


class MemberForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=YEAR_MAX)
    # Blank first choices: an untouched extra row must post nothing, or it would count as filled in.
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices])
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=[("", "—"), *Relation.choices])
    schooling = forms.ChoiceField(label=_("Schooling"), choices=Schooling.choices, required=False)
    literate = forms.BooleanField(label=_("Can read and write"), required=False, initial=True)
    studies_topic = forms.BooleanField(label=_("Studied a topic this year"), required=False)


MemberFormSet = forms.formset_factory(MemberForm, extra=2, can_delete=True)


def _points_field(item, initial=None) -> forms.IntegerField:
    label = f"{item.code} — {item.name}"
    help_text = _("at most %(max)s points") % {"max": item.max_points}
    if item.mandatory:
        help_text = _("mandatory, at least %(min)s of %(max)s points") % {
            "min": item.min_points_if_mandatory, "max": item.max_points}
    # The range is checked by the scoring engine, whose message names the item;
    # the browser gets min/max to help on a phone.
    return forms.IntegerField(
        label=label, help_text=help_text, initial=initial, required=True,
        widget=forms.NumberInput(attrs={"min": 0, "max": item.max_points, "inputmode": "numeric"}),
    )


class AssessForm(forms.Form):
    """Points per item of a criteria set, and the figures the set reads, as percentages."""

    def __init__(self, *args, cset: EngineSet, answers: dict | None = None, inputs: dict | None = None,
                 computed: dict | None = None, with_comment: bool = False, comment_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.cset = cset
        answers = answers or {}
        self.groups = []
        for crit in cset.criteria:
            names = []
            for item in crit.items:
                if item.from_input:
                    continue
                name = f"item_{item.code}"
                self.fields[name] = _points_field(item, answers.get(item.code))
                names.append(name)
            self.groups.append((crit, names))
        self.input_names = sorted({q.input for q in cset.prerequisites} | {it.from_input for it in cset.items if it.from_input})
        for key in self.input_names:
            declared = (inputs or {}).get(key)
            shown = (computed or {}).get(key)
            help_text = _("Computed from the records: %(value)s%%. Fill in only to declare another figure.") % {
                "value": round(shown * 100, 1)} if shown is not None else _("Not computable from the records: declare it.")
            self.fields[f"input_{key}"] = forms.DecimalField(
                label=_("Share (%%): %(name)s") % {"name": key}, required=False, min_value=0, max_value=100,
                decimal_places=1, help_text=help_text,
                initial=round(declared * 100, 1) if declared is not None else None,
            )
        if with_comment:
            self.fields["comment"] = forms.CharField(
                label=_("Comment"), required=comment_required, widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Required when points change."),
            )

    def answers(self) -> dict[str, int]:
        return {name.removeprefix("item_"): value for name, value in self.cleaned_data.items()
                if name.startswith("item_") and value is not None}

    def inputs(self) -> dict[str, float]:
        out = {}
        for key in self.input_names:
            value = self.cleaned_data.get(f"input_{key}")
            if value is not None:
                out[key] = float(value) / 100
        return out


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RegisterForm(forms.Form):
    title = forms.ChoiceField(label=pgettext_lazy("learning title", "Title"), choices=Title.choices)
    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    criteria_set = forms.ModelChoiceField(
        label=_("Criteria set"), queryset=CriteriaSetVersion.objects.none(), required=False,
        help_text=_("Leave empty to use the set in force for this unit."),
    )

    def __init__(self, *args, sets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sets is not None:
            self.fields["criteria_set"].queryset = sets


class RecogniseForm(forms.Form):
    body = forms.ChoiceField(label=_("Deciding body"), choices=DecidingBody.choices)
    body_name = forms.CharField(label=_("Name of the deciding body"), max_length=200,
                                help_text=_("e.g. Ủy ban nhân dân phường Đức Xuân"))
    number = forms.CharField(label=_("Decision number"), max_length=60, required=False,
                             help_text=_("e.g. 125/QĐ-UBND"))
    decided_on = forms.DateField(label=_("Decision date"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ClanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("e.g. Dòng họ Hoàng chi 2 thôn Nà Pài"))
    surname = forms.CharField(label=_("Surname"), max_length=40)
    representative = forms.CharField(label=_("Representative"), max_length=120, required=False)
    since_year = forms.IntegerField(label=_("Recorded since (year)"), min_value=1990, max_value=YEAR_MAX)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    staff_count = forms.IntegerField(label=_("Staff"), min_value=0)
    since_year = forms.IntegerField(label=_("Recorded since (year)"), min_value=1990, max_value=YEAR_MAX)


class StaffForm(forms.Form):
    staff_count = forms.IntegerField(label=_("Staff"), min_value=0)


class CitizenForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=YEAR_MAX)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    audience = forms.ChoiceField(label=_("Group of people"), choices=Audience.choices)
    since_year = forms.IntegerField(label=_("Recorded since (year)"), min_value=1990, max_value=YEAR_MAX)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file"), help_text=_("The sheet made from the template (.xlsx, .xls, .ods or .csv)."))


class ScoresUploadForm(UploadForm):
    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)


class CriteriaTextForm(forms.Form):
    toml = forms.CharField(
        label=_("Criteria file"), widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "mono"}),
        help_text=_("The set written as a TOML file; errors name the line."),
    )


class CriteriaNewForm(CriteriaTextForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["toml"].required = False
        self.fields["file"] = forms.FileField(label=_("or upload the file"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:
                data["toml"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("The file must be UTF-8 text."))
        if not data.get("toml"):
            self.add_error("toml", _("Paste the criteria file or upload it."))
        return data


class CriteriaCopyForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    code = forms.SlugField(label=_("Code of the new set"), max_length=80,
                           help_text=_("Lower-case letters, digits and _, e.g. family_bac_kan_2024."))
    name = forms.CharField(label=_("Name"), max_length=300, required=False)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class SetHeaderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    issuer = forms.CharField(label=_("Issuer"), max_length=200)
    official = forms.BooleanField(label=_("Follows an issued document"), required=False)
    is_sample = forms.BooleanField(label=_("Sample (to be replaced)"), required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput, required=False)
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput, required=False)
    pass_min_total = forms.IntegerField(label=_("Pass mark (total at least)"), min_value=0)
    min_per_item = forms.IntegerField(label=_("No item below (points)"), min_value=0, required=False)
    pass_confirmed = forms.BooleanField(label=_("Pass mark checked against the document"), required=False)


class ItemRowForm(forms.Form):
    criterion = forms.CharField(label=_("Criterion"), max_length=20)
    criterion_name = forms.CharField(label=_("Criterion name"), max_length=300)
    code = forms.CharField(label=_("Item code"), max_length=20)
    name = forms.CharField(label=_("Item"), max_length=500)
    max_points = forms.IntegerField(label=_("Max points"))
    mandatory = forms.BooleanField(label=_("Mandatory"), required=False)
    min_if_mandatory = forms.IntegerField(label=_("Minimum if mandatory"), required=False)


class GradeRowForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    label = forms.CharField(label=_("Grade"), max_length=80)
    min_points = forms.IntegerField(label=_("From"))
    max_points = forms.IntegerField(label=_("To"))


ItemFormSet = forms.formset_factory(ItemRowForm, extra=2, can_delete=True)
GradeFormSet = forms.formset_factory(GradeRowForm, extra=1, can_delete=True)


class PublicCitizenForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=YEAR_MAX)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
