/*
 * test_epcis_read.c - the EPCIS 2.0 reader and writer (lib/epcis): every
 * official example in tests/data/epcis/examples/ reads, with the right
 * event counts, identifiers and canonical bytes that hash like the input;
 * what yima writes back validates against the EPCIS 2.0 JSON Schema
 * (tests/epcis/validate-schema.py, python3-jsonschema); each validation
 * rule with its exact message; all-or-nothing against YIMA_EPCIS_PROCEED;
 * NDJSON; limits.
 *
 * Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "epcis/epcis_int.h" /* jmem, to test it from inside */
#include "yima/epcis.h"

#include "test_util.h"

#define EX            "tests/data/epcis/examples/"
#define SCHEMA_SCRIPT "tests/epcis/validate-schema.py"

/* Every official example and its number of events. */
static const struct {
    const char *path;
    size_t events;
    int flags;
} examples[] = {
    {"AssociationEvent/AssociationEvent-a.jsonld", 1, 0},
    {"AssociationEvent/AssociationEvent-b.jsonld", 1, 0},
    {"AssociationEvent/AssociationEvent-c.jsonld", 1, 0},
    {"AssociationEvent/AssociationEvent-d.jsonld", 1, 0},
    {"AssociationEvent/AssociationEvent-e.jsonld", 1, 0},
    {"AssociationEvent/AssociationEvent-f.jsonld", 1, 0},
    {"AssociationEvent/AssociationEvent-g.jsonld", 1, 0},
    /* repeats eventID: read only with YIMA_EPCIS_DUP_KEYS (last wins) */
    {"AssociationEvent/AssociationEvent-h.jsonld", 1, YIMA_EPCIS_DUP_KEYS},
    {"EPCISQueryDocument.jsonld", 2, 0},
    {"Example-TransactionEvents-2020_07_03y.jsonld", 2, 0},
    {"Example-Type-sourceOrDestination,measurement,bizTransaction.jsonld", 1,
     0},
    {"Example_9.6.1-ObjectEvent-with-pseudo-SBDH-headers.jsonld", 2, 0},
    {"Example_9.6.1-ObjectEvent.jsonld", 2, 0},
    {"Example_9.6.1-with-comment.jsonld", 2, 0},
    {"Example_9.6.2-ObjectEvent.jsonld", 1, 0},
    {"Example_9.6.3-AggregationEvent.jsonld", 1, 0},
    {"Example_9.6.4-TransformationEvent.jsonld", 1, 0},
    {"PersistentDisposition-example.jsonld", 2, 0},
    {"WithDigitalLinkID/Example_9.6.1-ObjectEventWithDigitalLink.jsonld", 2, 0},
    {"WithDigitalLinkID/Example_9.6.2-ObjectEventWithDigitalLink.jsonld", 1, 0},
    {"WithDigitalLinkID/Example_9.6.3-AggregationEventWithDigitalLink.jsonld",
     1, 0},
    {"WithDigitalLinkID/"
     "Example_9.6.4-TransformationEventWithDigitalLink.jsonld",
     1, 0},
    {"WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld", 2, 0},
    {"WithErrorDeclaration/"
     "Example_9.6.1-ObjectEvent-with-error-declaration.jsonld",
     2, 0},
    {"WithFullCombinationOfFields/aggregation_event_all_possible_fields.jsonld",
     1, 0},
    {"WithFullCombinationOfFields/association_event_all_possible_fields.jsonld",
     1, 0},
    {"WithFullCombinationOfFields/object_event_all_possible_fields.jsonld", 1,
     0},
    {"WithFullCombinationOfFields/transaction_event_all_possible_fields.jsonld",
     1, 0},
    {"WithFullCombinationOfFields/"
     "transformation_event_all_possible_fields.jsonld",
     1, 0},
    {"WithSensorData/SensorDataExample1.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample10.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample11.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample12.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample13.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample14.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample15.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample16.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample17.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample1b.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample2.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample3.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample4.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample5.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample6.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample7.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample8.jsonld", 1, 0},
    {"WithSensorData/SensorDataExample9.jsonld", 1, 0},
};

#define N_EXAMPLES (sizeof examples / sizeof examples[0])

/* ---- helpers ------------------------------------------------------------ */

/* Read example i (its own flags plus `flags`); fails the test on error. */
static yima_event_batch *read_example(size_t i, int flags)
{
    char path[512];
    yima_event_batch *b = NULL;
    yima_error err;
    size_t len = 0;
    char *doc;
    int rc;

    snprintf(path, sizeof path, EX "%s", examples[i].path);
    doc = slurp(path, &len);
    if (!doc)
        fail_msg("cannot read %s", path);
    rc = yima_epcis_read(doc, len, examples[i].flags | flags, &b, &err);
    free(doc);
    if (rc != 0)
        fail_msg("%s: %s", path, err.msg);
    return b;
}

/* Read one text; return the code, the message in msg. */
static int read_text(const char *json, int flags, yima_event_batch **b,
                     yima_error *err)
{
    return yima_epcis_read(json, strlen(json), flags, b, err);
}

/* The read of json must fail with exactly `want`; says so and returns
 * false when it does not. */
static bool expect_error(const char *json, int code, const char *want)
{
    yima_event_batch *b = (yima_event_batch *)1;
    yima_error err;
    int rc = read_text(json, 0, &b, &err);

    if (rc == code && strcmp(err.msg, want) == 0 && b == NULL)
        return true;
    print_error("input %s\n  got  %d \"%s\"\n  want %d \"%s\"\n", json, rc,
                err.msg, code, want);
    if (rc == 0)
        yima_event_batch_free(b);
    return false;
}

static const yima_event_code *find_code(const yima_event *ev, const char *code,
                                        yima_code_role role)
{
    for (size_t i = 0; i < ev->n_codes; i++)
        if (ev->codes[i].role == role && strcmp(ev->codes[i].code, code) == 0)
            return &ev->codes[i];
    return NULL;
}

static const yima_event *only_event(const char *file, yima_event_batch **b)
{
    for (size_t i = 0; i < N_EXAMPLES; i++)
        if (strcmp(examples[i].path, file) == 0) {
            *b = read_example(i, 0);
            return yima_event_batch_get(*b, 0);
        }
    fail_msg("no example %s", file);
    return NULL;
}

/* ---- the examples ------------------------------------------------------- */

/* Every example reads; counts match; every event is complete, and its
 * canonical bytes, hashed on their own, give the same hash ID. */
