"""An action's definition beyond its wording, as spreadsheet cells: written on export, read on import,
compared, and applied (and put back by an import's undo).

Each part (a column role of `spreadsheet.COLUMN_ROLES`) has one plain, JSON-able value, the same whether it
comes from the database (`values_of(action)`) or from a file's cell (`parse_cell`), so comparing is `!=`,
and the value recorded for a change is what undo writes back (`write_part`). No HTTP here.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model

from actions.spreadsheet import Column

FINANCIAL_YEAR = re.compile(r"(20\d{2})/(\d{2})")
_YEAR_IN_TEXT = re.compile(r"\b(20\d{2})\s*[/-]\s*(\d{4}|\d{2})\b")
_AMOUNT = re.compile(r"£\s*(\d[\d,]*(?:\.\d+)?)\s*(k|m|bn|million|thousand)?\b|^\s*(\d[\d,]*(?:\.\d+)?)\s*$", re.I)
_MULTIPLIERS = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000, "bn": 1_000_000_000}
_STATE_WORDS = (  # longest first, so "bid submitted" is not read as "bid"
    ("bid submitted", "bid_submitted"),
    ("not funded", "unfunded"),
    ("no funding", "unfunded"),
    ("unfunded", "unfunded"),
    ("secured", "secured"),
    ("bid", "bid_submitted"),
)
_STATE_LABELS = {"secured": "secured", "bid_submitted": "bid submitted", "unfunded": "unfunded"}
_DATE = r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})"
_DUE = re.compile(rf"\bdue\s*:?\s*{_DATE}", re.I)
_DONE = re.compile(rf"\b(?:done|completed|complete)\s*:?\s*{_DATE}", re.I)
_URL = re.compile(r"https?://[^\s<>\"]+", re.I)
_HOLDER = re.compile(r"^(.*?)\s*\((.*)\)\s*$")

# The parts an import can change, in the order the preview names them, with their names in words.
PART_LABELS = {
    "text": "action text",
    "targets": "targets",
    "target_date": "target date",
    Column.SERVICE: "responsible service",
    Column.LEAD_OFFICER: "lead officers",
    Column.PORTFOLIO: "portfolio holder",
    Column.PARTNERS: "partners",
    Column.FUNDING: "funding",
    Column.MILESTONES: "milestones",
    Column.LINKS: "links",
}
# Column roles read into a row's `details`; Directorate and Service make up the one part "service".
DETAIL_ROLES = (
    Column.DIRECTORATE,
    Column.SERVICE,
    Column.LEAD_OFFICER,
    Column.PORTFOLIO,
    Column.PARTNERS,
    Column.FUNDING,
    Column.MILESTONES,
    Column.LINKS,
)


class CellProblem(ValueError):
    """A cell that cannot be read as its part; the message says what to write instead."""


def _lines(text: str) -> list[str]:
    return [line.strip(" \t•-") for line in re.split(r"[\n;]", text or "") if line.strip(" \t•-")]


def _date_text(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _read_date(text: str) -> str:
    """An ISO date from "31/03/2025" or "2025-03-31"."""
    try:
        if "/" in text:
            return datetime.strptime(text, "%d/%m/%Y").date().isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise CellProblem(f"'{text}' is not a date; write it as 31/03/2025") from None


def _amount_text(amount) -> str:
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    return f"£{value:,.0f}" if value == value.to_integral_value() else f"£{value:,.2f}"


def user_name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- values: the database's, and a cell's --------------------------------------------------------------


def service_value(service) -> dict:
    if service is None:
        return {"directorate": "", "service": ""}
    if service.parent_id:
        return {"directorate": service.parent.name, "service": service.name}
    return {"directorate": service.name, "service": ""}


def funding_value(line) -> dict:
    return funding_dict(line.amount, line.source, line.state, line.financial_year)


def funding_dict(amount, source: str, state: str, year: str) -> dict:
    """A funding line's value from its columns (what exports read with `values_list`)."""
    return {
        "amount": None if amount is None else f"{Decimal(amount):.2f}",
        "source": source,
        "state": state,
        "year": year,
    }


def milestone_value(milestone) -> dict:
    return milestone_dict(milestone.title, milestone.due, milestone.done)


def milestone_dict(title: str, due, done) -> dict:
    """A milestone's value from its columns (what exports read with `values_list`)."""
    return {"title": title, "due": due.isoformat() if due else None, "done": done.isoformat() if done else None}


