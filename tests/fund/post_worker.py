"""A separate process that approves (posts) the vouchers it is given, for the concurrency test.

    python -m tests.fund.post_worker APPROVER_ID GO_FILE VOUCHER_ID...

It waits until GO_FILE exists so that all workers start posting at the same moment,
then prints "posted refused" counts.
"""

from __future__ import annotations

import os
import sys
import time


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyenhoc.config.settings.test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from khuyenhoc.fund.models import Voucher
    from khuyenhoc.fund.services import voucher_approve

    approver = get_user_model().objects.get(pk=int(argv[0]))
    go_file = argv[1]
    ids = [int(a) for a in argv[2:]]
    deadline = time.monotonic() + 60
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.005)
    posted = refused = 0
    for pk in ids:
        try:
            voucher_approve(actor=approver, voucher=Voucher(pk=pk))
            posted += 1
        except ValidationError:
            refused += 1
    print(posted, refused)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
