/*
 * fields.c - the members of an event object, named once.
 *
 * Validation, the pre-hash string and the canonical bytes each want the
 * same two dozen members of every event. Asking the object for each name
 * (json_object_get(): a string hash and a compare) and telling standard
 * members from extensions by comparing every key with every name was a
 * seventh of the time of a read. So one pass over the members files each
 * value under its field (epcis_fields), and the three of them index that.
 */
#include <assert.h>
#include <string.h>

#include "epcis_int.h"

static const char *const names[EPCIS_F_N] = {
    [EPCIS_F_CONTEXT] = "@context",
    [EPCIS_F_TYPE] = "type",
    [EPCIS_F_EVENT_TIME] = "eventTime",
    [EPCIS_F_RECORD_TIME] = "recordTime",
    [EPCIS_F_TZ_OFFSET] = "eventTimeZoneOffset",
    [EPCIS_F_EVENT_ID] = "eventID",
    [EPCIS_F_CERT] = "certificationInfo",
    [EPCIS_F_ERROR_DECL] = "errorDeclaration",
    [EPCIS_F_PARENT_ID] = "parentID",
    [EPCIS_F_EPC_LIST] = "epcList",
    [EPCIS_F_CHILD_EPCS] = "childEPCs",
    [EPCIS_F_INPUT_EPCS] = "inputEPCList",
    [EPCIS_F_OUTPUT_EPCS] = "outputEPCList",
    [EPCIS_F_QUANTITY] = "quantityList",
    [EPCIS_F_CHILD_QUANTITY] = "childQuantityList",
    [EPCIS_F_INPUT_QUANTITY] = "inputQuantityList",
    [EPCIS_F_OUTPUT_QUANTITY] = "outputQuantityList",
    [EPCIS_F_ACTION] = "action",
    [EPCIS_F_TRANSFORMATION_ID] = "transformationID",
    [EPCIS_F_BIZ_STEP] = "bizStep",
    [EPCIS_F_DISPOSITION] = "disposition",
    [EPCIS_F_PERSISTENT] = "persistentDisposition",
    [EPCIS_F_READ_POINT] = "readPoint",
    [EPCIS_F_BIZ_LOCATION] = "bizLocation",
    [EPCIS_F_BIZ_TX] = "bizTransactionList",
    [EPCIS_F_SOURCE] = "sourceList",
    [EPCIS_F_DEST] = "destinationList",
    [EPCIS_F_SENSORS] = "sensorElementList",
    [EPCIS_F_ILMD] = "ilmd",
    [EPCIS_F_ID] = "id",
};

/* The fields whose names start with each byte, as field + 1, ending in 0:
 * a key is compared with at most five names. */
#define F(x) (EPCIS_F_##x + 1)
static const unsigned char by_first[128][6] = {
    ['@'] = {F(CONTEXT)},
    ['a'] = {F(ACTION)},
    ['b'] = {F(BIZ_STEP), F(BIZ_LOCATION), F(BIZ_TX)},
    ['c'] = {F(CERT), F(CHILD_EPCS), F(CHILD_QUANTITY)},
    ['d'] = {F(DISPOSITION), F(DEST)},
    ['e'] = {F(EVENT_TIME), F(TZ_OFFSET), F(EVENT_ID), F(EPC_LIST),
             F(ERROR_DECL)},
    ['i'] = {F(INPUT_EPCS), F(INPUT_QUANTITY), F(ILMD), F(ID)},
    ['o'] = {F(OUTPUT_EPCS), F(OUTPUT_QUANTITY)},
    ['p'] = {F(PARENT_ID), F(PERSISTENT)},
    ['q'] = {F(QUANTITY)},
    ['r'] = {F(RECORD_TIME), F(READ_POINT)},
    ['s'] = {F(SOURCE), F(SENSORS)},
    ['t'] = {F(TYPE), F(TRANSFORMATION_ID)},
};
#undef F

const char *epcis_field_name(epcis_field f)
{
    assert(f >= 0 && f < EPCIS_F_N);
    return names[f];
}

int epcis_field_of(const char *key)
{
    unsigned char c = (unsigned char)key[0];

    if (c >= 128)
        return -1;
    for (const unsigned char *f = by_first[c]; *f; f++)
        if (strcmp(key, names[*f - 1]) == 0)
            return *f - 1;
    return -1;
}

void epcis_fields_get(const json_t *ev, epcis_fields *out)
{
    const char *key;
    json_t *v;

    memset(out, 0, sizeof *out);
    out->depth = -1;
    json_object_foreach((json_t *)ev, key, v)
    {
        int f = epcis_field_of(key);

        if (f < 0) {
            out->n_other++;
        } else {
            out->v[f] = v;
            out->present |= 1u << f;
        }
    }
}

/* Most objects inside an event have a member or three (readPoint, a
 * quantity, a bizTransaction): walking them and comparing names costs less
 * than hashing the key, and each is looked up two or three times (checks,
 * pre-hash, canonical bytes). Larger ones go through the hash table. */
#define MEMBERS_WALKED 4

json_t *epcis_member(const json_t *o, const char *key)
{
    if (json_object_size(o) > MEMBERS_WALKED)
        return json_object_get(o, key);
    for (void *it = json_object_iter((json_t *)o); it;
         it = json_object_iter_next((json_t *)o, it))
        if (strcmp(json_object_iter_key(it), key) == 0)
            return json_object_iter_value(it);
    return NULL;
}
