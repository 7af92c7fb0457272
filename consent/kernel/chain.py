"""Hash chains for append-only tables: each row hashes its fields and the previous row."""
import hashlib
import json

GENESIS = "0" * 64
UNHASHED = {"seq", "entry_hash"}


def digest(value):
    """Return the SHA-256 of a JSON value in canonical form."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def row_hash(row):
    """Hash a row's fields (including prev_hash) canonically."""
    return digest({k: v for k, v in row.items() if k not in UNHASHED})


def append(db, table, row):
    """Insert a row linked to the table's last row; the caller holds the write lock."""
    last = next(db[table].rows_where(select="entry_hash", order_by="seq desc", limit=1), None)
    row = {**row, "prev_hash": last["entry_hash"] if last else GENESIS}
    row["entry_hash"] = row_hash(row)
    db[table].insert(row)
    return row


def bridged(link, previous, removed):
    """Tell whether link reaches previous by walking back over lawfully removed rows."""
    while link != previous and link in removed:
        link = removed[link]
    return link == previous


def problems(db, table, removed=None):
    """Yield (row, problem) for every broken link or altered row, in order.

    removed maps the entry_hash of each lawfully deleted row to its prev_hash.
    """
    previous = GENESIS
    for row in db[table].rows_where(order_by="seq"):
        if not bridged(row["prev_hash"], previous, removed or {}):
            yield row, "chain broken, an earlier entry was changed or removed"
        if row_hash(row) != row["entry_hash"]:
            yield row, "entry fields do not match its hash"
        previous = row["entry_hash"]
