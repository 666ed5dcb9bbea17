"""The Fellegi–Sunter model on its own: synthetic registers with known duplicates."""

from __future__ import annotations

import random
from datetime import date

from safecity.records.duplicates_linkage import FIELDS, LinkRecord, score_pairs

GIVEN = ["Asif", "Imran", "Bilal", "Kashif", "Naveed", "Tariq", "Usman", "Zahid", "Adeel", "Faisal", "Hamza"]
SURNAMES = ["Khan", "Butt", "Malik", "Chaudhry", "Shah", "Qureshi", "Awan", "Bhatti", "Rana", "Gill"]
FATHERS = ["Ghulam Rasool", "Abdul Majeed", "Muhammad Iqbal", "Noor Ahmad", "Allah Ditta", "Bashir Ahmed"]
RESPELL = {"Chaudhry": "Ch.", "Asif": "Mohd Asif", "Naveed": "Navid", "Ghulam": "Gulam", "Ahmad": "Ahmed"}


def _respell(name: str) -> str:
    return " ".join(RESPELL.get(part, part) for part in name.split())


def _registers(seed: int) -> tuple[list[LinkRecord], set[tuple[int, int]]]:
    rng = random.Random(seed)
    records = []
    for i in range(300):
        records.append(
            LinkRecord(
                id=i,
                name=f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}",
                father_name=rng.choice(FATHERS),
                cnic=f"35202-{rng.randrange(10**6, 10**7)}-{rng.randrange(10)}"
                if rng.random() < 0.6
                else None,
                date_of_birth=date(rng.randrange(1960, 2004), rng.randrange(1, 13), rng.randrange(1, 28)),
                district_id=rng.randrange(5),
                phone=f"0300{rng.randrange(10**6, 10**7)}" if rng.random() < 0.5 else None,
            )
        )
    truth = set()
    for j in range(40):
        original = records[j]
        records.append(
            LinkRecord(
                id=1000 + j,
                name=_respell(original.name),
                father_name=_respell(original.father_name or ""),
                cnic=original.cnic if j % 2 else None,
                birth_year=original.date_of_birth.year if original.date_of_birth and j % 3 == 0 else None,
                date_of_birth=None if j % 3 == 0 else original.date_of_birth,
                district_id=original.district_id if j % 4 else 9,
                phone=original.phone,
            )
        )
        truth.add((j, 1000 + j))
    return records, truth


def test_respelt_records_of_one_person_are_proposed_and_strangers_are_not() -> None:
    records, truth = _registers(seed=1)
    pairs = score_pairs(records, min_probability=0.5)
    proposed = {(p.person_a, p.person_b) for p in pairs}
    assert len(proposed & truth) >= 0.95 * len(truth)
    assert len(proposed - truth) <= 0.25 * len(truth)
    for pair in pairs:
        if (pair.person_a, pair.person_b) not in truth:
            # a stranger is proposed only when name, father's name and birth year all agree
            agreed = {e.field for e in pair.evidence if e.agreement == "agree"}
            assert {"name", "father_name", "birth_year"} <= agreed


def test_every_proposal_carries_per_field_evidence_that_adds_up() -> None:
    records, _ = _registers(seed=2)
    pairs = score_pairs(records)
    assert pairs
    assert [p.probability for p in pairs] == sorted((p.probability for p in pairs), reverse=True)
    for pair in pairs:
        assert pair.person_a < pair.person_b
        assert [e.field for e in pair.evidence] == list(FIELDS)
        assert abs(sum(e.weight for e in pair.evidence) - pair.match_weight) < 0.01
    cnic = [e for p in pairs for e in p.evidence if e.field == "cnic"]
    agree = {e.weight for e in cnic if e.agreement == "agree"}
    other = {e.weight for e in cnic if e.agreement != "agree"}
    assert agree and other and min(agree) > 0 > max(other)


def test_too_few_records_give_no_pairs() -> None:
    assert score_pairs([]) == []
    assert score_pairs([LinkRecord(id=1, name="Asif Khan")]) == []
