"""Read a running pathwayd's LMDB store, read-only, through liblmdb (ctypes).

For tests that assert what the daemon keeps that no command shows, such as
its armed timers: records(db_dir, "timer_recs") is every record of that
database as parsed JSON, in key order. LMDB lets another process read while
the daemon writes; a read sees the last committed transaction.
"""
import ctypes
import ctypes.util
import json

MDB_RDONLY = 0x20000
MDB_NEXT = 8
MDB_NOTFOUND = -30798


class _Val(ctypes.Structure):
    _fields_ = [("mv_size", ctypes.c_size_t), ("mv_data", ctypes.c_void_p)]


def _lib():
    lib = ctypes.CDLL(ctypes.util.find_library("lmdb") or "liblmdb.so.0")
    lib.mdb_strerror.restype = ctypes.c_char_p
    return lib


def records(path, db):
    """Every record of database db (a name, e.g. "timer_recs") in the store at path."""
    lib = _lib()

    def check(rc):
        if rc != 0:
            raise RuntimeError(lib.mdb_strerror(rc).decode())

    env, txn, dbi, cur = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_uint(), ctypes.c_void_p()
    out = []
    check(lib.mdb_env_create(ctypes.byref(env)))
    try:
        check(lib.mdb_env_set_maxdbs(env, 64))
        check(lib.mdb_env_open(env, path.encode(), MDB_RDONLY, 0o640))
        check(lib.mdb_txn_begin(env, None, MDB_RDONLY, ctypes.byref(txn)))
        try:
            check(lib.mdb_dbi_open(txn, db.encode(), 0, ctypes.byref(dbi)))
            check(lib.mdb_cursor_open(txn, dbi, ctypes.byref(cur)))
            k, v = _Val(), _Val()
            while True:
                rc = lib.mdb_cursor_get(cur, ctypes.byref(k), ctypes.byref(v), MDB_NEXT)
                if rc == MDB_NOTFOUND:
                    break
                check(rc)
                out.append(json.loads(ctypes.string_at(v.mv_data, v.mv_size)))
            lib.mdb_cursor_close(cur)
        finally:
            lib.mdb_txn_abort(txn)
    finally:
        lib.mdb_env_close(env)
    return out