static void test_examples_read(void **state)
{
    char id[YIMA_EPCIS_HASH_ID_LEN + 1];
    size_t total = 0;
    yima_error err;

    (void)state;
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        yima_event_batch *b = read_example(i, 0);
        const yima_epcis_reject *rej;

        if (yima_event_batch_count(b) != examples[i].events)
            fail_msg("%s: %zu events, want %zu", examples[i].path,
                     yima_event_batch_count(b), examples[i].events);
        assert_int_equal(yima_event_batch_rejects(b, &rej), 0);
        assert_null(yima_event_batch_get(b, examples[i].events));
        for (size_t k = 0; k < yima_event_batch_count(b); k++) {
            const yima_event *ev = yima_event_batch_get(b, k);
            assert_true(ev->type >= YIMA_EVENT_OBJECT &&
                        ev->type <= YIMA_EVENT_ASSOCIATION);
            assert_non_null(ev->event_id);
            assert_int_equal(strlen(ev->hash_id), YIMA_EVENT_HASH_LEN);
            assert_true(ev->json_len > 0 &&
                        ev->json_len <= YIMA_EVENT_JSON_MAX);
            assert_int_equal(strlen(ev->json), ev->json_len);
            assert_true(ev->event_time_ms > 0);
            assert_true((ev->action != NULL) ==
                        (ev->type != YIMA_EVENT_TRANSFORMATION));
            if (yima_epcis_hash_event(ev->json, ev->json_len, NULL, NULL, id,
                                      &err) != 0)
                fail_msg("%s event %zu: %s", examples[i].path, k + 1, err.msg);
            if (strcmp(id, ev->hash_id) != 0)
                fail_msg("%s event %zu: canonical bytes hash to %s, the "
                         "input to %s",
                         examples[i].path, k + 1, id, ev->hash_id);
            assert_non_null(strstr(ev->json, ev->event_id));
            assert_null(strstr(ev->json, "\"recordTime\""));
            total++;
        }
        yima_event_batch_free(b);
    }
    for (size_t i = 0; i < N_EXAMPLES; i++)
        total -= examples[i].events;
    assert_int_equal(total, 0);
}

/* AssociationEvent-h.jsonld gives eventID twice. A repeated key is an
 * error by default; YIMA_EPCIS_DUP_KEYS takes the last one, as JSON-LD
 * processors do. */
static void test_duplicate_keys(void **state)
{
    yima_event_batch *b;
    yima_error err;
    size_t len;
    char *doc = slurp(EX "AssociationEvent/AssociationEvent-h.jsonld", &len);

    (void)state;
    assert_non_null(doc);
    assert_int_equal(yima_epcis_read(doc, len, 0, &b, &err), YIMA_EINVAL);
    assert_null(b);
    assert_string_equal(err.msg,
                        "the document is not valid JSON: duplicate object key "
                        "near '\"eventID\"' (line 15, column 13)");
    assert_int_equal(yima_epcis_read(doc, len, YIMA_EPCIS_DUP_KEYS, &b, &err),
                     0);
    assert_string_equal(yima_event_batch_get(b, 0)->event_id,
                        "urn:uuid:fd338495-0e6d-41dd-afee-a862ecd32518");
    yima_event_batch_free(b);
    free(doc);
}

static void test_example_codes(void **state)
{
    yima_event_batch *b;
    const yima_event *ev;

    (void)state;
    ev = only_event("Example_9.6.1-ObjectEvent.jsonld", &b);
    assert_int_equal(ev->type, YIMA_EVENT_OBJECT);
    assert_non_null(find_code(
        ev, "https://id.gs1.org/01/10614141073464/21/2017", YIMA_ROLE_EPC));
    assert_non_null(find_code(
        ev, "https://id.gs1.org/01/10614141073464/21/2018", YIMA_ROLE_EPC));
    assert_non_null(find_code(ev,
                              "https://id.gs1.org/414/0614141073467/254/1234",
                              YIMA_ROLE_READ_POINT));
    /* an identifier no scheme knows is indexed as given */
    assert_non_null(find_code(ev, "http://transaction.acme.com/po/12345678",
                              YIMA_ROLE_BIZ_TX));
    assert_int_equal(ev->n_codes, 4);
    assert_string_equal(ev->action, "OBSERVE");
    assert_string_equal(ev->biz_step,
                        "https://ref.gs1.org/cbv/BizStep-shipping");
    assert_string_equal(ev->disposition,
                        "https://ref.gs1.org/cbv/Disp-in_transit");
    /* 2005-04-03T20:33:31.116000-06:00 */
    assert_int_equal(ev->event_time_ms, 1112582011116LL);
    assert_string_equal(ev->event_id,
                        "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150c"
                        "ed7bd0b8af24dd3ccb30ba69?ver=CBV2.0");
    yima_event_batch_free(b);

    ev = only_event("Example_9.6.3-AggregationEvent.jsonld", &b);
    assert_int_equal(ev->type, YIMA_EVENT_AGGREGATION);
    assert_non_null(find_code(ev, "https://id.gs1.org/00/106141412345678908",
                              YIMA_ROLE_PARENT));
    assert_non_null(find_code(
        ev, "https://id.gs1.org/01/10614141073464/21/2017", YIMA_ROLE_CHILD));
    assert_non_null(find_code(
        ev, "https://id.gs1.org/01/04012345123456/10/998877", YIMA_ROLE_CLASS));
    assert_non_null(find_code(ev, "https://id.gs1.org/414/0614141007776",
                              YIMA_ROLE_READ_POINT));
    yima_event_batch_free(b);

    ev = only_event("Example_9.6.4-TransformationEvent.jsonld", &b);
    assert_int_equal(ev->type, YIMA_EVENT_TRANSFORMATION);
    assert_null(ev->action);
    assert_non_null(find_code(ev, "https://id.gs1.org/01/04012345111224/21/25",
                              YIMA_ROLE_INPUT));
    assert_non_null(find_code(ev, "https://id.gs1.org/01/04012345778892/21/28",
                              YIMA_ROLE_OUTPUT));
    /* an EPC pattern is indexed as its class */
    assert_non_null(
        find_code(ev, "https://id.gs1.org/01/04012345666663", YIMA_ROLE_CLASS));
    assert_non_null(find_code(ev, "https://id.gs1.org/01/00614141777778/10/987",
                              YIMA_ROLE_CLASS));
    assert_non_null(strstr(ev->json, "\"example\":\"http://ns.example.com/"
                                     "epcis/\""));
    yima_event_batch_free(b);

    ev = only_event(
        "WithFullCombinationOfFields/object_event_all_possible_fields.jsonld",
        &b);
    assert_non_null(find_code(ev, "https://id.gs1.org/414/4012345002256",
                              YIMA_ROLE_SOURCE));
    assert_non_null(find_code(ev, "https://id.gs1.org/417/0614141007776",
                              YIMA_ROLE_DESTINATION));
    assert_non_null(find_code(ev, "https://id.gs1.org/414/0012345111112",
                              YIMA_ROLE_LOCATION));
    assert_non_null(find_code(
        ev, "https://id.gs1.org/01/04012345123456/10/998877", YIMA_ROLE_CLASS));
    assert_non_null(find_code(ev, "https://id.gs1.org/253/06141410000121618034",
                              YIMA_ROLE_BIZ_TX));
    assert_string_equal(ev->event_id,
                        "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8");
    yima_event_batch_free(b);

    ev = only_event("WithDigitalLinkID/"
                    "Example_9.6.3-AggregationEventWithDigitalLink.jsonld",
                    &b);
    for (size_t i = 0; i < ev->n_codes; i++)
        if (ev->codes[i].role == YIMA_ROLE_PARENT)
            assert_string_equal(ev->codes[i].code,
                                "https://id.gs1.org/00/106141412345678908");
    yima_event_batch_free(b);
}

