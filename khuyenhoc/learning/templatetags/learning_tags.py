"""Small template filters of the learning pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def pct(part, whole):
    """"97,5%" — a share with one decimal and a Vietnamese decimal comma; "—" without a whole."""
    try:
        if not whole:
            return "—"
        value = f"{100 * float(part) / float(whole):.1f}".rstrip("0").rstrip(".")
    except (TypeError, ValueError):
        return "—"
    return value.replace(".", ",") + "%"


@register.filter
def share(value):
    """A stored share (0.85) as "85%"."""
    if value is None:
        return "—"
    return pct(value, 1)


@register.filter
def get_field(form, name):
    return form[name]


@register.filter
def get_input(form, name):
    return form[f"input_{name}"]
