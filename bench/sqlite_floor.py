#!/usr/bin/env python3
"""SQLite's own pace at storing a trace's events on this machine, beside the import rate.

Copies one trace's stored events (the table event_rows, every column the import writes, its indexes) into an empty
table of the same shape in a new database with the import's settings (page size 16384, no sync, no journal), in one
INSERT ... SELECT that runs inside SQLite: no parsing, no accounting, no values bound from outside. The copy also
reads the rows, which the import does not, so storing alone is somewhat faster than this (an estimate of the reading
that does not cost as much as the reading itself was not found: SQL expressions over every column cost more). An
importer that stores each event as a SQLite row stores them at about this pace at best, whatever else it does.

usage: sqlite_floor.py DB [TRACE_ID]     (prints: rows, seconds, M rows/s)
"""
import os
import re
import sqlite3
import sys
import tempfile
import time

COLUMNS = ("trace_id, seq, line, pid, api, site_id, size, nmemb, elsize, ptr, old_ptr, freed_bytes, replaced, "
           "live_bytes, live_blocks, chain_id, leaked, stack_id, time_ns, freed_site_id")


def main():
    db, trace = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with tempfile.TemporaryDirectory() as work:
        conn = sqlite3.connect(os.path.join(work, "floor.db"), isolation_level=None)
        conn.executescript("PRAGMA page_size = 16384; PRAGMA synchronous = OFF; PRAGMA journal_mode = OFF; "
                           "PRAGMA cache_size = -65536;")
        conn.execute("ATTACH DATABASE ? AS src", (db,))
        first, last = conn.execute("SELECT first_event_id, last_event_id FROM src.traces WHERE id = ?", (trace,)).fetchone()
        shape = conn.execute("SELECT sql FROM src.sqlite_master WHERE type = 'table' AND name = 'event_rows'").fetchone()
        if shape is None:
            sys.exit(f"{db}: no table event_rows (a database of schema 11 or later is needed)")
        conn.execute(re.sub(r"^CREATE TABLE (IF NOT EXISTS )?event_rows", "CREATE TABLE main.event_rows", shape[0]))
        for index in conn.execute("SELECT sql FROM src.sqlite_master WHERE type = 'index' AND tbl_name = 'event_rows'").fetchall():
            conn.execute(re.sub(r"^CREATE INDEX (IF NOT EXISTS )?", "CREATE INDEX main.", index[0]))
        conn.execute(f"SELECT count(*) FROM src.event_rows WHERE id BETWEEN {first} AND {last}").fetchone()  # warm the file's pages
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO main.event_rows({COLUMNS}) SELECT {COLUMNS} FROM src.event_rows WHERE id BETWEEN {first} AND {last}")
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        rows = last - first + 1
        print(f"{rows} rows copied inside SQLite (reading them included) in {seconds:.2f} s = {rows / seconds / 1e6:.2f} M rows/s")


if __name__ == "__main__":
    main()
