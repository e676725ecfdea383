"""A fetched page to its article: decode the bytes, judge them, read the article out of the page."""
