"""microdot._re_counts.expand_counts: counted repetitions written out for a
`re` without them (MicroPython's). The expansion must match exactly the
strings the original pattern matches with CPython's `re`, on CPython and
on MicroPython's unix port; braces that are not a count stay literal."""
import json
import random
import re
import sys

import pytest

from test_review5_support import run_script
from servers import REPO

sys.path.insert(0, str(REPO / 'python'))
from microdot._re_counts import expand_counts  # noqa: E402

# (not '[]a]': MicroPython's re does not take ']' first in a class)
ATOMS = ['a', 'b', '[ab]', '[^a]', '\\d', '.', '(ab)', '(?:a|b)', '\\{', '[{]', '(a(b)?)',
         '[\\]b]']


def random_pattern(rng, depth=0):
    pattern = ''
    for _ in range(rng.randint(1, 3)):
        if depth == 0 and rng.random() < 0.2:
            atom = '(' + random_pattern(rng, 1) + ')'
        else:
            atom = rng.choice(ATOMS)
        roll = rng.random()
        if roll < 0.5:
            low = rng.randint(1, 3)
            atom += rng.choice(['{%d}' % low, '{%d,}' % low, '{,%d}' % low,
                                '{%d,%d}' % (low, low + rng.randint(0, 2))])
            if rng.random() < 0.2:
                atom += '?'
        elif roll < 0.6:
            atom += rng.choice('*+?')
        pattern += atom
    return pattern


def cases(seed, count):
    """[pattern, [[string, CPython's full match of the original], ...]]"""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        pattern = random_pattern(rng)
        regex = re.compile('^(?:' + pattern + ')$')
        strings = [''.join(rng.choice('ab1{x]') for _ in range(rng.randint(0, 8)))
                   for _ in range(25)]
        out.append([pattern, [[s, bool(regex.match(s))] for s in strings]])
    return out


def test_expansion_matches_what_the_count_matches():
    for pattern, strings in cases(1, 2000):
        expanded = expand_counts(pattern)
        assert '{' not in expanded.replace('\\{', '').replace('[{]', ''), pattern
        regex = re.compile('^(?:' + expanded + ')$')
        for string, matched in strings:
            assert bool(regex.match(string)) == matched, (pattern, expanded, string)


@pytest.mark.parametrize('pattern,expanded', [
    ('[0-9]{4}', '[0-9][0-9][0-9][0-9]'),
    ('\\d{1,3}', '\\d\\d?\\d?'),
    ('(ab){2,}', '(?:ab)(?:ab)(?:ab)*'),
    ('x{,2}?', 'x??x??'),
    ('a{', 'a{'), ('a{x}', 'a{x}'), ('\\{2}', '\\{2}'), ('\\{{2}', '\\{\\{'), ('[{]{2}', '[{][{]'),
    ('{2}', '{2}'), ('a{2,1}', None),
])
def test_expansions(pattern, expanded):
    if expanded is None:
        with pytest.raises(ValueError):
            expand_counts(pattern)
    else:
        assert expand_counts(pattern) == expanded


def test_micropython_matches_what_cpython_matches(tmp_path):
    (tmp_path / 'cases.json').write_text(json.dumps(cases(2, 300)))
    lines = run_script('micropython', '''
        import json, re
        from microdot._re_counts import expand_counts
        checked = differ = 0
        for pattern, strings in json.load(open('cases.json')):
            regex = re.compile('^(?:' + expand_counts(pattern) + ')$')
            for string, matched in strings:
                try:
                    if bool(regex.match(string)) != matched:
                        differ += 1
                        print('differs', pattern, string)
                    checked += 1
                except RuntimeError:  # its matcher's recursion limit
                    break
        print('checked', checked, 'differ', differ)
        ''', tmp_path)
    checked, differ = lines[-1].split()[1::2]
    assert differ == '0', lines[-5:]
    assert int(checked) > 6000  # (all but a few of 7,500)
