"""`/defect list` filters and pages; a tidbit recall shows the newest few and pages the rest."""

from sqlmodel import Session, select

from bot.model import Incoming
from bot.storage.models import Defect, Tidbit


def _ids(reply) -> list[int]:
    return [int(f.label.split(" ", 1)[0].lstrip("#")) for f in reply.fields]


def _count(engine, model) -> int:
    with Session(engine) as session:
        return len(session.exec(select(model)).all())


def _log(chat, clock, lines: list[str]) -> None:
    for line in lines:
        clock.advance(minutes=1)
        chat(line)


def test_a_long_list_pages_ten_at_a_time_with_next_and_previous_buttons(chat, clock):
    _log(chat, clock, [f"/defect arrival: waited {n}" for n in range(1, 26)])
    [first] = chat.replies("/defect list")
    assert first.title == "Open defects (25)"
    assert _ids(first) == list(range(25, 15, -1))
    assert "Page 1 of 3" in first.text
    [after] = [b.command for b in first.buttons if b.label == "Next page"]
    assert after == "defect list open page 2"
    assert not [b for b in first.buttons if b.label == "Previous page"]

    [second] = chat.replies(after)
    assert _ids(second) == list(range(15, 5, -1))
    labels = [b.label for b in second.buttons]
    assert "Previous page" in labels and "Next page" in labels
    assert _ids(chat.replies("/defect list more")[0]) == _ids(second)
    assert _ids(chat.replies("/defect list page 3")[0]) == [5, 4, 3, 2, 1]
    assert "only 3 pages" in chat("/defect list page 9")


def test_closed_shows_closed_defects_and_a_stage_narrows_the_list(chat, clock):
    _log(
        chat,
        clock,
        ["/defect arrival: one", "/defect waiting: two", "/defect arrival: three"],
    )
    chat("/defect close 1 2")
    assert _ids(chat.replies("/defect list")[0]) == [3]
    [closed] = chat.replies("/defect list closed")
    assert closed.title == "Closed defects (2)" and _ids(closed) == [2, 1]
    assert [b for b in closed.buttons if b.label.startswith("Close")] == []
    assert _ids(chat.replies("/defect list arrival")[0]) == [3]
    [both] = chat.replies("/defect list closed arrival")
    assert both.title == "Closed defects at Arrival (1)" and _ids(both) == [1]
    assert _ids(chat.replies("/defect list all")[0]) == [3, 2, 1]
    assert _ids(chat.replies("/defect list front desk")[0]) == [3]  # a two-word alias


def test_mine_and_an_owner_mention_filter_by_person(chat, clock):
    _log(chat, clock, ["/defect arrival: one", "/defect arrival: two", "/defect arrival: three"])
    chat.as_("Sam")("/defect waiting: four")
    chat.as_("Alex")("/defect assign 2 @Priya")
    chat.as_("Priya")("/defect recover 3 rang her")
    assert _ids(chat.as_("Sam").replies("/defect list mine")[0]) == [4]
    assert _ids(chat.as_("Alex").replies("/defect list @Priya")[0]) == [3, 2]
    [owned] = chat.replies("/defect list @Priya arrival")
    assert owned.title == "Open defects at Arrival owned by Priya (2)"
    assert _ids(chat.as_("Priya").replies("/defect list mine")[0]) == [3, 2]


def test_the_page_buttons_keep_the_filters(chat, clock):
    _log(chat, clock, [f"/defect waiting: late {n}" for n in range(12)])
    _log(chat, clock, [f"/defect assign {n} @Priya" for n in range(1, 13)])
    [reply] = chat.replies("/defect list waiting @Priya")
    [after] = [b.command for b in reply.buttons if b.label == "Next page"]
    assert after == "defect list open waiting owner=U-priya page 2"
    assert _ids(chat.replies(after)[0]) == [2, 1]


def test_an_unknown_word_after_list_is_answered_never_ignored(chat, engine):
    chat("/defect arrival: one")
    assert "Did you mean `/defect list closed`?" in chat("/defect list clsoed")
    assert "Did you mean `/defect list arrival`?" in chat("/defect list arival")
    hint = chat("/defect list banana")
    assert "I don't know “banana”" in hint and "`closed`" in hint and "`arrival`" in hint
    assert _count(engine, Defect) == 1


def _remember(chat, clock, count: int, ref: str = "JS-1042") -> None:
    for n in range(1, count + 1):
        clock.advance(minutes=1)
        chat(f"/tidbit {ref} note {n:02d} " + "x" * 492)


def test_a_recall_shows_the_ten_newest_with_the_count_and_pages_the_rest(chat, clock, engine):
    _remember(chat, clock, 61)
    [reply] = chat.replies("/tidbit JS-1042")
    notes = [f.value[:7] for f in reply.fields]
    assert notes == [f"note {n:02d}" for n in range(61, 51, -1)]
    assert "Tidbits 1–10 of 61" in reply.text and "`/tidbit JS-1042 page 2`" in reply.text
    [older] = [b.command for b in reply.buttons if b.label == "Older tidbits"]
    assert older == "tidbit JS-1042 page 2"
    for asked in ("/tidbit JS-1042 more", "/tidbit JS-1042 all", "/" + older):
        [more] = chat.replies(asked)
        assert more.fields[0].value[:7] == "note 51"
    [last] = chat.replies("/tidbit JS-1042 page 7")
    assert [f.value[:7] for f in last.fields] == ["note 01"]
    assert [b.label for b in last.buttons] == ["Newer tidbits"]
    assert _count(engine, Tidbit) == 61  # "more" and "all" were never remembered as notes


def test_a_linked_open_defect_comes_first_however_many_tidbits(chat, clock):
    chat("/defect checkout: charged twice patient: JS-1042")
    _remember(chat, clock, 61)
    for asked in ("/tidbit JS-1042", "/tidbit JS-1042 page 4"):
        [reply] = chat.replies(asked)
        assert reply.fields[0].label.startswith("Defect #1 (open) · Checkout")
        assert "There is a service defect for this patient" in reply.text


def test_a_short_recall_has_no_pages(chat, clock):
    _remember(chat, clock, 3)
    [reply] = chat.replies("/tidbit JS-1042")
    assert len(reply.fields) == 3 and reply.buttons == ()
    assert reply.text.startswith("Something to raise at the next visit.")


def test_a_typed_name_that_is_no_mention_is_asked_for_as_a_mention(chat, huddle):
    chat("/defect arrival: one")
    typed = Incoming(
        platform="slack",
        workspace_id="T1",
        channel_id="C1",
        user_id="U-alex",
        user_name="Alex",
        command="defect",
        text="list @Priya",  # typed, not picked: no mention came with it
    )
    [reply] = huddle.handle(typed)
    assert "mention them" in reply.text and reply.fields == ()
