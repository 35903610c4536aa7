"""Readable names of the figure keys, their order on pages and which ones are money."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# With a context: the same English words name other things in other areas' catalogues.
GROUP_LABELS = {
    "org": pgettext_lazy("figure group", "Organisation"),
    "members": pgettext_lazy("figure group", "Members"),
    "learning": pgettext_lazy("figure group", "Learning models"),
    "fund": pgettext_lazy("figure group", "Study-promotion fund"),
    "awards": pgettext_lazy("figure group", "Awards and certificates"),
    "clc": pgettext_lazy("figure group", "Community learning centres"),
}

TITLE_LABELS = {
    "family": _("Learning families"),
    "clan": _("Learning clans"),
    "community": _("Learning communities (villages, residential groups)"),
    "unit": _("Learning units"),
    "citizen": _("Learning citizens"),
}

FIGURE_LABELS: dict[str, dict[str, object]] = {
    "org": {
        "districts": _("District associations"),
        "communes": _("Commune/ward associations"),
        "chapters_and_boards": _("Chapters and study boards"),
        "chapters": _("Chapters"),
        "boards": _("Study boards"),
        "type_village": _("in villages"),
        "type_residential": _("in residential groups"),
        "type_agency": _("in agencies"),
        "type_school": _("in schools"),
        "type_firm": _("in firms"),
        "type_clan": _("in clans"),
        "subchapters": _("Sub-chapters"),
    },
    "members": {
        "total": _("Members"),
        "individual": _("Individual members"),
        "collective": _("Collective members"),
        "honorary": _("Honorary members"),
        "male": _("Men"),
        "female": _("Women"),
        "joined": _("Joined in the year"),
        "left": _("Left in the year"),
    },
    "fund": {
        "receipts": _("Raised"),
        "payments": _("Spent"),
        "balance": _("Balance at the year's end"),
        "receipts_person": _("from people"),
        "receipts_family": _("from families"),
        "receipts_firm": _("from firms"),
        "receipts_organisation": _("from organisations"),
        "receipts_association": _("from other associations' funds"),
        "receipts_bank": _("bank interest"),
        "receipts_anonymous": _("anonymous"),
        "receipts_other": _("other receipts"),
        "payments_award": _("awards and scholarships"),
        "payments_support": _("support to pupils and students"),
        "payments_activity": _("activity costs"),
        "payments_transfer": _("transfers to other associations"),
        "payments_other": _("other payments"),
    },
    "awards": {
        "awards": _("Awards given"),
        "amount": _("Award amount"),
        "certificates": _("Certificates of merit"),
        "certificates_collective": _("to collectives"),
        "certificates_individual": _("to individuals"),
        "certificates_clan": _("to learning clans"),
        "certificates_family": _("to learning families"),
    },
    "clc": {
        "centres": _("Community learning centres"),
        "classes": _("Classes"),
        "learners": _("Learners"),
    },
}

STAGE_LABELS = {
    "total": _("total"),
    "registered": _("registered"),
    "recognised": _("recognised"),
}

AGE_BANDS = ("under_30", "30_44", "45_59", "60_74", "75_plus")
AGE_BAND_LABELS = {
    "under_30": _("under 30"),
    "30_44": _("30–44"),
    "45_59": _("45–59"),
    "60_74": _("60–74"),
    "75_plus": _("75 and over"),
}


def is_money(group: str, key: str) -> bool:
    return group == "fund" or (group == "awards" and (key == "amount" or key.endswith("_amount")))


def figure_label(group: str, key: str) -> str:
    label = FIGURE_LABELS.get(group, {}).get(key)
    if label is not None:
        return str(label)
    if group == "learning":
        title, _sep, stage = key.rpartition("_")
        if title in TITLE_LABELS and stage in STAGE_LABELS:
            return f"{TITLE_LABELS[title]}: {STAGE_LABELS[stage]}"
    if group == "members":
        if key.startswith("ethnicity_"):
            return str(_("ethnicity %(name)s") % {"name": key.removeprefix("ethnicity_")})
        if key.startswith("age_") and key.removeprefix("age_") in AGE_BAND_LABELS:
            return str(_("aged %(band)s") % {"band": AGE_BAND_LABELS[key.removeprefix("age_")]})
    if group == "awards" and key.startswith("programme_"):
        code, _sep, what = key.removeprefix("programme_").rpartition("_")
        return f"{code} ({what})"
    return key