def values_of(action) -> dict:
    """The action's parts as plain values. Reads what `ActionQuerySet.with_definition()` prefetched."""
    holder = action.portfolio_holder
    return {
        Column.SERVICE: service_value(action.service),
        Column.LEAD_OFFICER: sorted(user_name(user) for user in action.leads.all()),
        Column.PORTFOLIO: {"name": holder.name, "role": holder.role} if holder else None,
        Column.PARTNERS: sorted(partner.name for partner in action.partners.all()),
        Column.FUNDING: in_order(Column.FUNDING, [funding_value(line) for line in action.funding.all()]),
        Column.MILESTONES: in_order(Column.MILESTONES, [milestone_value(m) for m in action.milestones.all()]),
        Column.LINKS: in_order(Column.LINKS, [{"title": link.title, "url": link.url} for link in action.links.all()]),
    }


_ORDER = {
    Column.FUNDING: lambda v: (v["year"], v["source"], v["amount"] or "", v["state"]),
    Column.MILESTONES: lambda v: (v["due"] is None, v["due"] or "", v["title"], v["done"] or ""),
    Column.LINKS: lambda v: (v["title"], v["url"]),
}


def in_order(part: str, values: list[dict]) -> list[dict]:
    """Lines in one order whoever wrote them, so a file listing them otherwise is not a difference."""
    return sorted(values, key=_ORDER[part])


def parse_cell(role: str, text: str):
    """A cell's value for its part; raises CellProblem naming what is wrong."""
    text = text or ""
    if role in (Column.DIRECTORATE, Column.SERVICE):
        return " ".join(text.split())
    if role == Column.LEAD_OFFICER:
        return sorted({" ".join(name.split()) for name in _names(text)})
    if role == Column.PARTNERS:
        return sorted({" ".join(name.split()) for name in _names(text)})
    if role == Column.PORTFOLIO:
        text = " ".join(text.split())
        if not text:
            return None
        match = _HOLDER.match(text)
        name, holder_role = (match.group(1), match.group(2)) if match else (text, "")
        if not name:
            raise CellProblem("has a role but no councillor's name; write it as Cllr Jane Smith (Lead Member ...)")
        return {"name": name[:200], "role": holder_role.strip()[:200]}
    if role == Column.FUNDING:
        return in_order(role, [_funding_line(line) for line in _lines(text)])
    if role == Column.MILESTONES:
        return in_order(role, [_milestone_line(line) for line in _lines(text)])
    if role == Column.LINKS:
        return in_order(role, [_link_line(line) for line in _lines(text)])
    raise KeyError(role)


def _names(text: str) -> list[str]:
    separator = r"[\n;]" if re.search(r"[\n;]", text) else r",|\band\b|&|/"
    return [name.strip() for name in re.split(separator, text) if name.strip()]


def _funding_line(line: str) -> dict:
    rest = line
    amount = None
    match = _AMOUNT.search(rest)
    if match:
        digits = (match.group(1) or match.group(3)).replace(",", "")
        try:
            value = Decimal(digits) * _MULTIPLIERS.get((match.group(2) or "").lower(), 1)
        except InvalidOperation:
            raise CellProblem(f"'{match.group()}' is not an amount of money") from None
        amount = f"{value:.2f}"
        rest = rest[: match.start()] + " " + rest[match.end() :]
    year = ""
    match = _YEAR_IN_TEXT.search(rest)
    if match:
        start, end = int(match.group(1)), match.group(2)
        if int(end[-2:]) != (start + 1) % 100:
            raise CellProblem(f"'{match.group()}' is not a financial year; write it as {start}/{(start + 1) % 100:02d}")
        year = f"{start}/{end[-2:]}"
        rest = rest[: match.start()] + " " + rest[match.end() :]
    state = ""
    lowered = rest.lower()
    for word, code in _STATE_WORDS:
        position = lowered.find(word)
        if position >= 0:
            state = code
            rest = rest[:position] + " " + rest[position + len(word) :]
            break
    source = re.sub(r"^\s*(?:from|source:?)\s+", "", re.sub(r"[\s,()·–-]+", " ", rest)).strip()
    return {"amount": amount, "source": source[:200], "state": state, "year": year}


def _milestone_line(line: str) -> dict:
    due = _DUE.search(line)
    done = _DONE.search(line)
    title = line
    for match in sorted(filter(None, (due, done)), key=lambda m: m.start(), reverse=True):
        title = title[: match.start()] + title[match.end() :]
    title = re.sub(r"\(\s*[,;]?\s*\)", "", title).strip(" ,;:–-()")
    if not title:
        raise CellProblem(f"milestone '{line}' has no title; write it as Title (due 31/03/2025)")
    return {
        "title": " ".join(title.split())[:300],
        "due": _read_date(due.group(1)) if due else None,
        "done": _read_date(done.group(1)) if done else None,
    }


