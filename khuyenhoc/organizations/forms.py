from django import forms
from django.utils.translation import gettext_lazy as _

from khuyenhoc.core.forms import DateInput

from .admin_units import lookup
from .models import ChapterType, Node, NodeKind, Officer


class NodeCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=40)
    kind = forms.ChoiceField(label=_("Level"), choices=NodeKind.choices)
    chapter_type = forms.ChoiceField(label=_("Chapter type"), choices=ChapterType.choices, required=False)
    admin_unit_code = forms.CharField(
        label=_("Administrative unit code"),
        required=False,
        help_text=_("Official code of the province or commune, e.g. 19 or 1843."),
    )

    def __init__(self, *args, parent: Node, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import ALLOWED_CHILDREN

        allowed = ALLOWED_CHILDREN[parent.kind]
        self.fields["kind"].choices = [c for c in NodeKind.choices if c[0] in allowed]

    def clean_admin_unit_code(self):
        code = self.cleaned_data["admin_unit_code"].strip()
        if code and lookup(code) is None:
            raise forms.ValidationError(_("No administrative unit has the code %(code)s.") % {"code": code})
        return code

    def clean(self):
        data = super().clean()
        if data.get("kind") in (NodeKind.CHAPTER, NodeKind.BOARD) and not data.get("chapter_type"):
            self.add_error("chapter_type", _("Choose the chapter type."))
        return data


class NodeEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=40)
    chapter_type = forms.ChoiceField(label=_("Chapter type"), choices=ChapterType.choices, required=False)
    admin_unit_code = forms.CharField(label=_("Administrative unit code"), required=False)
    place_name = forms.CharField(label=_("Place name on documents"), required=False, max_length=100)
    effective = forms.DateField(label=_("Effective date of a new name"), required=False, widget=DateInput)

    def clean_admin_unit_code(self):
        code = self.cleaned_data["admin_unit_code"].strip()
        if code and lookup(code) is None:
            raise forms.ValidationError(_("No administrative unit has the code %(code)s.") % {"code": code})
        return code


class NodeMoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("New parent unit"), queryset=Node.objects.none())
    effective = forms.DateField(label=_("Effective date"), widget=DateInput)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = candidates


class NodeCloseForm(forms.Form):
    on = forms.DateField(label=_("Closing date"), widget=DateInput)


class NodeMergeForm(forms.Form):
    sources = forms.ModelMultipleChoiceField(
        label=_("Units to merge into this one"), queryset=Node.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    effective = forms.DateField(label=_("Effective date"), widget=DateInput)
    decision = forms.CharField(label=_("Decision"), required=False, max_length=120)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].queryset = candidates


class OfficerForm(forms.ModelForm):
    class Meta:
        model = Officer
        fields = ["full_name", "title", "body", "term_label", "term_start", "term_end", "phone"]
        widgets = {"term_start": DateInput, "term_end": DateInput}
