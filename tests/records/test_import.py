"""Digitisation import: bad rows are rejected with reasons, every good row is kept, re-runs add nothing."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.records.conftest import make_cnic

from safecity.core.errors import InvalidInput
from safecity.core.org import load_tree_file
from safecity.demo.seed import DEMO_ORG_FILE
from safecity.records.import_mapping import parse_mapping
from safecity.records.importer import import_register
from safecity.records.models import Fir, Person

HEADER = ["Sr", "Name", "نام", "Father", "CNIC", "DOB", "Gender", "Mobile"]
MAPPING = {
    "target": "persons",
    "default_station": "KOR-LND",
    "date_formats": ["%d/%m/%Y", "%Y-%m-%d"],
    "encodings": ["utf-8", "cp1256"],
    "columns": {
        "Name": "name_roman", "نام": "name_urdu", "Father": "relative_name_roman", "CNIC": "cnic",
        "DOB": "date_of_birth", "Gender": "gender", "Mobile": "phone",
    },
}  # fmt: skip
URDU_CP1256 = ["محمد آصف", "علي رضا", "احمد", "بلال"]  # letters cp1256 can encode
DEFECTS = {
    "cnic_digits": ("cnic", lambda r, rng: r.update(CNIC="4210-123")),
    "cnic_province": ("cnic", lambda r, rng: r.update(CNIC="9" + r["CNIC"][1:])),
    "cnic_parity": ("cnic", lambda r, rng: r.update(Gender="F")),
    "date": (
        "date_of_birth",
        lambda r, rng: r.update(DOB=rng.choice(["31/02/1990", "1990/13/45", "yesterday"])),
    ),
    "gender": ("gender", lambda r, rng: r.update(Gender="Q")),
    "name": ("name_roman", lambda r, rng: r.update(Name="", **{"نام": ""})),
    "phone": ("phone", lambda r, rng: r.update(Mobile="12")),
}


@pytest.fixture
def org(db_session: Session) -> Session:
    load_tree_file(db_session, DEMO_ORG_FILE)
    return db_session


def _good_row(rng: random.Random, n: int) -> dict[str, str]:
    day = f"{rng.randrange(1, 28):02d}/{rng.randrange(1, 13):02d}/{rng.randrange(1950, 2005)}"
    return {
        "Sr": str(n), "Name": f"Person {n} {rng.randrange(10**9)}", "نام": rng.choice(URDU_CP1256),
        "Father": "Ghulam Rasool", "CNIC": make_cnic(rng, male=True),
        "DOB": rng.choice([day, "-".join(reversed(day.split("/")))]), "Gender": "M",
        "Mobile": rng.choice(["", "0300-1234567", "+92 321 7654321"]),
    }  # fmt: skip


def _write(path: Path, rows: list[dict[str, str]], cp1256_rows: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    with path.open("wb") as f:
        f.write((",".join(HEADER) + "\n").encode())
        for i, row in enumerate(rows):
            line = ",".join(row[h] for h in HEADER) + "\n"
            f.write(line.encode("cp1256" if i in cp1256_rows else "utf-8"))


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Person)) or 0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32 - 1),
    plan=st.lists(st.sampled_from([None, None, None, *DEFECTS]), min_size=1, max_size=30),
    encodings=st.lists(st.booleans(), min_size=30, max_size=30),
)
def test_bad_rows_are_rejected_with_their_field_and_every_good_row_is_kept(
    org: Session, tmp_path: Path, seed: int, plan: list[str | None], encodings: list[bool]
) -> None:
    rng = random.Random(seed)
    rows = [_good_row(rng, n) for n in range(len(plan))]
    for row, defect in zip(rows, plan, strict=True):
        if defect is not None:
            DEFECTS[defect][1](row, rng)
    path = tmp_path / f"register-{seed}.csv"
    _write(path, rows, {i for i, legacy in enumerate(encodings[: len(rows)]) if legacy})
    nested = org.begin_nested()
    try:
        before = _count(org)
        rejects = tmp_path / f"rejects-{seed}-{len(plan)}.csv"
        rejects.unlink(missing_ok=True)
        result = import_register(org, path=path, mapping=parse_mapping(MAPPING), reject_path=rejects)
        bad = {i + 2: DEFECTS[d][0] for i, d in enumerate(plan) if d is not None}  # header is row 1
        assert result.rows == len(rows)
        assert result.rejected == len(bad) and result.accepted == len(rows) - len(bad)
        for reject in result.rejects:
            assert bad[reject.row] == reject.field, reject
        assert {r.row for r in result.rejects} == set(bad)
        assert _count(org) - before == result.accepted
        stored = {
            p.cnic: p for p in org.scalars(select(Person).where(Person.import_batch_id == result.batch_id))
        }
        for i, row in enumerate(rows):
            if i + 2 not in bad:
                assert stored[row["CNIC"]].name_urdu == row["نام"]  # cp1256 rows decoded to the same Urdu
                assert stored[row["CNIC"]].name_roman == row["Name"]
        assert rejects.exists() == bool(bad)
        written = list(csv.DictReader(rejects.open(encoding="utf-8-sig"))) if bad else []
        assert {int(w["row"]) for w in written} == set(bad)
        assert all(w["reason"] and w["Name"] == rows[int(w["row"]) - 2]["Name"] for w in written)
    finally:
        nested.rollback()


def test_re_running_the_same_file_creates_no_duplicates(org: Session, tmp_path: Path) -> None:
    rng = random.Random(7)
    rows = [_good_row(rng, n) for n in range(20)]
    for row in rows[:5]:
        row["CNIC"] = ""  # keyed on the hash of the normalised row instead
    path = tmp_path / "register.csv"
    _write(path, rows)
    first = import_register(org, path=path, mapping=parse_mapping(MAPPING))
    total = _count(org)
    second = import_register(org, path=path, mapping=parse_mapping(MAPPING))
    assert first.inserted == 20
    assert second.accepted == 20 and second.inserted == 0 and second.already_present == 20
    assert _count(org) == total


def test_a_dry_run_validates_but_writes_nothing(org: Session, tmp_path: Path) -> None:
    rng = random.Random(3)
    path = tmp_path / "register.csv"
    _write(path, [_good_row(rng, n) for n in range(5)])
    before = _count(org)
    result = import_register(org, path=path, mapping=parse_mapping(MAPPING), dry_run=True)
    assert result.accepted == 5 and _count(org) == before


def test_a_missing_column_is_a_clear_error_naming_it(org: Session, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text("Sr,Name,نام,Father,DOB,Gender,Mobile\n1,A,,B,01/01/1990,M,\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        import_register(org, path=path, mapping=parse_mapping(MAPPING))
    assert error.value.field == "CNIC"
    assert "'CNIC'" in error.value.detail and "missing" in error.value.detail


def test_an_optional_column_may_be_absent(org: Session, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text("Sr,Name,نام,Father,CNIC,DOB,Gender\n1,Ali Khan,,B,,01/01/1990,M\n", encoding="utf-8")
    result = import_register(
        org, path=path, mapping=parse_mapping({**MAPPING, "optional_columns": ["Mobile"]})
    )
    assert result.accepted == 1


def test_a_mapping_to_an_unknown_field_names_the_column(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_mapping({**MAPPING, "columns": {**MAPPING["columns"], "Caste": "tribe"}})  # type: ignore[dict-item]
    assert error.value.field == "columns.Caste"


def test_a_name_line_is_split_into_name_relation_and_father(org: Session, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text("Accused\nMuhammad Asif s/o Ghulam Rasool\nمحمد آصف ولد غلام رسول\n", encoding="utf-8")
    mapping = parse_mapping({"default_station": "KOR-LND", "columns": {"Accused": "name_line"}})
    result = import_register(org, path=path, mapping=mapping)
    people = list(
        org.scalars(select(Person).where(Person.import_batch_id == result.batch_id).order_by(Person.id))
    )
    assert (people[0].name_roman, people[0].relation, people[0].relative_name_roman) == (
        "Muhammad Asif",
        "s/o",
        "Ghulam Rasool",
    )
    assert (people[1].name_urdu, people[1].relative_name_urdu) == ("محمد آصف", "غلام رسول")


def test_an_xlsx_register_imports_like_a_csv(org: Session, tmp_path: Path) -> None:
    from openpyxl import Workbook

    rng = random.Random(11)
    rows = [_good_row(rng, n) for n in range(4)]
    rows[2]["CNIC"] = "12345"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row[h] for h in HEADER])
    path = tmp_path / "register.xlsx"
    book.save(path)
    result = import_register(org, path=path, mapping=parse_mapping(MAPPING))
    assert (result.accepted, result.rejected) == (3, 1)
    assert result.rejects[0].row == 4 and result.rejects[0].field == "cnic"


def test_fir_registers_are_keyed_on_station_year_and_number(org: Session, tmp_path: Path) -> None:
    path = tmp_path / "firs.csv"
    path.write_text(
        "FIR No,Date,PS,Sections,Status\n"
        "12/2019,05/03/2019,KOR-LND,PPC 392; PPC 34,challan\n"
        "12/2019,05/03/2019,KOR-LND,PPC 392,UI\n"
        "13,06/03/2019,KOR-LND,PPC 302,untraced\n"
        "14,07/03/2019,KHI-KOR,PPC 302,\n"
        "x,07/03/2019,KOR-LND,PPC 302,\n",
        encoding="utf-8",
    )
    mapping = parse_mapping({
        "target": "firs", "date_formats": ["%d/%m/%Y"],
        "columns": {"FIR No": "fir_number", "Date": "registered_on", "PS": "station", "Sections": "sections",
                    "Status": "status"},
    })  # fmt: skip
    result = import_register(org, path=path, mapping=mapping)
    assert (result.accepted, result.inserted, result.rejected) == (3, 2, 2)
    assert {r.field for r in result.rejects} == {"station", "fir_number"}
    refs = set(org.scalars(select(Fir.ref).where(Fir.year == 2019)))
    assert {"FIR-KOR-LND-2019-00012", "FIR-KOR-LND-2019-00013"} <= refs
    again = import_register(org, path=path, mapping=mapping)
    assert again.inserted == 0


def test_worker_processes_give_the_same_result_as_one_process(org: Session, tmp_path: Path) -> None:
    rng = random.Random(5)
    rows = [_good_row(rng, n) for n in range(50)]
    for row in rows[::7]:
        row["DOB"] = "31/02/1990"
    path = tmp_path / "register.csv"
    _write(path, rows, {3, 4, 5})
    mapping = parse_mapping(MAPPING)
    one = import_register(org, path=path, mapping=mapping, dry_run=True, workers=1)
    two = import_register(org, path=path, mapping=mapping, dry_run=True, workers=2)
    assert (one.rows, one.accepted, one.rejected) == (two.rows, two.accepted, two.rejected) == (50, 42, 8)
    assert one.rejects == two.rejects


def test_rows_keep_their_numbers_and_encodings_across_read_blocks(
    org: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import safecity.records.import_sources as sources

    rng = random.Random(9)
    rows = [_good_row(rng, n) for n in range(40)]
    rows[17]["DOB"] = "31/02/1990"
    rows[33]["CNIC"] = "4210-123"
    path = tmp_path / "register.csv"
    _write(path, rows, {0, 5, 6, 17, 39})  # written in Windows-1256: rows 2, 7, 8, 19 and 41
    with_fallback = parse_mapping(MAPPING)
    utf8_only = parse_mapping({**MAPPING, "encodings": ["utf-8"]})
    whole = [import_register(org, path=path, mapping=m, dry_run=True) for m in (with_fallback, utf8_only)]
    monkeypatch.setattr(sources, "_BLOCK", 97)  # lines straddle blocks
    small = [import_register(org, path=path, mapping=m, dry_run=True) for m in (with_fallback, utf8_only)]
    for result in whole + small:
        assert result.rows == 40 and result.accepted + result.rejected == result.rows
    assert [(r.row, r.field) for r in small[0].rejects] == [(19, "date_of_birth"), (35, "cnic")]
    assert small[0].fallback_lines == 5
    assert [(r.row, r.field) for r in small[1].rejects] == [
        (2, "encoding"), (7, "encoding"), (8, "encoding"), (19, "encoding"), (35, "cnic"), (41, "encoding"),
    ]  # fmt: skip
    assert [w.rejects for w in whole] == [s.rejects for s in small]
