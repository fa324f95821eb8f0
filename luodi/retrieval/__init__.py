"""One retrieval layer for search and matchmaking: one document adapter and one index per
kind (achievement, organization, need, person, carrier, trial), kept current by jobs, with
who-may-see-it stored in every document so a backend filters before it ranks.

    kinds.py        the kinds and their documents (the only ORM → Document adapter)
    audience.py     visibility tokens of a record and of a user (mirrors catalog.rules)
    indexing.py     the queue of changed records and the jobs that apply it
    generations.py  published in-process index generations (shared storage, versioned)
    engine.py       the backend each process reads from (in-process or Milvus)
"""
