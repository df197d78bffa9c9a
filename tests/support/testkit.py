"""Constants and checks shared by test modules (conftest modules are not importable by name:
every test folder may have its own)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import jsonschema

from citecheck.net.addresses import AddressReason, IPAddress, non_public_reason

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "letters" / "2026-05-19-meps-china-visit.txt"
SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "report-v1.schema.json").read_text())


def validate_report(document: dict[str, Any]) -> None:
    """Fail with the first schema error when ``document`` breaks report-v1."""
    jsonschema.Draft202012Validator(SCHEMA).validate(document)


# (line, column, anchor text), read off the file by hand: the column of each link's "[".
EXPECTED = [
    (17, 146, "arbitrary detention"),
    (17, 172, "forced assimilation"),
    (17, 198, "forced labour"),
    (17, 221, "torture"),
    (17, 246, "transnational repression"),
    (19, 461, "refuse"),
    (19, 595, "norms"),
    (19, 635, "institutions"),
    (21, 14, "considers"),
    (25, 7, "Joint NGO letter ahead of EU-China Summit"),
    (
        25,
        69,
        "NGOs call for suspension of EU-China human rights dialogue as government continues "
        "assault on human rights at home and abroad",
    ),
    (
        25,
        215,
        "NGOs urge European Council to keep human rights at the core of EU relations with China",
    ),
    (25, 322, "The EU must double down on human rights in its relations with China"),
    (27, 191, "statement"),
    (28, 49, "resolution"),
    (28, 240, "rights of Tibetans, Uyghurs and other ethnic groups"),
    (29, 183, "40 Uyghurs deported from Thailand to China"),
    (30, 99, "UN Office of the High Commissioner for Human Rights"),
    (30, 164, "UN Working Group on Arbitrary Detention"),
    (37, 128, "China's low-rights economic model"),
]
FOOTNOTE_DATES = [
    ("2025-07-17", "17 July 2025"),
    ("2024-06-13", "13 June 2024"),
    ("2023-06-12", "12 June 2023"),
    ("2023-05-05", "5 May 2023"),
]


def treat_as_public(*hosts: str) -> AddressReason:
    """The address guard's rule with ``hosts`` (loopback test servers) counted as public: how a
    test runs the default path (host names, guard on) against loopback, through the
    ``address_reason`` seam rather than a switch in the code."""
    public = {ipaddress.ip_address(host) for host in hosts}

    def reason(ip: IPAddress) -> str | None:
        return None if ip in public else non_public_reason(ip)

    return reason
