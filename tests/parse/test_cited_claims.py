"""What a letter's footnotes claim, read through the CLI as a user would run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from servers import Reply


def _references(cli, path: Path) -> list[dict]:  # type: ignore[type-arg]
    result = cli("refs", path, "--format", "json")
    assert result.code == 0, result.err
    return result.json()["references"]  # type: ignore[no-any-return]


def _claims(references: list[dict]) -> list[tuple]:  # type: ignore[type-arg]
    return [(r["footnote"], r["cited_title"], r["cited_date"]) for r in references]


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_an_access_date_is_never_the_cited_date(cli, tmp_path: Path, suffix: str) -> None:
    letter = tmp_path / f"letter{suffix}"
    letter.write_text(
        "Dear Members,\n\nWe wrote before.¹ ² ³ ⁴ ⁵ ⁶\n\n"
        "¹ [Annual report](https://a.example.org/report), accessed 3 March 2026.\n"
        "² [Joint letter](https://b.example.org/letter), 17 July 2025 (retrieved 3 March 2026).\n"
        "³ [Statement](https://c.example.org/s) (last visited on 3 March 2026), 5 May 2023.\n"
        "⁴ [Rapport](https://d.example.org/r), consulté le 3 mars 2026.\n"
        "⁵ [Bericht](https://e.example.org/b), abgerufen am 3. März 2026; "
        "[Informe](https://f.example.org/i), consultado el 3 de marzo de 2026.\n"
        "⁶ [Review](https://g.example.org/r), consulted on 3 March 2026, June 2024.\n",
        encoding="utf-8",
    )
    assert _claims(_references(cli, letter)) == [
        ("1", "Annual report", None),
        ("2", "Joint letter", "2025-07-17"),
        ("3", "Statement", "2023-05-05"),
        ("4", "Rapport", None),
        ("5", "Bericht", None),
        ("5", "Informe", None),
        ("6", "Review", "2024-06"),
    ]


def test_a_windows_1252_letter_reads_as_windows_1252(cli, tmp_path: Path) -> None:
    text = (
        "Madame la Députée,\n\n"
        "Nous vous écrivons au sujet de la répression.¹ Le coût : 5 000 €.\n\n"
        "¹ Voir [« Rapport annuel » d’Amnesty](https://www.amnesty.org/fr/rapport), "
        "17 juillet 2025.\n"
    )
    letter = tmp_path / "lettre.txt"
    letter.write_bytes(text.encode("cp1252"))
    assert _claims(_references(cli, letter)) == [
        ("1", "« Rapport annuel » d’Amnesty", "2025-07-17"),
    ]


def test_a_central_european_letter_still_reads_as_such(cli, tmp_path: Path) -> None:
    text = (
        "Vážení poslanci,\n\npíšeme vám ohledně porušování lidských práv v Číně.[^1]\n\n"
        "[^1]: [Zpráva o Číně](https://a.example.org/zprava), 2025.\n"
    )
    letter = tmp_path / "dopis.txt"
    letter.write_bytes(text.encode("cp1250"))
    assert _claims(_references(cli, letter)) == [("1", "Zpráva o Číně", "2025")]


def test_plain_text_footnotes_keep_their_titles_and_dates(cli, tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text(
        "To the attn. of:\n\nMembers of the European Parliament\n\n19 May 2026\n\n"
        "Our organizations have long called on European decision-makers to act.¹ The EU "
        "considers China a partner, a competitor and a rival.²\n\n"
        "¹ See Joint NGO letter ahead of EU-China Summit, "
        "https://www.hrw.org/news/2025/07/17/joint-ngo-letter, 17 July 2025; NGOs urge European\n"
        "Council to keep human rights at the core of EU relations with China,\n"
        "https://www.amnesty.eu/news/ngos-urge-council/, 12 June 2023.\n"
        "² Human Rights Watch, “China: Events of 2024,” January 2025, "
        "https://www.hrw.org/world-report/2025/china. EU-China relations factsheet, "
        "5 May 2023, https://www.eeas.europa.eu/factsheet (accessed 3 March 2026).\n"
        "Press contact: mailto:press@hrw.org, 19 May 2026\n"
        "Yours sincerely,\n"
        "Human Rights Watch, https://www.hrw.org/about, 2026\n",
        encoding="utf-8",
    )
    found = [
        (r["line"], r["footnote"], r["cited_title"], r["cited_date"], r["cited_date_text"])
        for r in _references(cli, letter)
    ]
    assert found == [
        (9, "1", "Joint NGO letter ahead of EU-China Summit", "2025-07-17", "17 July 2025"),
        (
            11,
            "1",
            "NGOs urge European Council to keep human rights at the core of EU relations with "
            "China",
            "2023-06-12",
            "12 June 2023",
        ),
        (12, "2", "China: Events of 2024", "2025-01", "January 2025"),
        (12, "2", "EU-China relations factsheet", "2023-05-05", "5 May 2023"),
        (13, None, None, None, None),
        (15, None, None, None, None),
    ]


def test_an_access_date_makes_no_false_mismatch(cli, tmp_path: Path, loopback) -> None:
    site = loopback()
    page = (
        b"<html><head><title>Annual report</title>"
        b"<meta property='article:published_time' content='2025-07-17T09:00:00Z'></head>"
        b"<body><h1>Annual report</h1></body></html>"
    )
    site.route("/report", Reply(200, page, [("Content-Type", "text/html; charset=utf-8")]))
    letter = tmp_path / "letter.md"
    letter.write_text(
        "We wrote.¹ ²\n\n"
        f"¹ [Annual report]({site.url('/report')}), accessed 3 March 2026.\n"
        f"² [Annual report]({site.url('/report')}), consulté le 3 mars 2026, 17 juillet 2025.\n",
        encoding="utf-8",
    )
    result = cli("check", letter, "--format", "json", "--allow-private", "--no-cache")
    assert result.code == 0, result.out
    found = [(r["cited_date"], r["status"]) for r in result.json()["references"]]
    assert found == [(None, "ok"), ("2025-07-17", "ok")]
