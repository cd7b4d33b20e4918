"""帮扶档案 (the person timeline): what every module did for one person, on the person page.

It reads everyone — the assistance plan and ledger, recommendations and placements, training,
loans — and nobody imports it (PERSON_PAGE_SECTIONS names it). The low-level ledger it shows
stays in `fupin.assistance`, which every module writes through `assistance.services.log`, so no
import arrow runs both ways.
"""
