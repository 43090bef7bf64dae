"""The accounting export is validated before anything is compared; a bad file names its line."""

import pytest

from pulsebi.errors import UsageError
from pulsebi.reconcile.accounting import AccountingFileError, read_accounting_file

HEADER = "invoice_no,invoiced_on,customer,amount,status"


def write(tmp_path, content: str | bytes):
    path = tmp_path / "accounting.csv"
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def test_a_good_file_reads_in_any_column_order_with_bom_and_crlf(tmp_path) -> None:
    path = write(
        tmp_path,
        b"\xef\xbb\xbfstatus,amount,customer,invoiced_on,invoice_no,note\r\n"
        b'paid,1234.50,"Smith, Jo",2026-06-01,INV-1,x\r\nvoid,-5,,2026-06-02,INV-2,\r\n',
    )
    assert read_accounting_file(path) == [
        (2, "INV-1", "2026-06-01", "Smith, Jo", "1234.50", "paid"),
        (3, "INV-2", "2026-06-02", "", "-5", "void"),
    ]


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        (["invoice_no,invoiced_on,customer,status", "A,2026-06-01,x,paid"], 1, "amount"),
        ([HEADER, "A,2026-06-01,x,10.00,paid", "B,2026-06-01,x,12;50,paid"], 3, "amount '12;50'"),
        ([HEADER, "A,2026-06-01,x,1 000.00,paid"], 2, "amount"),
        ([HEADER, "A,2026-06-01,x,10.005,paid"], 2, "amount '10.005'"),
        ([HEADER, "A,2026-06-01,x,,paid"], 2, "amount ''"),
        ([HEADER, "A,2026-06-01,x,1.00,paid", "B,01/06/2026,x,1.00,paid"], 3, "invoiced_on"),
        ([HEADER, "A,2026-02-30,x,1.00,paid"], 2, "invoiced_on '2026-02-30'"),
        ([HEADER, "A,2026-06-01,x,1.00,Paid", "B,2026-06-01,x,1.OO,paid"], 3, "amount '1.OO'"),
        ([HEADER, ",2026-06-01,x,1.00,paid"], 2, "invoice_no is empty"),
        ([HEADER, "A,2026-06-01,x,1.00"], 2, "4 fields"),
        ([HEADER + ",amount", "A,2026-06-01,x,1.00,paid,2"], 1, "repeats column(s) amount"),
    ],
)
def test_a_bad_file_is_rejected_naming_file_and_line(tmp_path, lines, line, words) -> None:
    path = write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(AccountingFileError) as caught:
        read_accounting_file(path)
    message = str(caught.value)
    assert f"{path}, line {line}:" in message
    assert words in message
    assert isinstance(caught.value, UsageError) and caught.value.exit_code == 2


def test_every_bad_line_is_listed(tmp_path) -> None:
    path = write(tmp_path, f"{HEADER}\nA,x,c,1.00,paid\nB,2026-06-01,c,1.00,paid\nC,y,c,z,paid\n")
    with pytest.raises(AccountingFileError) as caught:
        read_accounting_file(path)
    assert [line for line, _ in caught.value.problems] == [2, 4]


def test_an_empty_a_missing_and_a_binary_file_are_rejected(tmp_path) -> None:
    for content, words in ((b"", "is empty"), (b"\xff\xfe\x00junk", "not UTF-8")):
        path = write(tmp_path, content)
        with pytest.raises(AccountingFileError, match=words):
            read_accounting_file(path)
    with pytest.raises(AccountingFileError, match="cannot be read"):
        read_accounting_file(tmp_path / "nowhere.csv")


def test_a_quoted_newline_keeps_line_numbers_of_the_file(tmp_path) -> None:
    path = write(
        tmp_path, f'{HEADER}\nA,2026-06-01,"two\nlines",1.00,paid\nB,2026-06-01,c,x,paid\n'
    )
    with pytest.raises(AccountingFileError, match=r"line 4: amount 'x'"):
        read_accounting_file(path)


def test_an_odd_status_is_data_read_as_written(tmp_path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\nA,2026-06-01,x,1.00,Paid\nB,2026-06-01,x,2.00,\nC,2026-06-01,x,3.00, void\n",
    )
    assert [row[-1] for row in read_accounting_file(path)] == ["Paid", "", " void"]