/* The canonical bytes: fixed key order, @context, eventID, no
 * recordTime, compact. */
static void test_canonical_bytes(void **state)
{
    const char *in =
        "{\"@context\":[{\"ex\":\"https://ns.example.com/\"},"
        "{\"unused\":\"https://unused.example.com/\"}],"
        "\"ex:note\":{\"b\":1,\"a\":[true,null,2.5]},"
        "\"readPoint\":{\"ex:z\":1,\"id\":\"urn:epc:id:sgln:0614141.07346."
        "1234\""
        "},\"action\":\"ADD\",\"epcList\":[],"
        "\"recordTime\":\"2020-01-01T00:00:01Z\","
        "\"eventTimeZoneOffset\":\"+08:00\",\"type\":\"ObjectEvent\","
        "\"quantityList\":[{\"uom\":\"KGM\",\"quantity\":0.1,\"epcClass\":"
        "\"urn:epc:class:lgtin:4012345.012345.998877\"}],"
        "\"eventTime\":\"2020-01-01T08:00:00+08:00\",\"eventID\":"
        "\"urn:uuid:1\"}";
    const char *want =
        "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/"
        "epcis-context.jsonld\",{\"ex\":\"https://ns.example.com/\"}],"
        "\"type\":\"ObjectEvent\",\"eventTime\":\"2020-01-01T08:00:00+08:00\","
        "\"eventTimeZoneOffset\":\"+08:00\",\"eventID\":\"urn:uuid:1\","
        "\"epcList\":[],\"quantityList\":[{\"epcClass\":"
        "\"urn:epc:class:lgtin:4012345.012345.998877\",\"quantity\":0.1,"
        "\"uom\":\"KGM\"}],\"action\":\"ADD\",\"readPoint\":{\"id\":"
        "\"urn:epc:id:sgln:0614141.07346.1234\",\"ex:z\":1},"
        "\"ex:note\":{\"a\":[true,null,2.5],\"b\":1}}";
    yima_event_batch *b;
    yima_error err;
    const yima_event *ev;

    (void)state;
    assert_int_equal(read_text(in, 0, &b, &err), 0);
    ev = yima_event_batch_get(b, 0);
    assert_string_equal(ev->json, want);
    assert_int_equal(ev->event_time_ms, 1577836800000LL);
    assert_null(ev->biz_step);
    assert_null(ev->disposition);
    yima_event_batch_free(b);
}

/* Write every example back through yima and validate it against the EPCIS
 * 2.0 JSON Schema with python3-jsonschema. */
static void test_schema_roundtrip(void **state)
{
    char dir[] = "/tmp/yima-epcis-XXXXXX";
    char cmd[65536], path[600];
    size_t used;
    int rc;

    (void)state;
    if (system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
        fail_msg("python3-jsonschema is needed (apt-get install "
                 "python3-jsonschema)");
    assert_non_null(mkdtemp(dir));
    used =
        (size_t)snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s", SCHEMA_SCRIPT);
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        yima_event_batch *b = read_example(i, 0);
        size_t n = yima_event_batch_count(b);
        const char *jsons[8];
        size_t lens[8];
        yima_buf out;
        FILE *f;

        assert_true(n <= 8);
        for (size_t k = 0; k < n; k++) {
            jsons[k] = yima_event_batch_get(b, k)->json;
            lens[k] = yima_event_batch_get(b, k)->json_len;
        }
        yima_buf_init(&out, 1 << 22);
        assert_int_equal(yima_epcis_write_document(&out, jsons, lens, n), 0);
        snprintf(path, sizeof path, "%s/%zu.json", dir, i);
        assert_non_null(f = fopen(path, "wb"));
        assert_int_equal(fwrite(out.data, 1, out.len, f), out.len);
        fclose(f);
        used += (size_t)snprintf(cmd + used, sizeof cmd - used, " %s", path);
        assert_true(used < sizeof cmd);

        /* and the document reads back to the same events */
        {
            yima_event_batch *b2;
            yima_error err;
            assert_int_equal(yima_epcis_read(out.data, out.len, 0, &b2, &err),
                             0);
            assert_int_equal(yima_event_batch_count(b2), n);
            for (size_t k = 0; k < n; k++)
                assert_string_equal(yima_event_batch_get(b2, k)->json,
                                    yima_event_batch_get(b, k)->json);
            yima_event_batch_free(b2);
        }
        yima_buf_free(&out);
        yima_event_batch_free(b);
    }
    rc = system(cmd);
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        snprintf(path, sizeof path, "%s/%zu.json", dir, i);
        unlink(path);
    }
    rmdir(dir);
    assert_int_equal(rc, 0);
}

/* The schema check itself rejects what it should (so a pass above means
 * something). */
static void test_schema_script_rejects(void **state)
{
    char path[] = "/tmp/yima-epcis-bad-XXXXXX";
    char cmd[256];
    const char *bad =
        "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/"
        "epcis-context.jsonld\",\"type\":\"EPCISDocument\",\"schemaVersion\":"
        "\"2.0\",\"creationDate\":\"2020-01-01T00:00:00Z\",\"epcisBody\":{"
        "\"eventList\":[{\"type\":\"ObjectEvent\",\"eventTime\":"
        "\"2020-01-01T00:00:00Z\",\"eventTimeZoneOffset\":\"+00:00\","
        "\"epcList\":[]}]}}";
    int fd;

    (void)state;
    assert_true((fd = mkstemp(path)) >= 0);
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s >/dev/null",
             SCHEMA_SCRIPT, path);
    assert_int_not_equal(system(cmd), 0);
    unlink(path);
}

/* ---- validation rules, one by one --------------------------------------- */

/* A valid ObjectEvent, then what is added to it (a JSON fragment). */
#define HEAD                                                                   \
    "{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","        \
    "\"eventTimeZoneOffset\":\"+00:00\""
#define OBS HEAD ",\"action\":\"OBSERVE\""
#define EPC "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2017\"]"

