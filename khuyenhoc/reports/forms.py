"""Forms of the reports pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khuyenhoc.core.forms import DateInput

from .models import Indicator


class ReportOptionsForm(forms.Form):
    """What the secretariat may set before downloading the report."""

    number = forms.CharField(label=_("Document number"), max_length=20, required=False, help_text=_("e.g. 12 (printed as Số: 12/BC-HKH)"))
    on = forms.DateField(label=_("Date of the report"), required=False, widget=DateInput())


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the figures; freeze them for this year."), required=True
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=Indicator.choices)
    value = forms.DecimalField(label=_("Target"), min_value=0, max_digits=16, decimal_places=1)
    node = forms.TypedChoiceField(label=_("For"), coerce=int, required=False, empty_value=None)
    above = forms.BooleanField(label=_("More than (>)"), required=False)

    def __init__(self, *args, node_choices: list[tuple[int | str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [("", _("The whole association")), *node_choices]
