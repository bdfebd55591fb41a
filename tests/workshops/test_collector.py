"""The cycle collector's pause is shared by threads: it runs again when the last one leaves."""

import gc
import threading

from workshops import collector


def test_the_collector_rests_while_any_thread_is_inside_and_runs_again_after_the_last():
    assert gc.isenabled()
    inside = threading.Barrier(4)
    seen_resting = []

    def work() -> None:
        for _ in range(200):
            with collector.paused():
                seen_resting.append(not gc.isenabled())
        with collector.paused():
            inside.wait(timeout=30)  # all four inside at once
            seen_resting.append(not gc.isenabled())
            inside.wait(timeout=30)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(seen_resting) and len(seen_resting) == 4 * 201
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
