def test_logging_a_defect_at_a_stage_shows_it_in_the_open_list(chat):
    assert "Defect #1 logged · Arrival" in chat(
        "/defect arrival: waited 25 minutes with no word from us"
    )
    listing = chat("/defect list")
    assert "waited 25 minutes" in listing
    assert "Arrival" in listing
