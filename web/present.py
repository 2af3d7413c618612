"""How the dashboard shows values in the page's language: Jalali dates in Tehran time, Persian digits,
relative times, Rial with Toman, states, SMS kinds and reasons (from codes, appliance.domain.reasons).

Values that are data rather than words (card numbers, SMS senders, what the operator typed, the
SMS text itself) are wrapped in ``<bdi class="data">``: they are shown as they are, in any script.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from appliance.domain import jalali
from appliance.domain.cards import Bank, bank_by_key, known_bank_keys
from appliance.domain.reasons import Reason, parse
from appliance.usecases.alerts import TEXTS as ALERT_TEXTS
from appliance.usecases.alerts import render as render_alert
from web import fa
from web.i18n import WORDS

# Parameters that are Rial amounts, and the reasons whose figures are a sum to show as digits.
_RIAL = {"amount", "balance", "price", "shortfall", "difference", "layout_amount", "layout_balance"}
_ARITHMETIC = {"balance_continues", "balance_break", "fields_balance_break", "doubt_withdrawal_sum"}
_SUM_PARTS = {"previous", "op", "amount", "expected", "balance"}
_NAME_MARK = "\ue000"  # stands for a name (data) while an alert's sentence is rendered


class _Blank(dict[str, str]):
    """A template's parameters; one the stored reason lacks shows as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


MONTHS_EN = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban", "Azar", "Dey",
             "Bahman", "Esfand")  # fmt: skip


# A card's bank is stored by its name (the card registry writes the Persian name from the BIN).
_BANKS_BY_NAME: dict[str, Bank] = {
    name: bank for bank in filter(None, map(bank_by_key, known_bank_keys())) for name in (bank.name_fa, bank.name_en)
}


def data(value: object) -> str:
    """HTML of a data value: escaped, isolated for direction, marked as data."""
    return f'<bdi class="data" dir="auto">{html.escape(str(value))}</bdi>'


