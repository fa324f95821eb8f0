"""Pipeline pages: thin function views over `queries`, `forms` and `domain`."""
