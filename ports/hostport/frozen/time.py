"""A minimal time for the host port (frozen by ports/hostport/frozen/
manifest.py; the sdist has no extmod/, where MicroPython's time lives): the
clock is asyncio's virtual one, starting at 2024-01-01T00:00:00Z."""
import asyncio

_EPOCH = 1704067200


def time():
    return _EPOCH + int(asyncio._loop.now)


def monotonic():
    return asyncio._loop.now


def ticks_ms():
    return int(asyncio._loop.now * 1000)


def ticks_diff(a, b):
    return a - b


def gmtime(secs=None):
    """(year, month, mday, hour, minute, second, weekday (Monday 0), yearday)."""
    secs = time() if secs is None else int(secs)
    days, rest = divmod(secs, 86400)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    # civil date from days since 1970-01-01 (proleptic Gregorian)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    mday = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    yearday = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][month - 1] + mday
    if leap and month > 2:
        yearday += 1
    return (year, month, mday, rest // 3600, rest // 60 % 60, rest % 60, weekday, yearday)
