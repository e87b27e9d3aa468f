"""The Textual review screen: a thin view over review.Review."""