static const struct {
    const char *json;
    int code;
    const char *msg;
} bad[] = {
    /* document level */
    {"[1", YIMA_EINVAL,
     "the document is not valid JSON: ']' expected near end of file (line 1, "
     "column 2)"},
    {"42", YIMA_EINVAL,
     "expected an EPCIS document, an event or an array of events, got a "
     "number"},
    {"{\"type\":\"EPCISDocument\"}", YIMA_EINVAL,
     "EPCISDocument: epcisBody is missing"},
    {"[42]", YIMA_EINVAL, "event 1: expected an event object, got a number"},
    /* type */
    {"{\"eventTime\":\"2020-01-01T00:00:00Z\"}", YIMA_EINVAL,
     "expected an EPCIS document, an event or an array of events, got an "
     "object with neither type nor epcisBody"},
    {"[{\"eventTime\":\"2020-01-01T00:00:00Z\"}]", YIMA_EINVAL,
     "event 1: type: missing (ObjectEvent, AggregationEvent, "
     "TransactionEvent, TransformationEvent or AssociationEvent)"},
    {"{\"type\":\"QuantityEvent\"}", YIMA_EINVAL,
     "event 1: type: 'QuantityEvent' is not an event type (ObjectEvent, "
     "AggregationEvent, TransactionEvent, TransformationEvent, "
     "AssociationEvent)"},
    {"{\"type\":7}", YIMA_EINVAL,
     "event 1: type: expected a string, got a number"},
    /* fields of the type */
    {OBS "," EPC ",\"childEPCs\":[]}", YIMA_EINVAL,
     "event 1: childEPCs: not a field of ObjectEvent"},
    {OBS "," EPC ",\"bizstep\":\"shipping\"}", YIMA_EINVAL,
     "event 1: bizstep: not a field of ObjectEvent (an extension needs a "
     "namespace prefix, e.g. example:bizstep)"},
    /* eventTime, eventTimeZoneOffset, recordTime */
    {"{\"type\":\"ObjectEvent\",\"action\":\"ADD\"," EPC "}", YIMA_EINVAL,
     "event 1: eventTime: missing (required for every event)"},
    {"{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-01-01T00:00:00\","
     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\"," EPC "}",
     YIMA_EINVAL,
     "event 1: eventTime: '2020-01-01T00:00:00' is not a date-time: no time "
     "zone (add Z or +hh:mm)"},
    {"{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-13-01T00:00:00Z\","
     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\"," EPC "}",
     YIMA_EINVAL,
     "event 1: eventTime: '2020-13-01T00:00:00Z' is not a date-time: month "
     "13 is not 01..12"},
    {"{\"type\":\"ObjectEvent\",\"eventTime\":1577836800,"
     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\"," EPC "}",
     YIMA_EINVAL,
     "event 1: eventTime: expected a date-time string, got a number"},
    {"{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","
     "\"action\":\"ADD\"," EPC "}",
     YIMA_EINVAL,
     "event 1: eventTimeZoneOffset: missing (required for every event)"},
    {"{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","
     "\"eventTimeZoneOffset\":\"+15:00\",\"action\":\"ADD\"," EPC "}",
     YIMA_EINVAL,
     "event 1: eventTimeZoneOffset: '+15:00' is not an offset like +01:00 or "
     "-06:00 (-14:00..+14:00)"},
    {"{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","
     "\"eventTimeZoneOffset\":\"0800\",\"action\":\"ADD\"," EPC "}",
     YIMA_EINVAL,
     "event 1: eventTimeZoneOffset: '0800' is not an offset like +01:00 or "
     "-06:00 (-14:00..+14:00)"},
    {OBS "," EPC ",\"recordTime\":\"yesterday\"}", YIMA_EINVAL,
     "event 1: recordTime: 'yesterday' is not a date-time: expected "
     "YYYY-MM-DDThh:mm:ss with a time zone"},
    /* eventID */
    {OBS "," EPC ",\"eventID\":\"\"}", YIMA_EINVAL,
     "event 1: eventID: is empty"},
    {OBS "," EPC ",\"eventID\":\"12345\"}", YIMA_EINVAL,
     "event 1: eventID: '12345' is not a URI"},
    {OBS "," EPC ",\"eventID\":[\"urn:uuid:1\"]}", YIMA_EINVAL,
     "event 1: eventID: expected a string, got an array"},
    /* action */
    {HEAD "," EPC "}", YIMA_EINVAL,
     "event 1: action: missing (required for ObjectEvent)"},
    {HEAD ",\"action\":\"observe\"," EPC "}", YIMA_EINVAL,
     "event 1: action: 'observe' is not ADD, OBSERVE or DELETE"},
    {"{\"type\":\"TransformationEvent\",\"eventTime\":"
     "\"2020-01-01T00:00:00Z\",\"eventTimeZoneOffset\":\"+00:00\","
     "\"action\":\"ADD\"}",
     YIMA_EINVAL, "event 1: action: not a field of TransformationEvent"},
    {OBS "," EPC ",\"ilmd\":{}}", YIMA_EINVAL,
     "event 1: ilmd: only allowed when action is ADD"},
    /* what each type is about */
    {OBS "}", YIMA_EINVAL,
     "event 1: an ObjectEvent needs epcList, quantityList, or "
     "sensorElementList with readPoint"},
    {"{\"type\":\"AggregationEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","
     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\"}",
     YIMA_EINVAL,
     "event 1: an AggregationEvent needs childEPCs or childQuantityList "
     "unless action is DELETE"},
    {"{\"type\":\"AssociationEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","
     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"DELETE\"}",
     YIMA_EINVAL, "event 1: parentID: missing (required for AssociationEvent)"},
    {"{\"type\":\"TransactionEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","
     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\"," EPC "}",
     YIMA_EINVAL,
     "event 1: bizTransactionList: missing (required for TransactionEvent)"},
    {"{\"type\":\"TransformationEvent\",\"eventTime\":"
     "\"2020-01-01T00:00:00Z\",\"eventTimeZoneOffset\":\"+00:00\","
     "\"inputEPCList\":[\"urn:epc:id:sgtin:0614141.107346.2017\"]}",
     YIMA_EINVAL,
     "event 1: a TransformationEvent needs inputs and outputs, or a "
     "transformationID and inputs or outputs"},
    /* lists of identifiers */
    {OBS ",\"epcList\":\"urn:epc:id:sgtin:0614141.107346.2017\"}", YIMA_EINVAL,
     "event 1: epcList: expected an array of strings, got a string"},
    {OBS ",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2017\",7]}",
     YIMA_EINVAL, "event 1: epcList[1]: expected a string, got a number"},
    {OBS ",\"epcList\":[\"urn:x:1\",\"urn:x:1\"]}", YIMA_EINVAL,
     "event 1: epcList[1]: repeats epcList[0]"},
    {OBS ",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2017\","
         "\"https://id.gs1.org/01/09521234543214/21/1\"]}",
     YIMA_EINVAL, "event 1: epcList[1]: AI (01): check digit is 4, expected 3"},
    {OBS ",\"epcList\":[\"urn:epc:id:sgtin:xyz\"]}", YIMA_EINVAL,
     "event 1: epcList[0]: EPC URN: company prefix 'xyz' must be 6 to 12 "
     "digits"},
    {OBS ",\"epcList\":[\"https://example.com/01/123\"]}", YIMA_EINVAL,
     "event 1: epcList[0]: AI (01): value is 3 characters, expected 14"},
    {"{\"type\":\"AggregationEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","
     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\",\"parentID\":"
     "\"https://id.gs1.org/00/"
     "106141411234567891\",\"childEPCs\":[\"urn:x:1\"]}",
     YIMA_EINVAL, "event 1: parentID: AI (00): check digit is 1, expected 7"},
    {"{\"type\":\"AggregationEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","
     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\",\"parentID\":"
     "[],\"childEPCs\":[\"urn:x:1\"]}",
     YIMA_EINVAL, "event 1: parentID: expected a string, got an array"},
    /* quantityList */
    {OBS ",\"quantityList\":[{\"quantity\":1}]}", YIMA_EINVAL,
     "event 1: quantityList[0].epcClass: missing (required in a quantity "
     "element)"},
    {OBS ",\"quantityList\":[{\"epcClass\":\"urn:x:1\",\"quantity\":"
         "\"1\"}]}",
     YIMA_EINVAL,
     "event 1: quantityList[0].quantity: expected a number, got a string"},
    {OBS ",\"quantityList\":[{\"epcClass\":\"urn:x:1\",\"quantity\":1,"
         "\"uom\":\"kg\"}]}",
     YIMA_EINVAL,
     "event 1: quantityList[0].uom: 'kg' is not a unit code (2 or 3 capital "
     "letters or digits, e.g. KGM)"},
    {OBS ",\"quantityList\":[{\"epcClass\":\"urn:x:1\",\"uom\":\"KGM\"}]}",
     YIMA_EINVAL, "event 1: quantityList[0].uom: a unit without a quantity"},
    {OBS ",\"quantityList\":[{\"epcClass\":\"urn:x:1\",\"lot\":\"1\"}]}",
     YIMA_EINVAL,
     "event 1: quantityList[0].lot: not a field of a quantity element"},
    {OBS ",\"quantityList\":[\"urn:x:1\"]}", YIMA_EINVAL,
     "event 1: quantityList[0]: expected an object, got a string"},
    {OBS ",\"quantityList\":[{\"epcClass\":"
         "\"urn:epc:class:lgtin:4012345.012345.998877\",\"quantity\":1},"
         "{\"epcClass\":\"https://id.gs1.org/01/09521234543214/10/1\"}]}",
     YIMA_EINVAL,
     "event 1: quantityList[1].epcClass: AI (01): check digit is 4, expected "
     "3"},
    /* readPoint, bizLocation */
    {OBS "," EPC ",\"readPoint\":\"urn:x:1\"}", YIMA_EINVAL,
     "event 1: readPoint: expected an object, got a string"},
    {OBS "," EPC ",\"readPoint\":{}}", YIMA_EINVAL,
     "event 1: readPoint.id: missing (required in readPoint)"},
    {OBS "," EPC ",\"bizLocation\":{\"id\":\"urn:x:1\",\"name\":\"x\"}}",
     YIMA_EINVAL,
     "event 1: bizLocation.name: not a field of bizLocation (an extension "
     "needs a namespace prefix, e.g. example:name)"},
    {OBS "," EPC ",\"bizLocation\":{\"id\":"
         "\"urn:epc:id:sgln:0614141.0734.0\"}}",
     YIMA_EINVAL,
     "event 1: bizLocation.id: EPC URN: company prefix 0614141 plus location "
     "reference must be 12 digits, got 11"},
    /* sources, destinations, business transactions */
    {OBS "," EPC ",\"sourceList\":[{\"source\":\"urn:x:1\"}]}", YIMA_EINVAL,
     "event 1: sourceList[0].type: missing (required in a source element)"},
    {OBS "," EPC ",\"destinationList\":[{\"type\":\"location\"}]}", YIMA_EINVAL,
     "event 1: destinationList[0].destination: missing (required in a "
     "destination element)"},
    {OBS "," EPC ",\"sourceList\":{\"type\":\"location\"}}", YIMA_EINVAL,
     "event 1: sourceList: expected an array of objects, got an object"},
    {OBS "," EPC ",\"bizTransactionList\":[{\"type\":\"po\"}]}", YIMA_EINVAL,
     "event 1: bizTransactionList[0].bizTransaction: missing (required in a "
     "bizTransaction element)"},
    {OBS "," EPC ",\"bizTransactionList\":[{\"type\":1,"
         "\"bizTransaction\":\"urn:x:1\"}]}",
     YIMA_EINVAL,
     "event 1: bizTransactionList[0].type: expected a string, got a "
     "number"},
    /* sensors */
    {OBS "," EPC ",\"sensorElementList\":[{}]}", YIMA_EINVAL,
     "event 1: sensorElementList[0].sensorReport: missing (required in a "
     "sensor element)"},
    {OBS "," EPC ",\"sensorElementList\":[{\"sensorReport\":[]}]}", YIMA_EINVAL,
     "event 1: sensorElementList[0].sensorReport: is empty"},
    {OBS "," EPC ",\"sensorElementList\":[{\"sensorReport\":[{\"type\":"
         "\"Temperature\",\"value\":\"20\"}]}]}",
     YIMA_EINVAL,
     "event 1: sensorElementList[0].sensorReport[0].value: expected a "
     "number, got a string"},
    {OBS "," EPC ",\"sensorElementList\":[{\"sensorReport\":[{\"type\":"
         "\"Temperature\",\"hexBinaryValue\":\"xyz\"}]}]}",
     YIMA_EINVAL,
     "event 1: sensorElementList[0].sensorReport[0].hexBinaryValue: 'xyz' "
     "is not hexadecimal"},
    {OBS "," EPC ",\"sensorElementList\":[{\"sensorMetadata\":{\"time\":"
         "\"noon\"},\"sensorReport\":[{\"type\":\"Temperature\"}]}]}",
     YIMA_EINVAL,
     "event 1: sensorElementList[0].sensorMetadata.time: 'noon' is not a "
     "date-time: expected YYYY-MM-DDThh:mm:ss with a time zone"},
    {OBS "," EPC ",\"sensorElementList\":[{\"sensorReport\":[{\"type\":"
         "\"Temperature\",\"booleanValue\":\"true\"}]}]}",
     YIMA_EINVAL,
     "event 1: sensorElementList[0].sensorReport[0].booleanValue: expected "
     "true or false, got a string"},
    /* certificationInfo, errorDeclaration, persistentDisposition */
    {OBS "," EPC ",\"certificationInfo\":7}", YIMA_EINVAL,
     "event 1: certificationInfo: expected a string or an array of strings, "
     "got a number"},
    {OBS "," EPC ",\"errorDeclaration\":{\"reason\":\"incorrect_data\"}}",
     YIMA_EINVAL,
     "event 1: errorDeclaration.declarationTime: missing (required in "
     "errorDeclaration)"},
    {OBS "," EPC ",\"errorDeclaration\":{\"declarationTime\":"
         "\"2020-01-01T00:00:00Z\",\"correctiveEventIDs\":\"urn:x:1\"}}",
     YIMA_EINVAL,
     "event 1: errorDeclaration.correctiveEventIDs: expected an array of "
     "strings, got a string"},
    {OBS "," EPC ",\"persistentDisposition\":{}}", YIMA_EINVAL,
     "event 1: persistentDisposition: needs set or unset"},
    {OBS "," EPC ",\"persistentDisposition\":{\"set\":\"recalled\"}}",
     YIMA_EINVAL,
     "event 1: persistentDisposition.set: expected an array of strings, got "
     "a string"},
    {OBS "," EPC ",\"persistentDisposition\":{\"set\":[\"a:b\"],\"keep\":"
         "[\"a:c\"]}}",
     YIMA_EINVAL,
     "event 1: persistentDisposition.keep: not a field of "
     "persistentDisposition"},
    /* other fields */
    {OBS "," EPC ",\"bizStep\":[\"shipping\"]}", YIMA_EINVAL,
     "event 1: bizStep: expected a string, got an array"},
    {OBS "," EPC ",\"disposition\":null}", YIMA_EINVAL,
     "event 1: disposition: expected a string, got null"},
    {"{\"type\":\"ObjectEvent\",\"eventTime\":\"2020-01-01T00:00:00Z\","
     "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\"," EPC
     ",\"ilmd\":[]}",
     YIMA_EINVAL, "event 1: ilmd: expected an object, got an array"},
    {OBS "," EPC ",\"@context\":7}", YIMA_EINVAL,
     "event 1: @context: expected a string, an object or an array, got a "
     "number"},
};

