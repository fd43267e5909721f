"""Facts about text, and nothing else of this package: words (`words`), names (`names`),
numbers (`numbers`), who says what (`attribution`), graded support and citation
(`support`), and the bounded memo they share (`memo`).

Pure functions of strings: they import nothing from the rest of `summarizer`, so they can be
tested, reused and mutation-tested alone. The checks (`summarizer.checks`) build on them.
"""