class Present:
    def __init__(self, lang: str, now: dt.datetime) -> None:
        self.lang = lang
        self.fa = lang != "en"
        self.now = now

    # ----- words and numbers --------------------------------------------------
    def word(self, key: str, default: str | None = None) -> str:
        words = WORDS.get(key)
        if words is None:
            return key if default is None else default
        return words[0 if self.fa else 1]

    def num(self, value: object) -> str:
        """A number (or any text with digits) in the page's digits."""
        return fa.fa_digits(value) if self.fa else str(value)

    def grouped(self, amount: int) -> str:
        return fa.fa_grouped(amount) if self.fa else fa.grouped(amount)

    def rial(self, amount: int | None) -> str:
        """1,200,010 Rial (120,001 Toman); Toman with a tenth when the amount is not whole Toman."""
        if amount is None:
            return "—"
        toman = self.toman(amount)
        return f"{self.grouped(amount)} {self.word('rial')} ({toman} {self.word('toman')})"

    def toman(self, amount: int) -> str:
        return fa.fa_toman(amount) if self.fa else fa.fa_toman(amount).translate(_LATIN)

    def rial_short(self, amount: int | None) -> str:
        return "—" if amount is None else f"{self.grouped(amount)} {self.word('rial')}"

    # ----- time ---------------------------------------------------------------
    def date(self, moment: dt.datetime | dt.date | None) -> str:
        if moment is None:
            return "—"
        day = moment.astimezone(jalali.TEHRAN).date() if isinstance(moment, dt.datetime) else moment
        jy, jm, jd = jalali.to_jalali(day)
        if self.fa:
            return f"{fa.fa_digits(jd)} {jalali.MONTHS_FA[jm - 1]} {fa.fa_digits(jy)}"
        return f"{jd} {MONTHS_EN[jm - 1]} {jy}"

    def short_date(self, day: dt.date) -> str:
        return self.num(jalali.jalali_text(day))

    def time(self, moment: dt.datetime | None, seconds: bool = False) -> str:
        if moment is None:
            return "—"
        return self.num(moment.astimezone(jalali.TEHRAN).strftime("%H:%M:%S" if seconds else "%H:%M"))

    def when(self, moment: dt.datetime | None) -> str:
        """Jalali date and Tehran time: ۱۰ آذر ۱۴۰۵، ۰۲:۵۳."""
        if moment is None:
            return "—"
        return f"{self.date(moment)}{'،' if self.fa else ','} {self.time(moment)}"

    def ago(self, moment: dt.datetime | None) -> str:
        """۳ دقیقه پیش / 3 minutes ago; a date beyond a week."""
        if moment is None:
            return "—"
        seconds = (self.now - moment).total_seconds()
        if seconds < -60:
            return self.when(moment)
        if seconds < 60:
            return self.word("just_now")
        for size, unit in ((86400 * 7, None), (86400, "days"), (3600, "hours"), (60, "minutes")):
            if seconds >= size:
                if unit is None:
                    return self.when(moment)
                return self.word(f"ago_{unit}").format(self.num(int(seconds // size)))
        return self.word("just_now")

    def when_ago(self, moment: dt.datetime | None) -> str:
        return "—" if moment is None else f"{self.when(moment)} ({self.ago(moment)})"

    # ----- states, kinds, actors, reasons -------------------------------------
    def state(self, value: object) -> str:
        key = getattr(value, "value", value)
        return self.word(f"st.{key}", str(key))

    def kind(self, value: str | None) -> str:
        return self.word(f"kind.{value}", str(value))

    def bank(self, key: str | None) -> str:
        if not key:
            return "—"
        bank = bank_by_key(key) or _BANKS_BY_NAME.get(key)
        if bank is None:
            return key  # a card's bank as the operator typed it
        return bank.name_fa if self.fa else bank.name_en

    def actor(self, actor: str | None) -> str:
        """HTML: operator:admin -> اپراتور (admin); api:shop -> سایت (shop)."""
        if not actor:
            return "—"
        matcher = re.fullmatch(r"matcher \((.*)\)", actor)  # the matcher, for what handed the deposit in
        if matcher:
            return f"{html.escape(self.word('actor.matcher'))} · {self.actor(matcher[1])}"
        who, _, name = actor.partition(":")
        label = WORDS.get(f"actor.{who}")
        if label is None:
            return data(actor)
        text = html.escape(label[0 if self.fa else 1])
        return f"{text} ({data(name)})" if name else text

    def reason(self, text: str | None) -> str:
        """HTML of a stored reason in the page's language (parts joined by ؛)."""
        parts = [self._reason(r) for r in parse(text)]
        return ("؛ " if self.fa else "; ").join(parts) if parts else "—"

    def alert(self, kind: str, params: dict[str, Any] | None, resolved: bool = False) -> str:
        """HTML of an alert's sentence in the page's language; the modem's name in it is data."""
        values = dict(params or {})
        name = values.get("modem")
        if name is not None:
            values["modem"] = _NAME_MARK
        text = html.escape(render_alert(kind, values, self.lang, resolved))
        return text.replace(_NAME_MARK, data(name)) if name is not None else text

    def _reason(self, r: Reason) -> str:
        if r.code in ("alert", "alert_resolved") and r.params.get("alert") in ALERT_TEXTS:
            params = {k: v for k, v in r.params.items() if k != "alert"}
            return self.alert(r.params["alert"], params, r.code == "alert_resolved")
        words = WORDS.get(f"r.{r.code}")
        if words is None:
            return data(r.params.get("text", r.code))
        template = words[0 if self.fa else 1]
        arithmetic = r.code in _ARITHMETIC
        values = _Blank(
            {k: self._number(v) if arithmetic and k in _SUM_PARTS else self._param(k, v) for k, v in r.params.items()}
        )
        if r.code in ("read_by_layout", "is_other_layout", "layout_mismatch") and self.fa:
            values["layout"] = ""  # a layout's name is an identifier, not a word: the bank is enough
        text = html.escape(template).format_map(values)
        if "note" in r.params:
            text += f"{'؛' if self.fa else ':'} {values['note']}"
        return text

    def _number(self, value: str) -> str:
        """A figure of a sum (balance arithmetic): grouped digits, left to right."""
        shown = self.grouped(int(value)) if re.fullmatch(r"-?\d+", value) else self.num(value)
        return f'<bdi class="data" dir="ltr">{html.escape(shown)}</bdi>'

    def _param(self, name: str, value: str) -> str:
        if name in _RIAL and re.fullmatch(r"-?\d+", value):
            return html.escape(self.rial_short(int(value)))
        if name in ("count", "seq", "parts", "payment", "deposit", "template", "message"):
            return html.escape(self.num(value))
        if name == "state":
            return html.escape(self.state(value))
        if name in ("kind", "layout_kind", "before", "after", "direction"):
            return html.escape(self.kind(value))
        if name in ("bank", "owner"):
            return html.escape(self.bank(value)) if bank_by_key(value) else data(value)
        if name == "banks":
            return " / ".join(html.escape(self.bank(b)) for b in value.split("/"))
        if name == "rule":
            words = WORDS.get(f"rule.{value}")
            return html.escape(words[0 if self.fa else 1]) if words else data(value)
        if name == "mistake":
            words = WORDS.get(f"rule_{value}")
            return html.escape(words[0 if self.fa else 1]) if words else data(value)
        if name == "channel":
            words = WORDS.get(f"channel.{value}")
            return html.escape(words[0 if self.fa else 1]) if words else data(value)
        if name == "evidence":
            return html.escape(self.evidence(value))
        if name == "dbm":
            return f'<bdi dir="ltr">{html.escape(self.num(value).replace("-", "−"))}</bdi>'
        if name in ("missing", "expected", "used", "total"):
            return html.escape(self.num(value))
        if name == "flag":
            return self.reason(value)
        if name == "sum":
            grouped = re.sub(r"\d+", lambda m: self.grouped(int(m[0])), value)
            return f'<bdi class="data" dir="ltr">{html.escape(grouped)}</bdi>'
        if name in ("smsc", "sender", "known", "url", "account", "card"):
            return f'<bdi class="data" dir="ltr">{html.escape(value)}</bdi>'
        if name in ("detail", "problem") and self.fa:
            return ""  # the reader's own words for what it could not read: the English page shows them
        return data(value)

    def evidence(self, value: str) -> str:
        """The field reader's evidence ("sign says deposit, word «واریز» says deposit") in the page's language."""
        if not self.fa:
            return value
        said = []
        for item in value.split(", "):
            what, _, kind = item.rpartition(" says ")
            word = re.fullmatch(r"word «(.*)»", what)
            if word:
                what = self.word("ev.word").format(word[1])
            else:
                what = self.word(f"ev.{what}", what)
            said.append(f"{what}: {self.kind(kind)}")
        return "، ".join(said)

    def values(self) -> dict[str, Any]:
        return {"p": self}


_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٬٫", "0123456789,.")
