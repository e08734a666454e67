/*
 * snapshot.c - one read transaction around many reads (yima/store.h,
 * yima_store_snapshot_begin): the reads see one state of the store, and
 * pay the file locking once instead of once per statement.
 */
#include <assert.h>

#include "store_int.h"

int yima_store_snapshot_begin(yima_store *st, bool *began, yima_error *err)
{
    int rc;

    assert(st && began);
    *began = false;
    if (st->ops != &sq_ops || !sqlite3_get_autocommit(((sq *)st->be)->db))
        return 0; /* inside a transaction already: it is the snapshot */
    if ((rc = st->ops->begin_read(st->be, err)) == 0)
        *began = true;
    return rc;
}

void yima_store_snapshot_end(yima_store *st, bool began)
{
    assert(st);
    if (began)
        st->ops->commit(st->be, NULL);
}
