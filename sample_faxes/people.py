"""Synthetic offices and members: every name, NPI, CIN and phone here is made up."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sample_faxes.supporting import Office

FIRST = [
    "Ana",
    "Luis",
    "Mai",
    "Tou",
    "Wei",
    "Mei",
    "Jorge",
    "Rosa",
    "Pa",
    "Kou",
    "Lin",
    "Sofia",
    "Miguel",
    "Yer",
    "Chia",
    "Elena",
    "David",
    "Grace",
    "Hector",
    "Ines",
    "Jun",
    "Karla",
    "Leo",
    "Nora",
    "Oscar",
    "Paj",
]
LAST = [
    "Rivera",
    "Nguyen",
    "Vang",
    "Xiong",
    "Chen",
    "Lopez",
    "Garcia",
    "Her",
    "Lee",
    "Moua",
    "Ramirez",
    "Thao",
    "Wong",
    "Castillo",
    "Yang",
    "Ortiz",
    "Lor",
    "Huang",
    "Morales",
    "Cha",
    "Delgado",
    "Kha",
    "Flores",
    "Lin",
]
LANGUAGES = ["en", "es", "zh-Hant", "hmn"]


def npi_check_digit(first9: str) -> str:
    """Luhn over the '80840' prefix + 9 digits, as CMS defines the NPI check digit."""
    digits = [int(d) for d in "80840" + first9]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_npi(rng: random.Random) -> str:
    first9 = "1" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    return first9 + npi_check_digit(first9)


@dataclass(frozen=True)
class Provider:
    npi: str
    office: Office

    def directory_row(self) -> dict[str, str]:
        return {
            "npi": self.npi,
            "name": self.office.pcp_name,
            "practice_name": self.office.practice,
            "phone": digits_to_phone(self.office.phone),
            "fax": digits_to_phone(self.office.fax),
        }


@dataclass(frozen=True)
class Member:
    member_id: str
    first: str
    last: str
    dob: date
    pcp_npi: str
    language: str

    @property
    def name(self) -> str:
        return f"{self.last}, {self.first}"

    def roster_row(self) -> dict[str, str]:
        return {
            "member_id": self.member_id,
            "last_name": self.last,
            "first_name": self.first,
            "dob": self.dob.isoformat(),
            "pcp_npi": self.pcp_npi,
            "language": self.language,
        }


def digits_to_phone(printed: str) -> str:
    d = "".join(ch for ch in printed if ch.isdigit())[-10:]
    return f"{d[:3]}-{d[3:6]}-{d[6:]}"


PRACTICES = [
    ("Salinas Valley Family Practice", "Dr. Maria Alvarez", "1441 Main St, Salinas, CA 93901", "831"),
    ("Watsonville Community Clinic", "Dr. Kevin Tran", "85 Green Valley Rd, Watsonville, CA 95076", "831"),
    ("Merced Pediatrics Group", "Dr. Susan Park", "600 W 20th St, Merced, CA 95340", "209"),
    ("Santa Cruz Internal Medicine", "Dr. Robert Haines", "2025 Soquel Ave, Santa Cruz, CA 95062", "831"),
    ("Atwater Health Partners", "Dr. Neng Vue", "1800 Bellevue Rd, Atwater, CA 95301", "209"),
    ("Monterey Bay Primary Care", "Dr. Linda Ochoa", "900 Cass St, Monterey, CA 93940", "831"),
]


def make_providers(seed: int = 2026) -> list[Provider]:
    rng = random.Random(seed)
    out = []
    for practice, pcp, address, area in PRACTICES:
        exchange = rng.randint(200, 899)
        line = rng.randint(1000, 9899)
        out.append(
            Provider(
                npi=make_npi(rng),
                office=Office(
                    practice=practice,
                    pcp_name=pcp,
                    phone=f"({area}) {exchange}-{line:04d}",
                    fax=f"({area}) {exchange}-{line + 1:04d}",
                    address=address,
                ),
            )
        )
    return out


def make_member(rng: random.Random, *, dob: date, pcp_npi: str, language: str = "en") -> Member:
    cin = "".join(str(rng.randint(0, 9)) for _ in range(8)) + rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
    return Member(
        member_id=cin, first=rng.choice(FIRST), last=rng.choice(LAST), dob=dob, pcp_npi=pcp_npi, language=language
    )
