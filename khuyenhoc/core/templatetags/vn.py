"""Vietnamese formats in templates: 11.089, 768.000.000 đ, 05/01/2023.

Imports are inside the filters so the library loads during checks and migrations."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def vnnum(value):
    if value in (None, ""):
        return ""
    from khuyenhoc.core.money import format_number

    try:
        return format_number(int(value))
    except (TypeError, ValueError):
        return value


@register.filter
def vnd(value):
    if value in (None, ""):
        return ""
    from khuyenhoc.core.money import format_vnd

    return format_vnd(int(value))


@register.filter
def vndate(value):
    from khuyenhoc.core.dates import format_date

    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_date(value)


@register.filter
def vndatetime(value):
    from khuyenhoc.core.dates import format_date

    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_date(local.date())} {local:%H:%M}"
