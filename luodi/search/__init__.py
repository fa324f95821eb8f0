"""Global search: one in-process lexical index over every catalog object a user may see."""
