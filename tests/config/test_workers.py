"""config.workers: a retiring worker lets keep-alive clients go without resetting them."""

from types import SimpleNamespace

from config.workers import DRAIN_SECONDS, DrainingHttpToolsProtocol


class Timers:
    def __init__(self):
        self.scheduled = []

    def call_later(self, delay, callback):
        self.scheduled.append((delay, callback))

    def fire(self):
        for _, callback in self.scheduled:
            callback()


def protocol(*, response_started, response_complete=False):
    """The protocol of one connection, its current request's answer at the given stage."""
    connection = DrainingHttpToolsProtocol.__new__(DrainingHttpToolsProtocol)
    connection.loop = Timers()
    connection.transport = SimpleNamespace(closed=False)
    connection.transport.close = lambda: setattr(connection.transport, "closed", True)
    connection.cycle = SimpleNamespace(
        response_started=response_started, response_complete=response_complete, keep_alive=True
    )
    return connection


def test_an_answer_not_yet_started_says_connection_close():
    connection = protocol(response_started=False)

    connection.shutdown()

    assert connection.cycle.keep_alive is False


def test_an_answer_already_promising_keep_alive_is_kept_and_the_connection_drains():
    # Its headers went out without "Connection: close"; closing right after it would
    # reset a client that sent its next request meanwhile.
    connection = protocol(response_started=True)

    connection.shutdown()

    assert connection.cycle.keep_alive is True
    assert connection.draining
    assert [delay for delay, _ in connection.loop.scheduled] == [DRAIN_SECONDS]
    connection.cycle.response_complete = True
    connection.loop.fire()
    assert connection.transport.closed


def test_an_idle_connection_closes_only_after_the_drain():
    connection = protocol(response_started=True, response_complete=True)

    connection.shutdown()

    assert not connection.transport.closed
    connection.loop.fire()
    assert connection.transport.closed