/* A code named twice in one role is indexed once; the same code in two
 * roles, and codes that differ only at their end, each once. */
static void test_codes_once(void **state)
{
    static const char in[] =
        HEAD ",\"action\":\"ADD\",\"epcList\":[],"
             "\"quantityList\":["
             "{\"epcClass\":\"urn:epc:idpat:sgtin:4012345.098765.*\","
             "\"quantity\":2,\"uom\":\"KGM\"},"
             "{\"epcClass\":\"urn:epc:idpat:sgtin:4012345.098766.*\","
             "\"quantity\":3,\"uom\":\"KGM\"},"
             "{\"epcClass\":\"urn:epc:idpat:sgtin:4012345.098765.*\","
             "\"quantity\":4,\"uom\":\"MTR\"}],"
             "\"readPoint\":{\"id\":\"urn:epc:id:sgln:4012345.00001.0\"},"
             "\"bizLocation\":{\"id\":\"urn:epc:id:sgln:4012345.00001.0\"}}";
    yima_event_batch *b;
    const yima_event *ev;
    yima_error err;
    size_t classes = 0;

    (void)state;
    assert_int_equal(read_text(in, 0, &b, &err), 0);
    ev = yima_event_batch_get(b, 0);
    for (size_t i = 0; i < ev->n_codes; i++)
        classes += ev->codes[i].role == YIMA_ROLE_CLASS;
    assert_int_equal(classes, 2);
    /* the location in two roles, the two products once each */
    assert_int_equal(ev->n_codes, 6);
    yima_event_batch_free(b);
}

