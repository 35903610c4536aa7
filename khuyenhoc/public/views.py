"""Pages without login. They never show personal data."""

from django.shortcuts import render

from khuyenhoc.organizations.models import Node, NodeKind


def home(request):
    associations = Node.objects.filter(
        kind__in=[NodeKind.NATIONAL, NodeKind.PROVINCE, NodeKind.DISTRICT], status="active"
    ).order_by("path")[:50]
    return render(request, "public/home.html", {"associations": associations, "public_links": public_links()})


def public_links() -> list[tuple[str, str]]:
    """Links that apps declare on their AppConfig (`public_links`) for the public home page."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    links = []
    for config in apps.get_app_configs():
        for url_name, label in getattr(config, "public_links", []):
            try:
                links.append((reverse(url_name), str(label)))
            except NoReverseMatch:
                continue
    return links
