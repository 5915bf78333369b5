"""inhd.records and the streamed validation: the same records, lines and problems whatever the chunks."""

import csv
import io

import pytest

from inhd import records
from inhd.data import load_survey, validate

HEADER = "respondent_id,network_id,school_id,wave,team_lead,tenure_years,intensity,gender,race,b01,b02\n"
ITEMS = ["b01", "b02"]
NETWORKS = ("network_id,single_district,archetype,duration_years,hub_type\n"
            "N1,1,instructional,3,ta\nN2,0,ewr,2,ihe\nN3,0,psm,1,other\n")
ROWS = [
    "R1,N1,S1,2023,1,2,0.5,woman,white,4,5\n",
    'R2,N1,"School\r\nwith a break",2023,0,1,1,man,black,3,2\n',   # spans two lines
    "\n",                                                               # blank
    "R3,NX,S1,2023,0,1,1,man,black,3,9\n",                             # line 6: unknown network, off scale
    "R1,N2,S2,2023,0,1,1,woman,asian,1,1\n",                           # duplicate id
    "R4,N2,S2,2023\n",                                                  # too few fields
    ",,,,,,,,,,\n",                                                     # only commas
    "R5,NX,S3,2024,1,0,0,undisclosed,white,2,2\n",                      # the same unknown network
    "R6,N2,S3,2024,1,0,0,undisclosed,white,,\n",
    "R1,N2,S3,2024,1,0,0,woman,white,2,3\n",                            # duplicate id again
]


def _write(tmp_path, text, name="respondents.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 7])
def test_problems_do_not_depend_on_the_chunks(tmp_path, monkeypatch, chunk_rows):
    r = _write(tmp_path, HEADER + "".join(ROWS))
    n = _write(tmp_path, NETWORKS, "networks.csv")
    whole = validate(r, n, items=ITEMS, max_problems=None)
    monkeypatch.setattr(records, "CHUNK_ROWS", chunk_rows)
    chunked = validate(r, n, items=ITEMS, max_problems=None)
    assert [str(p) for p in chunked.problems] == [str(p) for p in whole.problems]
    assert (chunked.n_problems, chunked.notes, chunked.n_persons, chunked.n_networks) == \
        (whole.n_problems, whole.notes, whole.n_persons, whole.n_networks)
    lines = {(p.line, p.column) for p in whole.problems}
    assert {(6, "network_id"), (6, "b02"), (7, "respondent_id"), (8, None), (9, None), (12, "respondent_id")} <= lines
    assert any("'NX' is not a network_id" in p.message and "(2 respondents; this is the first)" in p.message
               for p in whole.problems)
    assert any("'R1' appears again (first on line 2)" in p.message and p.line == 12 for p in whole.problems)


def test_records_and_lines_equal_the_csv_module_on_the_whole_text(tmp_path):
    text = HEADER + "".join(ROWS) + 'R9,N3,"a\rb",2023,0,1,1,man,black,3,2'      # a lone \r, no final newline
    path = _write(tmp_path, text)
    expected, reader, before = [], csv.reader(io.StringIO(text, newline=""), strict=True), 0
    for row in reader:
        if row:
            expected.append((before + 1, row))
        before = reader.line_num
    for size in (1, 4, 100):
        got = [(int(line), row) for chunk in records.chunks(path, chunk_rows=size)
               for line, row in zip(chunk.lines, chunk.rows)]
        assert got == expected


def test_loading_in_chunks_gives_the_same_tables(tmp_path, monkeypatch):
    rows = [f"R{i},N{1 + i % 3},S{i % 4},{2023 + i % 2},{i % 2},{i % 5},0.5,woman,white,{1 + i % 5},{1 + i % 3}\n"
            for i in range(50)]
    r = _write(tmp_path, HEADER + "".join(rows))
    n = _write(tmp_path, NETWORKS, "networks.csv")
    whole = load_survey(r, n, items=ITEMS)
    monkeypatch.setattr(records, "CHUNK_ROWS", 7)
    chunked = load_survey(r, n, items=ITEMS)
    assert chunked.respondents.equals(whole.respondents) and chunked.networks.equals(whole.networks)
    assert list(chunked.respondents.dtypes.astype(str))[-2:] == ["Int64", "Int64"]


def test_a_broken_quote_after_some_chunks_keeps_the_rows_before(tmp_path, monkeypatch):
    r = _write(tmp_path, HEADER + "".join(ROWS[:2]) + 'R7,"N1,S1\n' + ROWS[0])
    n = _write(tmp_path, NETWORKS, "networks.csv")
    monkeypatch.setattr(records, "CHUNK_ROWS", 1)
    report = validate(r, n, items=ITEMS)
    assert [p.line for p in report.problems] == [5] and "quote opened on this line" in report.problems[0].message