static void test_validation_rules(void **state)
{
    size_t wrong = 0;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        wrong += !expect_error(bad[i].json, bad[i].code, bad[i].msg);
    assert_int_equal(wrong, 0);
}

/* Identifiers no scheme knows are kept as given; known ones canonical. */
static void test_unknown_identifiers(void **state)
{
    const char *in = OBS ",\"epcList\":[\"urn:uuid:0a3f\",\"https://example."
                         "com/item/7\",\"01/09521234543213\"],\"readPoint\":"
                         "{\"id\":\"91350100M000100Y43\"}}";
    yima_event_batch *b;
    yima_error err;
    const yima_event *ev;

    (void)state;
    assert_int_equal(read_text(in, 0, &b, &err), 0);
    ev = yima_event_batch_get(b, 0);
    assert_non_null(find_code(ev, "urn:uuid:0a3f", YIMA_ROLE_EPC));
    assert_non_null(find_code(ev, "https://example.com/item/7", YIMA_ROLE_EPC));
    assert_non_null(find_code(ev, "01/09521234543213", YIMA_ROLE_EPC));
    assert_non_null(find_code(ev, "urn:yima:uscc:91350100M000100Y43",
                              YIMA_ROLE_READ_POINT));
    /* no eventID is given: the hash ID stands in, in the bytes too */
    assert_string_equal(ev->event_id, ev->hash_id);
    assert_non_null(strstr(ev->json, ev->hash_id));
    yima_event_batch_free(b);
}

/* ---- all or nothing, proceed -------------------------------------------- */

#define DOC3                                                                   \
    "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/"               \
    "epcis-context.jsonld\",\"type\":\"EPCISDocument\",\"schemaVersion\":"     \
    "\"2.0\",\"creationDate\":\"2020-01-01T00:00:00Z\",\"epcisBody\":{"        \
    "\"eventList\":[" OBS "," EPC "}," OBS                                     \
    ",\"epcList\":[\"urn:x:1\",\"https://id.gs1.org/01/"                       \
    "09521234543214\"]}," OBS ",\"epcList\":[\"urn:x:3\"]}]}}"

static void test_all_or_nothing(void **state)
{
    yima_event_batch *b = (yima_event_batch *)1;
    yima_error err;

    (void)state;
    assert_int_equal(read_text(DOC3, 0, &b, &err), YIMA_EINVAL);
    assert_null(b);
    assert_string_equal(err.msg, "event 2: epcList[1]: AI (01): check digit "
                                 "is 4, expected 3");
}

static void test_proceed(void **state)
{
    const yima_epcis_reject *rej;
    yima_event_batch *b;
    yima_error err;

    (void)state;
    assert_int_equal(read_text(DOC3, YIMA_EPCIS_PROCEED, &b, &err), 0);
    assert_int_equal(yima_event_batch_count(b), 2);
    assert_non_null(
        find_code(yima_event_batch_get(b, 1), "urn:x:3", YIMA_ROLE_EPC));
    assert_int_equal(yima_event_batch_rejects(b, &rej), 1);
    assert_int_equal(rej[0].index, 2);
    assert_int_equal(rej[0].line, 0);
    assert_int_equal(rej[0].code, YIMA_EINVAL);
    assert_string_equal(rej[0].field, "epcList[1]");
    assert_string_equal(rej[0].reason, "AI (01): check digit is 4, expected 3");
    assert_string_equal(rej[0].msg, "event 2: epcList[1]: AI (01): check "
                                    "digit is 4, expected 3");
    yima_event_batch_free(b);

    /* a fault of the input as a whole still fails the read */
    b = (yima_event_batch *)1;
    assert_int_equal(
        read_text("{\"type\":\"EPCISDocument\"}", YIMA_EPCIS_PROCEED, &b, &err),
        YIMA_EINVAL);
    assert_null(b);

    /* every event rejected: an empty batch */
    assert_int_equal(read_text("[{},{\"type\":\"ObjectEvent\"}]",
                               YIMA_EPCIS_PROCEED, &b, &err),
                     0);
    assert_int_equal(yima_event_batch_count(b), 0);
    assert_int_equal(yima_event_batch_rejects(b, &rej), 2);
    assert_string_equal(rej[1].msg, "event 2: eventTime: missing (required "
                                    "for every event)");
    yima_event_batch_free(b);
}

/* ---- NDJSON ------------------------------------------------------------- */

