"""Adapters to files and the validators: JSONL reading, atomic writes, openapi-spec-validator."""
