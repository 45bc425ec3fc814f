"""The support page: supportive care (soins oncologiques de support) and social or work support
(accompagnement social et socioprofessionnel) of the plan, and the services that help.

Items keep the anchors the calendar links to (`support-<n>`, numbered over the whole support section).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.plain.views.common import Lang, doc_lang
from portal.plain.views.contacts import ContactCard, contacts_view
from portal.plain.views.items import ItemView, item_view, sort_key
from portal.pps.model import CarePlan, ItemKind

__all__ = ["SupportView", "support_view"]


@dataclass(frozen=True, slots=True)
class SupportView:
    """Supportive care items, social support items, and the support services among the plan's contacts."""

    care: tuple[ItemView, ...]
    social: tuple[ItemView, ...]
    helpers: tuple[ContactCard, ...]


def support_view(plan: CarePlan, lang: Lang, today: dt.date) -> SupportView:
    document_lang = doc_lang(plan)
    indexed = sorted(enumerate(plan.support, start=1), key=lambda pair: sort_key(pair[1]))
    views = [(item.kind, item_view(item, i, lang, document_lang, today, "support")) for i, item in indexed]
    helpers = tuple(c for group in contacts_view(plan, lang).groups if group.key == "support" for c in group.contacts)
    return SupportView(
        tuple(v for kind, v in views if kind != ItemKind.SOCIAL_SUPPORT),
        tuple(v for kind, v in views if kind == ItemKind.SOCIAL_SUPPORT),
        helpers,
    )
