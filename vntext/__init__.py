"""Vietnamese text, shared by the indexer and retrieval: pure functions and the word lists they read.

- `normalize`: NFC, tone placement, spaces, repaired document numbers; folding; web-page chrome.
- `words`: the one word tokenizer.
- `language`: syllable shape and the share of English in a query.
- `numbers`: document numbers, their keys, document types and their abbreviations.
- `names`: the usual case of organ names.
- `legacy`: the TCVN3 and VNI encodings.
- `restore`: diacritics put back on a query typed without them.
- `data/`: the word lists, as JSON files loaded once."""
