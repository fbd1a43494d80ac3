"""The rule language: grammar, parser, checker, compiler."""
