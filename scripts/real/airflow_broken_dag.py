"""A DAG file with a typo, as teams push them: the server lists it among its import errors."""

from airflow.providers.standard.operators.bash import BashOperatr  # noqa: F401  (the typo)
from airflow.sdk import DAG  # noqa: F401