static void test_ndjson(void **state)
{
    const char *text = OBS "," EPC "}\n"
                           "\n"
                           "  \r\n" OBS ",\"epcList\":[\"urn:x:1\"],"
                           "\"ex:y\":1,\"@context\":{\"ex\":\"urn:ex:\"}}\r\n"
                           "{\"type\":\"ObjectEvent\",\n" OBS ",\"epcList\":"
                           "[]}";
    const yima_epcis_reject *rej;
    yima_event_batch *b = (yima_event_batch *)1;
    yima_error err;

    (void)state;
    assert_int_equal(yima_epcis_read_ndjson(text, strlen(text), 0, &b, &err),
                     YIMA_EINVAL);
    assert_null(b);
    assert_string_equal(err.msg,
                        "line 5: the line is not valid JSON: string or '}' "
                        "expected near end of file (line 1, column 22)");
    assert_int_equal(yima_epcis_read_ndjson(text, strlen(text),
                                            YIMA_EPCIS_PROCEED, &b, &err),
                     0);
    assert_int_equal(yima_event_batch_count(b), 3);
    assert_non_null(strstr(yima_event_batch_get(b, 1)->json,
                           "[\"https://ref.gs1.org/standards/epcis/2.0.0/"
                           "epcis-context.jsonld\",{\"ex\":\"urn:ex:\"}]"));
    assert_int_equal(yima_event_batch_rejects(b, &rej), 1);
    assert_int_equal(rej[0].line, 5);
    assert_int_equal(rej[0].index, 3);
    yima_event_batch_free(b);

    /* per-line messages name the line */
    text = OBS "," EPC "}\n" OBS ",\"epcList\":[1]}\n";
    assert_int_equal(yima_epcis_read_ndjson(text, strlen(text), 0, &b, &err),
                     YIMA_EINVAL);
    assert_string_equal(err.msg,
                        "line 2: epcList[0]: expected a string, got a number");

    /* the writer's NDJSON reads back */
    {
        yima_event_batch *b2;
        const char *j[2];
        size_t l[2];
        yima_buf out;

        text = OBS "," EPC "}\n" OBS ",\"epcList\":[\"urn:x:2\"]}";
        assert_int_equal(
            yima_epcis_read_ndjson(text, strlen(text), 0, &b, &err), 0);
        for (size_t i = 0; i < 2; i++) {
            j[i] = yima_event_batch_get(b, i)->json;
            l[i] = yima_event_batch_get(b, i)->json_len;
        }
        yima_buf_init(&out, 1 << 20);
        assert_int_equal(yima_epcis_write_ndjson(&out, j, l, 2), 0);
        assert_int_equal(out.len, l[0] + l[1] + 2);
        assert_int_equal(
            yima_epcis_read_ndjson(out.data, out.len, 0, &b2, &err), 0);
        assert_int_equal(yima_event_batch_count(b2), 2);
        assert_string_equal(yima_event_batch_get(b2, 1)->json, j[1]);
        yima_event_batch_free(b2);
        yima_buf_free(&out);
        yima_event_batch_free(b);
    }
}

/* ---- Jansson's memory for NDJSON (jmem.c) ------------------------------ */

/* Values made in an arena come from it and are reused after the rewind;
 * a value made outside and dropped inside is freed as usual (the ASan run
 * of this suite would see a leak or a bad free). Every example event,
 * read again from the writer's NDJSON (arena) after the document (no
 * arena), gives the same canonical bytes, hash ID and codes. */
static void test_jansson_arena(void **state)
{
    jmem_arena a = {NULL, NULL, NULL};
    json_t *outside = json_object(), *inside;
    struct jmem_chunk *last;
    yima_error err;

    (void)state;
    assert_int_equal(json_object_set_new(outside, "k", json_string("v")), 0);
    assert_true(jmem_begin(&a));
    inside = json_array();
    for (int i = 0; i < 5000; i++) /* more than one chunk */
        assert_int_equal(json_array_append_new(inside, json_string("urn:x")),
                         0);
    json_decref(outside);
    json_decref(inside); /* nothing: the rewind drops it */
    jmem_end();
    assert_non_null(a.first);
    assert_non_null(last = a.last);
    assert_true(jmem_begin(&a));
    inside = json_array();
    for (int i = 0; i < 5000; i++)
        assert_int_equal(json_array_append_new(inside, json_string("urn:x")),
                         0);
    jmem_end();
    assert_ptr_equal(a.last, last); /* no chunk added: all reused */
    jmem_free(&a);
    assert_null(a.first);

    /* A program that sets Jansson's functions itself: no arena, and each
     * line's values are dropped as usual (the ASan run sees any leak). */
    {
        json_malloc_t m;
        json_free_t f;
        yima_event_batch *b;
        const char *text = OBS "," EPC "}\n" OBS "," EPC "}\n";

        json_get_alloc_funcs(&m, &f);
        json_set_alloc_funcs(malloc, free);
        assert_false(jmem_begin(&a));
        assert_null(a.first);
        assert_int_equal(
            yima_epcis_read_ndjson(text, strlen(text), 0, &b, &err), 0);
        assert_int_equal(yima_event_batch_count(b), 2);
        yima_event_batch_free(b);
        json_set_alloc_funcs(m, f);
    }

    for (size_t i = 0; i < N_EXAMPLES; i++) {
        yima_event_batch *doc = read_example(i, 0), *nd;
        size_t n = yima_event_batch_count(doc);
        const char **j = calloc(n, sizeof *j);
        size_t *l = calloc(n, sizeof *l);
        yima_buf text;

        assert_true(j && l);
        for (size_t k = 0; k < n; k++) {
            j[k] = yima_event_batch_get(doc, k)->json;
            l[k] = yima_event_batch_get(doc, k)->json_len;
        }
        yima_buf_init(&text, 1 << 24);
        assert_int_equal(yima_epcis_write_ndjson(&text, j, l, n), 0);
        if (yima_epcis_read_ndjson(text.data, text.len, 0, &nd, &err) != 0)
            fail_msg("%s as NDJSON: %s", examples[i].path, err.msg);
        assert_int_equal(yima_event_batch_count(nd), n);
        for (size_t k = 0; k < n; k++) {
            const yima_event *x = yima_event_batch_get(doc, k),
                             *y = yima_event_batch_get(nd, k);

            assert_string_equal(x->json, y->json);
            assert_string_equal(x->hash_id, y->hash_id);
            assert_int_equal(x->n_codes, y->n_codes);
            for (size_t c = 0; c < x->n_codes; c++)
                assert_string_equal(x->codes[c].code, y->codes[c].code);
        }
        yima_buf_free(&text);
        free(j);
        free(l);
        yima_event_batch_free(nd);
        yima_event_batch_free(doc);
    }
}

/* ---- limits ------------------------------------------------------------- */

