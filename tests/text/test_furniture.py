"""summarizer.text.furniture: captions, bylines, photo notes and links are not proposable.

Inputs are short excerpts of Daily Mail articles in news_dev and FRANK (research licence;
source named), and the forms issue #37 quotes."""

from __future__ import annotations

import pytest

from summarizer.text.furniture import proposable, rule_of


@pytest.mark.parametrize(
    "sentence",
    [
        "Scroll down for video.",
        "Read more about the UK's referendum on the EU",
        "Click here for more information regarding the safari trip.",
        "Find out more about Western Sahara.",  # news_dev line 33: a link, a key point
        "By . John Smith .",
        "PUBLISHED: 12:31 EST, 3 May 2015 | UPDATED: 14:02 EST, 3 May 2015",
        "Follow us on Twitter @BBCNewsEnts, on Instagram at bbcnewsents.",
        # a caption's label, in each of its forms
        "Victim: DNA tests reportedly link the arrested man to the murder of Ms Chatelain.",
        "Scene of death: A destroyed graveyard is photographed in Yarmouk camp.",
        "TUNE-UP: Clinton's presidential campaign prepared to hit the road again on Saturday.",
        "Ditching Wall Street: The banker, right, left his job to open a bakery.",
        # a photo note in a sentence without a stop: a caption
        "Labour received a cheque from Unite, entrenching its reliance on Len McCluskey (pictured)",
        # a caption run into the sentence after it, a label spliced in
        "The actress models the hairstyle (pictured) of Hillary Clinton Obsessed with her "
        "style: Julia questioned why so many people have made such a fuss.",
    ],
)
def test_furniture_and_captions_leave_nothing_to_propose(sentence: str) -> None:
    assert proposable(sentence) == "", rule_of(sentence)


@pytest.mark.parametrize(
    ("sentence", "left"),
    [
        (
            "Sid Ahmed Ghlam (pictured) had shot himself in the leg before his arrest.",
            "Sid Ahmed Ghlam had shot himself in the leg before his arrest.",
        ),
        (
            "A student turned to sex work after her loan failed to cover her rent (pictured "
            "posed by model).",
            "A student turned to sex work after her loan failed to cover her rent.",
        ),
        (
            "Charlie, pictured with his sister Lily, would cost £10,000.",
            "Charlie would cost £10,000.",
        ),
        ("Scott (left) and Slager (right) were both Coast Guard veterans.",
         "Scott and Slager were both Coast Guard veterans."),
    ],
)  # fmt: skip
def test_a_photo_note_is_cut_out_of_its_sentence(sentence: str, left: str) -> None:
    assert proposable(sentence) == left


@pytest.mark.parametrize(
    "sentence",
    [
        "Nicholls said: 'I have not made up my mind if I am going to run Sam Winner yet.'",
        "He laughs: 'It keeps me busy.'",
        'Former England spinner Graeme Swann: "I am proud of the way England played.',
        "With the new Avengers: Age of Ultron movie released this week, James Haskell posed.",
        "Fall of an Empire: The Story of Katherine of Alexandria has been dubbed a hit.",
        "At about 13:00 local time, returning officers had declared results.",
        "In 1956, a photo of Grace Kelly was pictured carrying the bag to hide her pregnancy.",
        "By 2020, the government hopes to have cut the deficit.",
    ],
)
def test_the_articles_own_sentences_are_kept_whole(sentence: str) -> None:
    assert proposable(sentence) == sentence
