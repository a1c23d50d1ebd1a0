"""C expressions for test data, shared by the vector emitters (vec_*.py)."""
from gen_vectors import c_bytes


def c_data(defs, label, s):
    """A C expression for byte string s: a literal, or for strings too long
    for a portable literal (C99 guarantees 4095 bytes) a static array added
    to `defs`."""
    if len(s) < 4000:
        return c_bytes(s)
    defs.append('static const char %s[] = {%s};\n' % (label, ','.join(str(ord(c)) for c in s)))
    return label
