"""Iranian bank cards: validation (16 digits, Luhn), the bank from the BIN, masking, grouping."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.domain.money import ascii_digits


@dataclass(frozen=True)
class Bank:
    key: str
    name_fa: str
    name_en: str


# The 6-digit BIN (issuer prefix) of Iranian banks' debit cards (Shetab).
# Blu is Saman's digital bank and Bankino is Middle East's: they share their BINs.
_BANKS = {
    "melli": Bank("melli", "بانک ملی ایران", "Bank Melli Iran"),
    "sepah": Bank("sepah", "بانک سپه", "Bank Sepah"),
    "saderat": Bank("saderat", "بانک صادرات ایران", "Bank Saderat Iran"),
    "mellat": Bank("mellat", "بانک ملت", "Bank Mellat"),
    "tejarat": Bank("tejarat", "بانک تجارت", "Tejarat Bank"),
    "keshavarzi": Bank("keshavarzi", "بانک کشاورزی", "Bank Keshavarzi"),
    "maskan": Bank("maskan", "بانک مسکن", "Bank Maskan"),
    "refah": Bank("refah", "بانک رفاه کارگران", "Refah Bank"),
    "saman": Bank("saman", "بانک سامان", "Saman Bank"),
    "pasargad": Bank("pasargad", "بانک پاسارگاد", "Bank Pasargad"),
    "parsian": Bank("parsian", "بانک پارسیان", "Parsian Bank"),
    "eghtesad_novin": Bank("eghtesad_novin", "بانک اقتصاد نوین", "EN Bank"),
    "shahr": Bank("shahr", "بانک شهر", "Bank Shahr"),
    "resalat": Bank("resalat", "بانک رسالت", "Resalat Bank"),
    "mehr_iran": Bank("mehr_iran", "بانک مهر ایران", "Mehr Iran Bank"),
    "khavarmianeh": Bank("khavarmianeh", "بانک خاورمیانه", "Middle East Bank"),
    "ayandeh": Bank("ayandeh", "بانک آینده", "Ayandeh Bank"),
    "post": Bank("post", "پست بانک ایران", "Post Bank of Iran"),
    "tosee_taavon": Bank("tosee_taavon", "بانک توسعه تعاون", "Tosee Taavon Bank"),
    "karafarin": Bank("karafarin", "بانک کارآفرین", "Karafarin Bank"),
    "sina": Bank("sina", "بانک سینا", "Sina Bank"),
    "sarmayeh": Bank("sarmayeh", "بانک سرمایه", "Sarmayeh Bank"),
    "dey": Bank("dey", "بانک دی", "Dey Bank"),
    "gardeshgari": Bank("gardeshgari", "بانک گردشگری", "Tourism Bank"),
    "iran_zamin": Bank("iran_zamin", "بانک ایران زمین", "Iran Zamin Bank"),
    "sanat_madan": Bank("sanat_madan", "بانک صنعت و معدن", "Bank of Industry and Mine"),
    "tosee_saderat": Bank("tosee_saderat", "بانک توسعه صادرات", "Export Development Bank"),
    "ghavamin": Bank("ghavamin", "بانک قوامین", "Ghavamin Bank"),
    "hekmat": Bank("hekmat", "بانک حکمت ایرانیان", "Hekmat Iranian Bank"),
    "kosar": Bank("kosar", "موسسه اعتباری کوثر", "Kosar Credit Institution"),
    "melal": Bank("melal", "موسسه اعتباری ملل", "Melal Credit Institution"),
    "noor": Bank("noor", "موسسه اعتباری نور", "Noor Credit Institution"),
    "mehr_eghtesad": Bank("mehr_eghtesad", "بانک مهر اقتصاد", "Mehr Eghtesad Bank"),
    "ansar": Bank("ansar", "بانک انصار", "Ansar Bank"),
    "markazi": Bank("markazi", "بانک مرکزی", "Central Bank of Iran"),
}

_BIN_TO_BANK = {
    "603799": "melli",
    "170019": "melli",
    "589210": "sepah",
    "603769": "saderat",
    "610433": "mellat",
    "991975": "mellat",
    "627353": "tejarat",
    "585983": "tejarat",
    "603770": "keshavarzi",
    "639217": "keshavarzi",
    "628023": "maskan",
    "589463": "refah",
    "621986": "saman",
    "502229": "pasargad",
    "639347": "pasargad",
    "622106": "parsian",
    "639194": "parsian",
    "627884": "parsian",
    "627412": "eghtesad_novin",
    "502806": "shahr",
    "504706": "shahr",
    "504172": "resalat",
    "606373": "mehr_iran",
    "585947": "khavarmianeh",
    "636214": "ayandeh",
    "627760": "post",
    "502908": "tosee_taavon",
    "627488": "karafarin",
    "502910": "karafarin",
    "639346": "sina",
    "639607": "sarmayeh",
    "502938": "dey",
    "505416": "gardeshgari",
    "505785": "iran_zamin",
    "627961": "sanat_madan",
    "627648": "tosee_saderat",
    "207177": "tosee_saderat",
    "639599": "ghavamin",
    "636949": "hekmat",
    "505801": "kosar",
    "606256": "melal",
    "507677": "noor",
    "639370": "mehr_eghtesad",
    "627381": "ansar",
    "636795": "markazi",
}


class InvalidCardNumber(ValueError):
    """Not 16 digits, or the Luhn check fails."""


def bank_by_key(key: str) -> Bank | None:
    return _BANKS.get(key)


def known_bank_keys() -> list[str]:
    return sorted(_BANKS)


def bank_for_card(number: str) -> Bank | None:
    """The issuing bank from the card's 6-digit BIN, if known."""
    key = _BIN_TO_BANK.get(number[:6])
    return _BANKS[key] if key else None


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def normalize_card_number(value: object) -> str:
    """A card number as 16 ASCII digits; accepts any digit script, spaces and dashes.

    Raises :class:`InvalidCardNumber` when it is not 16 digits or fails Luhn.
    """
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise InvalidCardNumber("a card number is 16 digits")
    digits = ascii_digits(str(value))
    for sep in " -_\u00a0":
        digits = digits.replace(sep, "")
    if len(digits) != 16 or not digits.isdigit():
        raise InvalidCardNumber("a card number is 16 digits")
    if not luhn_valid(digits):
        raise InvalidCardNumber("the card number fails the Luhn check (a digit is wrong)")
    return digits


