"""Summarises kosoku reports (index.json): verdicts per case group, and the
pass count. A case passes with behavior OK, NON-STRICT or INFORMATIONAL and
a close verdict OK or INFORMATIONAL. With --unsupported, the cases must
instead be refused cleanly: UNIMPLEMENTED with a clean close. With
--cases, every pattern given (such as '1.* 9.*') must match a case of the
report, so that a run that silently left cases out fails.

    python summary.py REPORT_DIR [--cases PATTERNS] [--unsupported]

Exits with 1 when a case does not meet the expectation, or when the report
has no case.
"""
import collections
import fnmatch
import json
import os
import sys

PASS = ('OK', 'NON-STRICT', 'INFORMATIONAL')
CLOSE_PASS = ('OK', 'INFORMATIONAL')


def main():
    report_dir = sys.argv[1]
    unsupported = '--unsupported' in sys.argv
    patterns = []
    if '--cases' in sys.argv:
        patterns = sys.argv[sys.argv.index('--cases') + 1].split()
    with open(os.path.join(report_dir, 'index.json')) as f:
        index = json.load(f)
    groups = collections.defaultdict(collections.Counter)
    bad = []
    total = 0
    for agent, cases in index.items():
        for case_id, result in cases.items():
            total += 1
            verdict = result['behavior']
            close = result['behaviorClose']
            groups[case_id.split('.')[0]][verdict] += 1
            if unsupported:
                ok = verdict == 'UNIMPLEMENTED' and close in CLOSE_PASS
            else:
                ok = verdict in PASS and close in CLOSE_PASS
            if not ok:
                bad.append('{} {} {}'.format(case_id, verdict, close))
    for group in sorted(groups, key=int):
        counts = ', '.join('{} {}'.format(n, v)
                           for v, n in sorted(groups[group].items()))
        print('  group {:>2}: {}'.format(group, counts))
    what = 'refused cleanly' if unsupported else 'passed'
    print('  {}/{} cases {}'.format(total - len(bad), total, what))
    for line in bad:
        print('  FAILED ' + line)
    case_ids = [case_id for cases in index.values() for case_id in cases]
    unmatched = [p for p in patterns
                 if not fnmatch.filter(case_ids, p)]
    for pattern in unmatched:
        print('  FAILED no case in the report for ' + pattern)
    if not total:
        print('  FAILED the report has no case')
    return 1 if bad or unmatched or not total else 0


if __name__ == '__main__':
    sys.exit(main())
