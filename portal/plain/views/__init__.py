"""View models of the plan pages: the last part of the `plain` step, between the care-plan model and templates.

Each module turns a `CarePlan` into what one page shows, in the page's language: plain names, formatted dates,
the document's own words marked with their language. Plain Python (Babel for dates, MarkupSafe for the glossary
links): no Flask, so the web pages and `portal pps preview` render the very same thing.
"""

from portal.plain.views.calendar import CalendarView, calendar_view
from portal.plain.views.common import DocText, When
from portal.plain.views.contacts import ContactCard, ContactsView, contacts_view
from portal.plain.views.glossary import GlossaryPage, glossary_page
from portal.plain.views.illness import IllnessView, illness_view
from portal.plain.views.items import ItemPhase, ItemView, item_view
from portal.plain.views.linking import Linker
from portal.plain.views.overview import OverviewView, overview_view
from portal.plain.views.support import SupportView, support_view
from portal.plain.views.treatments import TreatmentsView, treatments_view

__all__ = [
    "CalendarView",
    "ContactCard",
    "ContactsView",
    "DocText",
    "GlossaryPage",
    "IllnessView",
    "ItemPhase",
    "ItemView",
    "Linker",
    "OverviewView",
    "SupportView",
    "TreatmentsView",
    "When",
    "calendar_view",
    "contacts_view",
    "glossary_page",
    "illness_view",
    "item_view",
    "overview_view",
    "support_view",
    "treatments_view",
]