def _link_line(line: str) -> dict:
    match = _URL.search(line)
    if not match:
        raise CellProblem(f"link '{line[:80]}' has no web address; write it as Title – https://...")
    url = match.group().rstrip(").,")
    title = (line[: match.start()] + line[match.end() :]).strip(" <>():–-")
    return {"title": (" ".join(title.split()) or url)[:300], "url": url[:500]}


# --- cells: a value written as the export shows it -------------------------------------------------------


def funding_text(line) -> str:
    value = funding_value(line) if not isinstance(line, dict) else line
    words = [_amount_text(value["amount"])]
    if value["source"]:
        words.append(f"from {value['source']}")
    described = " ".join(filter(None, words))
    return ", ".join(filter(None, [described, _STATE_LABELS.get(value["state"], ""), value["year"]]))


def milestone_text(value: dict) -> str:
    dates = [f"due {_date_text(date.fromisoformat(value['due']))}" if value["due"] else ""]
    dates.append(f"done {_date_text(date.fromisoformat(value['done']))}" if value["done"] else "")
    dates = ", ".join(filter(None, dates))
    return f"{value['title']} ({dates})" if dates else value["title"]


def cells_of(values: dict) -> dict[str, str]:
    """Each detail column's cell for an action's values (`values_of`), as the export writes it."""
    holder = values[Column.PORTFOLIO]
    return {
        Column.DIRECTORATE: values[Column.SERVICE]["directorate"],
        Column.SERVICE: values[Column.SERVICE]["service"],
        Column.LEAD_OFFICER: "; ".join(values[Column.LEAD_OFFICER]),
        Column.PORTFOLIO: (f"{holder['name']} ({holder['role']})" if holder["role"] else holder["name"])
        if holder
        else "",
        Column.PARTNERS: "; ".join(values[Column.PARTNERS]),
        Column.FUNDING: "\n".join(funding_text(line) for line in values[Column.FUNDING]),
        Column.MILESTONES: "\n".join(milestone_text(m) for m in values[Column.MILESTONES]),
        Column.LINKS: "\n".join(f"{link['title']} – {link['url']}" for link in values[Column.LINKS]),
    }


# --- comparing a file's row with the plan ----------------------------------------------------------------


def file_service(details: dict, current: dict) -> dict | None:
    """The service the file gives, completed from the plan where it has only one of the two columns."""
    has_directorate, has_service = Column.DIRECTORATE in details, Column.SERVICE in details
    if not (has_directorate or has_service):
        return None
    directorate = details.get(Column.DIRECTORATE, current["directorate"]) if has_directorate else None
    service = details.get(Column.SERVICE, "") if has_service else None
    if directorate is None:  # only a Service column: keep the plan's directorate
        return {"directorate": current["directorate"] if service else "", "service": service}
    if service is None:  # only a Directorate column: keep the service if it sits in that directorate
        return {
            "directorate": directorate,
            "service": current["service"] if directorate == current["directorate"] else "",
        }
    return {"directorate": directorate, "service": service}


def differences(details: dict, current: dict) -> dict[str, object]:
    """The parts whose file value differs from the plan's: part -> the file's value."""
    found = {}
    service = file_service(details, current[Column.SERVICE])
    if service is not None and service != current[Column.SERVICE]:
        found[Column.SERVICE] = service
    for part in (Column.LEAD_OFFICER, Column.PORTFOLIO, Column.PARTNERS, Column.FUNDING):
        if part in details and details[part] != current[part]:
            found[part] = details[part]
    for part in (Column.MILESTONES, Column.LINKS):
        if part in details and details[part] != current[part]:
            found[part] = details[part]
    return found


def describe(part: str, value) -> str:
    """A part's value in words, for the preview's before → after."""
    if part == Column.SERVICE:
        return " › ".join(filter(None, [value["directorate"], value["service"]])) or "none"
    cells = {
        Column.LEAD_OFFICER: lambda v: "; ".join(v),
        Column.PORTFOLIO: lambda v: cells_of_holder(v),
        Column.PARTNERS: lambda v: "; ".join(v),
        Column.FUNDING: lambda v: "; ".join(funding_text(line) for line in v),
        Column.MILESTONES: lambda v: "; ".join(milestone_text(m) for m in v),
        Column.LINKS: lambda v: "; ".join(f"{link['title']} – {link['url']}" for link in v),
    }
    if part in cells:
        return cells[part](value) or "none"
    if part == "targets":
        return ", ".join(str(number) for number, _ in value) or "none"
    return str(value) or "none"


