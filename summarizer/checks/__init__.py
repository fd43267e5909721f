"""The checks of a summary against its article: the error rules (`rules`), built on the text
facts of `summarizer.text`."""
