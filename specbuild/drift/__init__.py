"""Drift: traffic against a spec (check), spec against spec (diff), and the reports of both; pure."""
