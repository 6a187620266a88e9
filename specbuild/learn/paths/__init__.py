"""Path templates: segments typed at ingest (templater), templates decided late from all the evidence."""
