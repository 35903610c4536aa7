"""The `khuyenhoc` command: Django's management commands under the project's name.

`khuyenhoc import members FILE --unit CODE` is `manage.py import members FILE --unit CODE`.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyenhoc.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["khuyenhoc", *sys.argv[1:]])