def cells_of_holder(value) -> str:
    if not value:
        return ""
    return f"{value['name']} ({value['role']})" if value["role"] else value["name"]


def users_named(names) -> tuple[list[int], list[str]]:
    """The accounts with these names (full name or username, any case), and the names no account has."""
    wanted = {name.lower(): name for name in names}
    found: dict[str, int] = {}
    if wanted:
        # A council has a few hundred accounts; names are matched in Python, as full names are two columns.
        users = get_user_model().objects.only("pk", "username", "first_name", "last_name")
        for user in users:
            for key in (user.get_username().lower(), user.get_full_name().lower()):
                if key in wanted and key not in found:
                    found[key] = user.pk
    return sorted(found.values()), [name for key, name in wanted.items() if key not in found]


# --- writing a part --------------------------------------------------------------------------------------


def stored_value(action, part: str):
    """The part as a change records it (leads by account, the rest as compared), for undo to write back."""
    if part == "text":
        return action.text
    if part == "target_date":
        return action.target_date_text
    if part == "targets":
        return sorted([link.target.number, link.mark] for link in action.target_links.select_related("target"))
    if part == Column.LEAD_OFFICER:
        return sorted(action.leads.values_list("pk", flat=True))
    return values_of(action)[part]


def write_part(action, part: str, value, *, user=None, reason: str = "") -> None:
    """Make the action's `part` be `value` (as `stored_value` gives it). The caller holds the transaction.

    Each row written keeps its history (django-simple-history) with `user` and `reason` ("Import of ...")."""
    from actions.models import (
        ActionFunding,
        ActionLink,
        ActionMilestone,
        ActionTarget,
        Partner,
        PortfolioHolder,
        Service,
    )

    def mark(instance):
        instance._history_user = user
        instance._change_reason = reason[:100]
        return instance

    def save(instance):
        mark(instance).save()

    def replace(rows, make):
        for row in list(rows.all()):
            mark(row).delete()
        for item in value:
            save(make(item))

    if part in ("text", "target_date", Column.SERVICE, Column.PORTFOLIO):
        if part == "text":
            action.text = value
        elif part == "target_date":
            action.target_date_text = value
        elif part == Column.SERVICE:
            action.service = _service_for(value, Service)
        else:
            action.portfolio_holder = _holder_for(value, PortfolioHolder, user)
        mark(action).save(update_fields=["text", "target_date_text", "target_year", "service", "portfolio_holder"])
    elif part == "targets":
        from targets.models import Target

        ids = dict(Target.objects.values_list("number", "pk"))
        replace(action.target_links, lambda item: ActionTarget(action=action, target_id=ids[item[0]], mark=item[1]))
    elif part == Column.LEAD_OFFICER:
        mark(action).leads.set(value)
    elif part == Column.PARTNERS:
        partners = []
        for name in value:
            partner = Partner.objects.filter(name__iexact=name).first()
            if partner is None:
                partner = Partner(name=name)
                save(partner)
            partners.append(partner)
        mark(action).partners.set(partners)
    elif part == Column.FUNDING:
        replace(
            action.funding,
            lambda item: ActionFunding(
                action=action,
                amount=None if item["amount"] is None else Decimal(item["amount"]),
                source=item["source"],
                state=item["state"],
                financial_year=item["year"],
            ),
        )
    elif part == Column.MILESTONES:
        replace(
            action.milestones,
            lambda item: ActionMilestone(
                action=action,
                title=item["title"],
                due=date.fromisoformat(item["due"]) if item["due"] else None,
                done=date.fromisoformat(item["done"]) if item["done"] else None,
            ),
        )
    elif part == Column.LINKS:
        replace(action.links, lambda item: ActionLink(action=action, title=item["title"], url=item["url"]))
    else:
        raise KeyError(part)


def _service_for(value: dict, Service):
    if not value["directorate"] and not value["service"]:
        return None
    if not value["directorate"]:
        return Service.objects.filter(name=value["service"]).first() or Service.objects.create(name=value["service"])
    directorate, _ = Service.objects.get_or_create(name=value["directorate"], parent=None)
    if not value["service"]:
        return directorate
    service, _ = Service.objects.get_or_create(name=value["service"], parent=directorate)
    return service


def _holder_for(value, PortfolioHolder, user):
    if not value:
        return None
    holder = PortfolioHolder.objects.filter(name__iexact=value["name"]).first()
    if holder is None:
        holder = PortfolioHolder(name=value["name"], role=value["role"])
    elif value["role"] and holder.role != value["role"]:
        holder.role = value["role"]  # the councillor's role moved: it is theirs, not the action's
    else:
        return holder
    holder._history_user = user
    holder.save()
    return holder
