from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class UserGrantForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=120, required=False)
    password = forms.CharField(
        label=_("Password (new users only)"), widget=forms.PasswordInput, required=False, strip=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
