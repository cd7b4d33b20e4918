"""医疗费用一站式结算测算: one person's claims under one or two packs or categories.

A thin page over `fupin.policy.quote`: nothing is stored; the form is read, each scenario is
settled on the scalar path, and the split with its Chinese trail is shown side by side.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_POST

from fupin.insurance.categories import timelines
from fupin.policy import ClaimsError, PackError, list_packs, list_regions
from fupin.policy.claims import COLUMNS
from fupin.policy.params import CATEGORY_NAMES, LEVEL_NAMES, VISIT_TYPE_NAMES
from fupin.policy.precedence import precedence_of
from fupin.policy.quote import Quote, quote
from fupin.policy.scalar import Settlement
from fupin.registry.selectors import find_person

from .quote_export import quote_xlsx

# One claim row on the page: the claim file's columns less those the page sets itself, with the
# rehabilitation items' cost (康复项目费用); 转院接续 is a checkbox, read by `_transfers`.
ROW_FIELDS = (
    *(c for c in COLUMNS if c not in ("claim_id", "person_id", "category")),
    "rehab_cost",
)
# A row may carry the person's category on its admission date (人员类别, e.g. identified as poor
# mid-year); empty means the category chosen above the table (同上).
ROW_CATEGORY = "claim_category"
DEFAULT_ROWS = [
    {
        "visit_type": "inpatient",
        "hospital_level": "2",
        "admission_date": "2018-03-01",
        "total_cost": "50000",
        "in_policy_cost": "40000",
        "disease_code": "C34",
    },
    {
        "visit_type": "chronic_outpatient",
        "hospital_level": "1",
        "chronic_class": "I",
        "admission_date": "2018-05-10",
        "total_cost": "8000",
        "in_policy_cost": "7500",
    },
    {
        "visit_type": "inpatient",
        "hospital_level": "3",
        "admission_date": "2018-09-20",
        "total_cost": "120000",
        "in_policy_cost": "100000",
    },
]
MAX_ROWS = 50


@dataclass
class Scenario:
    title: str
    quote: Quote | None
    errors: list[str]
    bases: dict[str, str] = field(default_factory=dict)  # claim id → what its category rests on

    @property
    def lines(self) -> list[tuple[Settlement, str]]:
        """Each settlement with the basis of its category (identified from the registry)."""
        return [(x, self.bases.get(x.claim.claim_id, "")) for x in self.quote.settlements]


def _choices():
    packs = [p for p in list_packs() if p.medical is not None]
    classes: dict[str, str] = {}
    for pack in packs:
        if pack.medical.chronic:
            for code, name in pack.medical.chronic.classes.items():
                classes.setdefault(code, f"{code} {name}（{pack.region}）")
    return {
        "packs": packs,
        "regions": list_regions(),
        "categories": CATEGORY_NAMES,
        "visit_types": VISIT_TYPE_NAMES,
        "levels": LEVEL_NAMES,
        "classes": classes,
    }


def _transfers(values: list[str]) -> list[bool]:
    """The 转院接续 box of each row: every row sends a hidden "0" and, when ticked, a "1" after
    it (an unticked checkbox sends nothing, so the boxes alone cannot say which row is which)."""
    flags: list[bool] = []
    for value in values:
        if value == "1" and flags:
            flags[-1] = True
        else:
            flags.append(False)
    return flags


def _rows(post: QueryDict) -> list[dict[str, str]]:
    columns = {f: post.getlist(f) for f in ROW_FIELDS}
    count = min(max((len(v) for v in columns.values()), default=0), MAX_ROWS)
    categories = post.getlist(ROW_CATEGORY)
    transfers = _transfers(post.getlist("transfer"))
    rows = []
    for i in range(count):
        row = {f: (columns[f][i].strip() if i < len(columns[f]) else "") for f in ROW_FIELDS}
        row["category"] = categories[i].strip()[:20] if i < len(categories) else ""
        row["transfer"] = "1" if i < len(transfers) and transfers[i] else ""
        if any(row[f] for f in ("total_cost", "in_policy_cost", "admission_date")):
            rows.append(row)
    return rows


def _identify(
    request: HttpRequest, value: str, rows: list[dict[str, str]], precedence: tuple[str, ...]
) -> tuple[list, list[str]]:
    """Each row's category on its admission date for the registry person named in the form
    (人员编号 or 18-digit ID number, inside the user's area): (category, basis) or None per row
    (a row whose date cannot be read is left to the validator), and faults."""
    person = find_person(request.user, value)
    if person is None:
        return [], [f"找不到登记人员 {value[:40]}（按本辖区的人员编号或 18 位身份证号查找）"]
    own = [i + 1 for i, row in enumerate(rows) if row.get("category")]
    if own:
        rows_text = "、".join(str(i) for i in own)
        return [], [
            f"已填登记人员：人员类别由登记按入院日期确定，第 {rows_text} 行不能另选人员类别"
        ]
    line = timelines([person], precedence)[person.pk]
    found = []
    for row in rows:
        try:
            day = date.fromisoformat(row.get("admission_date", ""))
        except ValueError:
            found.append(None)
            continue
        on = line.on(day)
        found.append((on.category, on.basis))
    return found, []


def _scenario(
    policy: str, category: str, rows: list[dict[str, str]], identified: list | None = None
) -> Scenario:
    title = f"{policy} · {CATEGORY_NAMES.get(category, category)}"
    if not rows:
        return Scenario(title, None, ["请至少填写一笔费用（入院日期、总费用、政策范围内费用）"])
    if category not in CATEGORY_NAMES:
        return Scenario(title, None, [f"未知人员类别 {category}"])
    records = [{k: (v or None) for k, v in row.items()} for row in rows]
    bases = {}
    for i, found in enumerate(identified or []):
        if found is not None:
            records[i]["category"], bases[f"第{i + 1}笔"] = found
    try:
        result = quote(policy, category, records, first_row=1)
    except PackError as exc:
        return Scenario(title, None, [str(exc)])
    except ClaimsError as exc:
        return Scenario(title, None, [f.text(codes=False) for f in exc.faults])
    name = result.policy.name if result.policy.at is None else result.pack.name
    own = {s.category_name for s in result.settlements}
    shown = result.category_name if own == {result.category_name} else "各笔人员类别见表"
    return Scenario(f"{name} · {shown}", result, [], bases)


def _spec(policy: str, day: str) -> str:
    """The policy the page settles under: a region (by admission date), a pack, or — with a date —
    the region's values of that date (region@date); a pack's region is used with a date."""
    day = day.strip()
    if not day:
        return policy
    if "@" in policy:
        return policy
    region = next((p.region_id for p in list_packs() if p.id == policy and p.region_id), policy)
    return f"{region}@{day}"


def _context(request: HttpRequest) -> dict:
    """The form as posted (the example on GET), its scenarios settled, and their difference."""
    data = request.POST if request.method == "POST" else {}
    form = {
        "policy": data.get("policy", settings.COUNTY_POLICY_PACK),
        "category": data.get("category", "poor"),
        "compare": data.get("compare", "category"),
        "policy_b": data.get("policy_b", settings.COUNTY_POLICY_PACK),
        "category_b": data.get("category_b", "general"),
        "at": data.get("at", "")[:20],
        "at_b": data.get("at_b", "")[:20],
        "person": data.get("person", "").strip()[:40],
    }
    rows = _rows(request.POST) if request.method == "POST" else DEFAULT_ROWS
    identified, faults = (
        _identify(request, form["person"], rows, precedence_of(form["policy"]))
        if form["person"]
        else ([], [])
    )
    spec_a = _spec(form["policy"], form["at"])
    if faults:
        scenarios = [Scenario("登记人员", None, faults)]
    else:
        scenarios = [_scenario(spec_a, form["category"], rows, identified)]
        if form["compare"] == "policy":
            spec_b = _spec(form["policy_b"], form["at_b"])
            scenarios.append(_scenario(spec_b, form["category"], rows, identified))
        elif form["compare"] == "category":
            # "If the person were of another category": every claim as category B.
            scenarios.append(_scenario(spec_a, form["category_b"], rows))
    difference = None
    if len(scenarios) == 2 and all(s.quote for s in scenarios):
        a, b = (s.quote.totals() for s in scenarios)
        difference = {k: b[k] - a[k] for k in a}
    return {
        **_choices(),
        "form": form,
        "rows": rows,
        "scenarios": scenarios,
        "difference": difference,
    }


@login_required
def settlement(request: HttpRequest) -> HttpResponse:
    """GET: the form with an example; POST: the split and trail (a fragment for htmx)."""
    context = _context(request)
    if request.method == "POST" and getattr(request, "htmx", False):
        return render(request, "insurance/_results.html", context)
    return render(request, "insurance/settlement.html", context)


@login_required
def claim_row(request: HttpRequest) -> HttpResponse:
    """One empty claim row for the form (htmx: 添加一行)."""
    return render(request, "insurance/_claim_row.html", {**_choices(), "row": {}})


@login_required
@require_POST
def settlement_export(request: HttpRequest) -> HttpResponse:
    """导出测算结果: the form as the page settles it, as xlsx (claims, splits in 元, trails, policy
    and sources); input the page refuses is refused here too — the page with its Chinese faults."""
    context = _context(request)
    if not all(s.quote for s in context["scenarios"]):
        messages.error(request, "测算有错误，未导出：请按下列提示改正后再导出")
        return render(request, "insurance/settlement.html", context, status=422)
    return quote_xlsx(request, [(s.title, s.quote) for s in context["scenarios"]])
