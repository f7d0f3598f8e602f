"""``python -m tests.smoke.smtp_sink PORT DIR``: an SMTP server writing each message to DIR."""

from __future__ import annotations

import signal
import sys
import threading

from tests.ops.services import SmtpSink


def main() -> None:
    port, directory = int(sys.argv[1]), sys.argv[2]
    sink = SmtpSink(port, directory).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"SMTP sink on 127.0.0.1:{port}, writing to {directory}", flush=True)
    stop.wait()
    sink.stop()


if __name__ == "__main__":
    main()
