"""An edit form saved unchanged saves: every value the form shows (dates included) comes back as
the browser would send it. Dates rendered as 2026/11/30 were rejected by the date input, so saving
an unchanged posting failed with “这个字段是必填项”."""

import datetime as dt
from html.parser import HTMLParser

import pytest

from tests.employment import factories

pytestmark = pytest.mark.django_db

TOWN_A = "360222100"


class FormValues(HTMLParser):
    """What a browser submits for each POST form on the page (`forms`, in page order)."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.values: list[tuple[str, str]] = []
        self.in_form = self.done = False
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.in_form, self.values = True, []
        if not self.in_form:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.values.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self.select, self.select_first, self.select_chosen = a["name"], None, False
        elif tag == "option" and self.select is not None:
            if self.select_first is None:
                self.select_first = a.get("value", "")
            if "selected" in a and not self.select_chosen:
                self.values.append((self.select, a.get("value", "")))
                self.select_chosen = True
        elif tag == "textarea" and a.get("name"):
            self.textarea, self.text = a["name"], ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None:
            if not self.select_chosen and self.select_first is not None:
                self.values.append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.values.append((self.textarea, self.text.lstrip("\n")))
            self.textarea = None
        elif tag == "form" and self.in_form:
            self.in_form = False
            self.forms.append(self.values)


def resubmit(client, url: str):
    page = client.get(url)
    assert page.status_code == 200
    parser = FormValues()
    parser.feed(page.content.decode())
    data: dict[str, list[str]] = {}
    edit_form = max(parser.forms, key=len)  # the page's own form, not the language or logout form
    for name, value in edit_form:
        data.setdefault(name, []).append(value)
    return client.post(url, data)


def _posting():
    emp = factories.employer(TOWN_A)
    return factories.posting(emp, opens_on=dt.date(2018, 3, 1), closes_on=dt.date(2018, 6, 30))


@pytest.mark.parametrize("kind", ["posting", "employer", "household", "person"])
def test_edit_form_saved_unchanged_saves(kind, client, town_a_user, make_household):
    client.force_login(town_a_user)
    if kind == "posting":
        obj = _posting()
        url = f"/employment/postings/{obj.pk}/edit/"
    elif kind == "employer":
        obj = factories.employer(TOWN_A)
        url = f"/employment/employers/{obj.pk}/edit/"
    elif kind == "household":
        obj = make_household(TOWN_A, 2)
        url = f"/registry/households/{obj.pk}/edit/"
    else:
        obj = make_household(TOWN_A, 2).members.first()
        url = f"/registry/persons/{obj.pk}/edit/"
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    response = resubmit(client, url)
    body = response.content.decode() if response.status_code == 200 else ""
    assert response.status_code == 302, body[
        body.find("invalid-feedback") - 300 : body.find("invalid-feedback") + 300
    ]
    after = type(obj).objects.filter(pk=obj.pk).values().get()
    changed = {k for k in before if before[k] != after[k]} - {
        "version",
        "updated_at",
        "modified_at",
    }
    assert changed == set(), changed


def test_posting_dates_are_shown_as_the_date_input_reads_them(client, town_a_user):
    client.force_login(town_a_user)
    posting = _posting()
    html = client.get(f"/employment/postings/{posting.pk}/edit/").content.decode()
    assert 'value="2018-03-01"' in html and 'value="2018-06-30"' in html
    assert "2018/03/01" not in html
