"""The bad-input corpus: files that publishers really send, each with what ADA must do."""