def mask_card(number: str) -> str:
    """``6037991234561234`` -> ``6037-99**-****-1234``: safe for logs and the dashboard."""
    if len(number) != 16:
        return "*" * max(len(number) - 4, 0) + number[-4:]
    return f"{number[:4]}-{number[4:6]}**-****-{number[12:]}"


def group_card(number: str) -> str:
    """``6037991234561234`` -> ``6037 9912 3456 1234`` (how customers read a card)."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def visible_digits_agree(shown: str, number: str) -> bool:
    """Does a (possibly masked) card as an SMS shows it agree with a full number?

    Banks show the payer's card masked in many ways (``603799******1234``,
    ``6037-99**-****-1234``, ``1234``, ``*1234``). Masks are aligned from both
    ends when the length is the card's, otherwise the visible tail is compared.
    """
    shown = ascii_digits(shown).replace("-", "").replace(" ", "")
    if not shown:
        return True
    if len(shown) == len(number):
        return all(a == b for a, b in zip(shown, number) if a.isdigit())
    tail = shown.rsplit("*", 1)[-1] if "*" in shown else shown
    head = shown.split("*", 1)[0] if "*" in shown else ""
    if tail and not number.endswith(tail):
        return False
    if head and not number.startswith(head):
        return False
    return bool(tail or head)
