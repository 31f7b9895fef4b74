"""Messy replies parse as specified (autogets_ray.llm.parsing docstring)."""

from __future__ import annotations

import pytest

from autogets_ray.llm.parsing import clean_line, parse_reply

SOURCE = "laptop screen broken please replace"


def test_numbering_bullets_ampersands_and_blank_lines_are_removed():
    reply = (
        "1. printer jam in office &\n\n2) toner empty again &\n  - scanner not working &\n"
        "* paper tray stuck &\n(5) driver install fails &"
    )
    parsed = parse_reply(reply, SOURCE, 5)
    assert parsed.samples == [
        "printer jam in office",
        "toner empty again",
        "scanner not working",
        "paper tray stuck",
        "driver install fails",
    ]
    assert parsed.asked == 5 and parsed.kept == 5


def test_preamble_copies_duplicates_and_overlong_lines_are_dropped():
    reply = (
        "Here are 5 lines similar to your data:\n"
        "1. Laptop screen broken, please replace! &\n"  # copy of the source
        "2. dock not charging laptop &\n"
        "3. DOCK not charging laptop &\n"  # duplicate
        f"4. {'word ' * 100}&\n"  # over-long
        "5. keyboard keys stuck &"
    )
    parsed = parse_reply(reply, SOURCE, 5)
    assert parsed.samples == ["dock not charging laptop", "keyboard keys stuck"]
    assert parsed.dropped == {"header": 1, "copy": 1, "duplicate": 1, "too_long": 1}
    assert parsed.kept == 2 and parsed.asked == 5


def test_lines_joined_by_ampersands_on_one_line_are_split_but_r_and_d_is_kept():
    parsed = parse_reply("vpn drops hourly & wifi slow in R&D lab & proxy blocks site &", SOURCE, 5)
    assert parsed.samples == ["vpn drops hourly", "wifi slow in R&D lab", "proxy blocks site"]


def test_at_most_n_samples_are_kept():
    reply = "\n".join(f"{i}. line number {i} &" for i in range(1, 9))
    parsed = parse_reply(reply, SOURCE, 5)
    assert parsed.kept == 5 and parsed.dropped == {"extra": 3}
    assert parsed.samples[0] == "line number 1"


def test_empty_and_punctuation_only_replies_keep_nothing():
    assert parse_reply("", SOURCE, 5).samples == []
    parsed = parse_reply("1. &\n2. ...\n---", SOURCE, 5)
    assert parsed.samples == [] and parsed.dropped["empty"] == 3


def test_quotes_and_line_labels_are_stripped():
    assert clean_line('Line 3: "mailbox full again" &') == "mailbox full again"
    assert clean_line("1. - outlook crashes &") == "outlook crashes"


def test_explicit_max_chars_and_already_seen_samples():
    parsed = parse_reply("short one &\na somewhat longer line &", SOURCE, 5, max_chars=10, seen={"short one"})
    assert parsed.samples == [] and parsed.dropped == {"duplicate": 1, "too_long": 1}


def test_n_must_be_positive():
    with pytest.raises(ValueError, match="n must be at least 1"):
        parse_reply("x", SOURCE, 0)
