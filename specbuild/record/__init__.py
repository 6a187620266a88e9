"""Record the traffic an app serves as HTTP Types (the input of ``specbuild build`` and ``check``).

    from specbuild.record import ASGIRecorder, WSGIRecorder
    app = ASGIRecorder(app, to="recordings.jsonl")        # FastAPI, Starlette, any ASGI app
    app.wsgi_app = WSGIRecorder(app.wsgi_app, to="recordings.jsonl")  # Flask (Django: wrap the WSGI app)

Credentials are redacted before a record leaves the process (see :class:`Redaction`); a request only
queues its exchange, and the recorder's thread makes the records and appends them to a JSONL file
safely from many threads and processes (:class:`JsonlSink`), or produces them to
a Kafka topic without ever waiting (``to="kafka://localhost:9092/http_recordings"``,
:class:`KafkaRecordSink`). No third-party
library is needed: the middleware speaks WSGI and ASGI themselves.
"""

from specbuild.record.asgi import ASGIRecorder
from specbuild.record.capture import Redaction
from specbuild.record.sink import JsonlSink, KafkaRecordSink, Sink
from specbuild.record.wsgi import WSGIRecorder

__all__ = ["ASGIRecorder", "JsonlSink", "KafkaRecordSink", "Redaction", "Sink", "WSGIRecorder"]
