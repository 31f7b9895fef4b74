"""The sample-quality filter's rejection reasons and the pool metrics, on constructed lines."""

from __future__ import annotations

import pytest

from autogets_ray.llm.parsing import parse_reply
from autogets_ray.llm.prompts import get_template
from autogets_ray.llm.quality import LineJudge, PoolExample, distinct_n, pool_quality, similarity

SOURCE = "outlook calendar invite missing for team meeting"
PAPER = get_template("paper").instruction()


@pytest.mark.parametrize(
    "line, reason",
    [
        ("", "empty"),
        ("... --- ...", "empty"),
        ("2018-08-19 13:32:54.094863 0965677", "non_text"),
        ("Here are 5 new lines:", "header"),
        (f"{SOURCE} put", "echo"),  # the example plus the prompt's word
        ("at the end of each line", "echo"),  # a piece of the instruction
        ("Generate 5 lines of the data similar", "echo"),
        ("Outlook calendar invite missing, for team meeting!", "copy"),
        ("outlook calendar invite missing for the team meeting", "near_copy"),
    ],
)
def test_each_rejection_reason(line, reason):
    assert LineJudge(SOURCE, PAPER).rejection(line) == reason


def test_lines_that_copy_another_sample_are_duplicates():
    judge = LineJudge(SOURCE, PAPER)
    judge.keep("vpn client drops every hour on the office wifi")
    assert judge.rejection("VPN client drops every hour on the office wifi.") == "duplicate"
    assert judge.rejection("vpn client drops every hour on the office wi-fi") == "duplicate"
    assert judge.rejection("printer on floor 3 out of toner") is None


def test_paraphrases_and_new_tickets_pass():
    judge = LineJudge(SOURCE, PAPER)
    for line in (
        "meeting invite not showing in outlook calendar",
        "shared mailbox calendar does not sync on mobile",
        "teams meeting link missing from the invitation",
    ):
        assert judge.rejection(line) is None, line


def test_the_similarity_threshold_is_configurable():
    line = "outlook calendar invite missing for the team meeting"
    assert similarity(line, SOURCE) == pytest.approx(similarity(SOURCE, line))
    assert 0.7 < similarity(line, SOURCE) < 1.0
    assert LineJudge(SOURCE, PAPER, near_copy_similarity=1.0).rejection(line) is None


def test_parse_counts_every_reason_and_every_produced_line():
    reply = "\n".join(
        [
            "Here are 5 lines:",
            f"1. {SOURCE} put &",
            "2. at the end of each line &",
            f"3. {SOURCE} &",
            "4. 13:32:54.0948 0965677 &",
            "5. teams meeting link missing from the invitation &",
            "6. Teams meeting link missing from the invitation! &",
            "",
        ]
    )
    parsed = parse_reply(reply, SOURCE, 5, instruction=PAPER)
    assert parsed.samples == ["teams meeting link missing from the invitation"]
    assert parsed.produced == 7
    assert parsed.dropped == {"header": 1, "echo": 2, "copy": 1, "non_text": 1, "duplicate": 1}


def test_pool_metrics_by_hand():
    pool = [
        PoolExample(
            "a b c",
            asked=5,
            samples=["x y z", "x y w"],
            produced=6,
            rejected={"copy": 1, "near_copy": 1, "echo": 2},
            judged=[True, False],
        ),
        PoolExample(
            "d e",
            asked=5,
            samples=["d e f g"],
            produced=4,
            rejected={"empty": 1, "duplicate": 2},
            judged=[True],
        ),
    ]
    quality = pool_quality(pool)
    assert quality["kept_rate"] == round(3 / 10, 4)
    assert quality["copy_rate"] == round(2 / 10, 4)
    # bigrams: (x y) (y z) | (x y) (y w) | (d e) (e f) (f g): 6 distinct of 7
    assert quality["distinct_2"] == round(6 / 7, 4) == round(distinct_n(["x y z", "x y w", "d e f g"]), 4)
    assert quality["label_fidelity"] == round(2 / 3, 4) and quality["judged_samples"] == 3
    assert quality["rejected"] == {"echo": 2, "copy": 1, "near_copy": 1, "duplicate": 2, "empty": 1}
    expected = [similarity("x y z", "a b c"), similarity("x y w", "a b c"), similarity("d e f g", "d e")]
    assert quality["mean_source_similarity"] == round(sum(expected) / 3, 4)


def test_pool_metrics_without_counts_or_judgements_are_unknown():
    quality = pool_quality([PoolExample("a b", asked=5, samples=["c d"])])
    assert quality["copy_rate"] is None and quality["label_fidelity"] is None
    assert quality["kept_rate"] == 0.2