static void test_limits(void **state)
{
    yima_event_batch *b = (yima_event_batch *)1;
    yima_error err;
    yima_buf in;

    (void)state;
    /* too many events: the whole input fails, with or without PROCEED */
    yima_buf_init(&in, 1 << 24);
    yima_buf_putc(&in, '[');
    for (int i = 0; i <= YIMA_EPCIS_EVENTS_MAX; i++)
        yima_buf_puts(&in, i ? ",{}" : "{}");
    yima_buf_putc(&in, ']');
    assert_false(in.failed);
    assert_int_equal(
        yima_epcis_read(in.data, in.len, YIMA_EPCIS_PROCEED, &b, &err),
        YIMA_ETOOBIG);
    assert_null(b);
    assert_string_equal(err.msg,
                        "100001 events, the limit is 100000 per input");

    /* nesting */
    yima_buf_reset(&in);
    yima_buf_puts(&in, OBS "," EPC ",\"ex:deep\":");
    for (int i = 0; i < 60; i++)
        yima_buf_putc(&in, '[');
    for (int i = 0; i < 60; i++)
        yima_buf_putc(&in, ']');
    yima_buf_putc(&in, '}');
    assert_int_equal(yima_epcis_read(in.data, in.len, 0, &b, &err),
                     YIMA_EINVAL);
    assert_string_equal(err.msg, "event 1: nested deeper than 48 levels");
    /* At the limit, as a document and as a line of NDJSON (whose reader
     * counts the nesting as it parses): k arrays in the event, the
     * innermost empty or holding a number. Under the event's limit, the
     * pre-hash's for extensions (32) still refuses them. */
    for (int k = 45; k <= 48; k++)
        for (int full = 0; full < 2; full++) {
            bool deep = k + 1 + full > 48; /* depth(): the event is 1 */

            for (int nd = 0; nd < 2; nd++) {
                yima_buf_reset(&in);
                yima_buf_puts(&in, OBS "," EPC ",\"ex:deep\":");
                for (int i = 0; i < k; i++)
                    yima_buf_putc(&in, '[');
                if (full)
                    yima_buf_putc(&in, '7');
                for (int i = 0; i < k; i++)
                    yima_buf_putc(&in, ']');
                yima_buf_puts(&in, nd ? "}\n" : "}");
                assert_int_equal(
                    nd ? yima_epcis_read_ndjson(in.data, in.len, 0, &b, &err)
                       : yima_epcis_read(in.data, in.len, 0, &b, &err),
                    YIMA_EINVAL);
                assert_non_null(strstr(err.msg, deep ? "than 48 levels"
                                                     : "than 32 levels"));
                assert_null(b);
            }
        }

    /* canonical bytes */
    yima_buf_reset(&in);
    yima_buf_puts(&in, OBS "," EPC ",\"ex:big\":\"");
    for (int i = 0; i < YIMA_EVENT_JSON_MAX; i++)
        yima_buf_putc(&in, 'x');
    yima_buf_puts(&in, "\"}");
    assert_int_equal(yima_epcis_read(in.data, in.len, 0, &b, &err),
                     YIMA_ETOOBIG);
    assert_string_equal(err.msg, "event 1: canonical JSON is 65348 bytes, the "
                                 "limit is 65000");

    /* eventID length */
    yima_buf_reset(&in);
    yima_buf_puts(&in, OBS "," EPC ",\"eventID\":\"urn:");
    for (int i = 0; i < YIMA_EVENT_ID_MAX; i++)
        yima_buf_putc(&in, 'x');
    yima_buf_puts(&in, "\"}");
    assert_int_equal(yima_epcis_read(in.data, in.len, 0, &b, &err),
                     YIMA_EINVAL);
    assert_string_equal(err.msg, "event 1: eventID: is 260 bytes, the limit "
                                 "is 256");
    yima_buf_free(&in);
}

/* ---- the writer --------------------------------------------------------- */

static void test_writer(void **state)
{
    const char *ev = "{\"type\":\"ObjectEvent\"}";
    const char *const evs[] = {ev, ev};
    const size_t lens[] = {strlen(ev), strlen(ev)};
    const char *const bad_evs[] = {"[1]"};
    const size_t bad_lens[] = {3};
    json_error_t je;
    json_t *doc, *list;
    yima_buf out;

    (void)state;
    yima_buf_init(&out, 1 << 20);
    assert_int_equal(yima_epcis_write_document(&out, evs, lens, 2), 0);
    assert_non_null(doc = json_loadb(out.data, out.len, 0, &je));
    assert_string_equal(json_string_value(json_object_get(doc, "type")),
                        "EPCISDocument");
    assert_string_equal(
        json_string_value(json_object_get(doc, "schemaVersion")), "2.0");
    assert_string_equal(json_string_value(json_object_get(doc, "@context")),
                        "https://ref.gs1.org/standards/epcis/2.0.0/"
                        "epcis-context.jsonld");
    assert_int_equal(
        strlen(json_string_value(json_object_get(doc, "creationDate"))), 24);
    list = json_object_get(json_object_get(doc, "epcisBody"), "eventList");
    assert_int_equal(json_array_size(list), 2);
    json_decref(doc);

    /* no events: an empty list */
    yima_buf_reset(&out);
    assert_int_equal(yima_epcis_write_document(&out, NULL, NULL, 0), 0);
    assert_non_null(strstr(out.data, "\"eventList\":[]}}"));

    /* not an object */
    yima_buf_reset(&out);
    assert_int_equal(yima_epcis_write_document(&out, bad_evs, bad_lens, 1),
                     YIMA_EINVAL);
    assert_int_equal(out.len, 0);
    assert_int_equal(yima_epcis_write_ndjson(&out, bad_evs, bad_lens, 1),
                     YIMA_EINVAL);
    yima_buf_free(&out);

    /* the cap of the buffer applies */
    yima_buf_init(&out, 40);
    assert_int_equal(yima_epcis_write_document(&out, evs, lens, 2),
                     YIMA_ETOOBIG);
    yima_buf_free(&out);
}

/* A byte JSON text takes as it is (epcis_plain_span's rule). */
static bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* epcis_plain_span() against the rule byte by byte: every byte value at
 * every place of strings of every length up to 70, each string at the very
 * end of its allocation (a read past it trips the sanitizers). With SSE2
 * the span ends exactly at the first byte that is not plain; without, it
 * may end before. */
static void test_plain_span(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 70; len++) {
        unsigned char *b = malloc(len ? len : 1);

        assert_non_null(b);
        for (int c = 0; c < 256; c++)
            for (size_t at = 0; at <= len; at++) { /* at == len: none */
                size_t want = len, k;

                for (size_t i = 0; i < len; i++)
                    b[i] = (unsigned char)"az!#[]~\x7f {"[i % 10];
                if (at < len)
                    b[at] = (unsigned char)c;
                for (size_t i = 0; i < len; i++)
                    if (!plain_byte(b[i])) {
                        want = i;
                        break;
                    }
                k = epcis_plain_span(b, len);
                assert_true(k <= want);
#if defined(__SSE2__)
                assert_int_equal(k, want);
#endif
            }
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_read),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_example_codes),
        cmocka_unit_test(test_canonical_bytes),
        cmocka_unit_test(test_schema_roundtrip),
        cmocka_unit_test(test_schema_script_rejects),
        cmocka_unit_test(test_validation_rules),
        cmocka_unit_test(test_codes_once),
        cmocka_unit_test(test_unknown_identifiers),
        cmocka_unit_test(test_all_or_nothing),
        cmocka_unit_test(test_proceed),
        cmocka_unit_test(test_ndjson),
        cmocka_unit_test(test_jansson_arena),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_plain_span),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
