"""Template context shared by every page."""

from django.apps import apps


def area_tabs(request):
    """Tabs that apps add to a node's pages: `node_tabs = [(url_name, label)]` on AppConfig.

    Each url_name takes the node id as its only argument.
    """
    tabs = []
    for config in apps.get_app_configs():
        tabs.extend(getattr(config, "node_tabs", []))
    return {"area_tabs": tabs}
