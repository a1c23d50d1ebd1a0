"""Lists the public names of modules that have no docstring: classes,
functions, and the methods and properties of classes defined there.

    python docs/missing_docstrings.py [--strict] MODULE...

Public means: listed in the module's ``__all__``, or, without one, defined
in that module (not imported) with no leading underscore. Exits 1 with --strict
when something is missing.
"""
import importlib
import inspect
import sys


def public(module):
    listed = getattr(module, '__all__', None)
    names = listed if listed is not None else \
        [n for n in vars(module) if not n.startswith('_')]
    for name in names:
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        # __all__ may re-export names of other modules; otherwise only the
        # names defined here count
        if listed is not None or \
                getattr(obj, '__module__', None) == module.__name__:
            yield name, obj


def members(cls):
    for name, obj in vars(cls).items():
        if name.startswith('_'):
            continue
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        if inspect.isfunction(obj) or isinstance(obj, property):
            yield name, obj


def missing(module_name):
    module = importlib.import_module(module_name)
    if not inspect.getdoc(module):
        yield module_name + ' (module)'
    for name, obj in public(module):
        if not obj.__doc__:
            yield module_name + '.' + name
        if inspect.isclass(obj):
            for member, value in members(obj):
                if not value.__doc__:
                    yield '{}.{}.{}'.format(module_name, name, member)


def main(args):
    strict = '--strict' in args
    names = []
    for module_name in [a for a in args if not a.startswith('--')]:
        names += list(missing(module_name))
    if names:
        print('{} public names without a docstring:'.format(len(names)))
        for name in names:
            print('  ' + name)
    else:
        print('every public name has a docstring')
    return 1 if strict and names else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
