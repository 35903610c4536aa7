"""How the permission walk finds an object of commune A for each URL argument.

Every URL argument name in the project must be listed here; a new one makes the
walk fail until its factory is added, so every new page falls under the walk.
Each factory takes the test `world` and returns the id of an object that belongs
to commune A (or its chapter).
"""

from __future__ import annotations

from collections.abc import Callable

FACTORIES: dict[str, Callable] = {}


def factory(*names: str):
    def deco(fn):
        for name in names:
            FACTORIES[name] = fn
        return fn

    return deco


@factory("node_id")
def _node(world):
    return world.chapter_a.pk


@factory("officer_id")
def _officer(world):
    return world.officer_a.pk


@factory("grant_id")
def _grant(world):
    return world.viewer_a.grants.get().pk


# URLs whose argument is not an object of a node: (name, kwargs) answered without scope.
UNSCOPED_ARGS = {"path", "document_root", "app_label", "object_id", "content_type_id", "url", "uidb64", "token"}


@factory("job_id")
def _job(world):
    from khuyenhoc.core.jobs import job_attach_file
    from khuyenhoc.core.models import Job

    job = Job.objects.create(kind="test.noop", node=world.chapter_a, status="done")
    job_attach_file(job, name="a.txt", content=b"A")
    return job.pk
