/*
 * uscc.c - 统一社会信用代码, the Unified Social Credit Code of legal
 * entities and other organisations (GB 32100-2015).
 *
 * 18 characters from the 31-symbol alphabet 0-9 A-Y without I O S V Z
 * (values 0..30):
 *
 *   1      registration department (登记管理部门代码)
 *   2      institution type within that department (机构类别代码)
 *   3-8    region of the registering authority, GB/T 2260 (six digits)
 *   9-17   subject identifier: the GB 11714 organisation code, itself
 *          eight characters and a check character
 *   18     check character: ISO/IEC 7064 style over modulus 31, weights
 *          3^(i-1) mod 31 for positions i = 1..17,
 *          check = (31 - sum mod 31) mod 31
 *
 * The department and type codes are those of GB 32100-2015 Appendix A
 * plus the later assignments A (中央军委改革和编制办公室) and N (农业);
 * they live in the one table `classes` below and unknown codes are
 * rejected.
 *
 * The organisation code check (GB 11714: weights 3 7 9 10 5 8 4 2, value
 * 11 - sum mod 11, 10 written X, 11 written 0) is computed and exposed as
 * the part "org_code_check" but never rejected: codes issued to
 * individual businesses and some converted legacy registrations carry a
 * subject identifier that was not assigned as an organisation code, and
 * real codes are known that fail it. (Some real Xiamen codes registered
 * before 2016 even fail the USCC check itself; those are rejected, since
 * the standard's check is the only way to catch a mistyped code.)
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "code_int.h"

#define USCC_LEN 18

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/*
 * Departments (type == 0) and the institution types each defines, from
 * GB 32100-2015 Appendix A and later assignments. Department rows come
 * before their types.
 */
static const struct uscc_class {
    char dept; /* position 1 */
    char type; /* position 2, or 0 for the department itself */
    const char *name;
} classes[] = {
    {'1', 0, "机构编制"},
    {'1', '1', "机关"},
    {'1', '2', "事业单位"},
    {'1', '3', "中央编办直接管理机构编制的群众团体"},
    {'1', '9', "其他"},
    {'2', 0, "外交"},
    {'2', '1', "外国常驻新闻机构"},
    {'2', '9', "其他"},
    {'3', 0, "司法行政"},
    {'3', '1', "律师执业机构"},
    {'3', '2', "公证处"},
    {'3', '3', "基层法律服务所"},
    {'3', '4', "司法鉴定机构"},
    {'3', '5', "仲裁委员会"},
    {'3', '9', "其他"},
    {'4', 0, "文化"},
    {'4', '1', "外国在华文化中心"},
    {'4', '9', "其他"},
    {'5', 0, "民政"},
    {'5', '1', "社会团体"},
    {'5', '2', "民办非企业单位"},
    {'5', '3', "基金会"},
    {'5', '9', "其他"},
    {'6', 0, "旅游"},
    {'6', '1', "外国旅游部门常驻代表机构"},
    {'6', '2', "港澳台地区旅游部门常驻内地(大陆)代表机构"},
    {'6', '9', "其他"},
    {'7', 0, "宗教"},
    {'7', '1', "宗教活动场所"},
    {'7', '2', "宗教院校"},
    {'7', '9', "其他"},
    {'8', 0, "工会"},
    {'8', '1', "基层工会"},
    {'8', '9', "其他"},
    {'9', 0, "工商(市场监管)"},
    {'9', '1', "企业"},
    {'9', '2', "个体工商户"},
    {'9', '3', "农民专业合作社"},
    {'A', 0, "中央军委改革和编制办公室"},
    {'A', '1', "军队事业单位"},
    {'A', '9', "其他"},
    {'N', 0, "农业"},
    {'N', '1', "组级集体经济组织"},
    {'N', '2', "村级集体经济组织"},
    {'N', '3', "乡镇级集体经济组织"},
    {'N', '9', "其他"},
    {'Y', 0, "其他"},
    {'Y', '1', "其他(不再细分)"},
};

#define N_CLASSES (sizeof classes / sizeof classes[0])

/* Value 0..30 of an upper-case alphabet character, or -1. */
static int value_of(int c)
{
    int i;

    for (i = 0; i < 31; i++)
        if (alphabet[i] == c)
            return i;
    return -1;
}

static int upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static const struct uscc_class *find_class(char dept, char type)
{
    size_t i;

    for (i = 0; i < N_CLASSES; i++)
        if (classes[i].dept == dept && classes[i].type == type)
            return &classes[i];
    return NULL;
}

/* "1 2 3 ..." listing the departments (dept == 0) or dept's types. */
static void list_codes(char dept, char *buf, size_t size)
{
    size_t i, len = 0;

    buf[0] = '\0';
    for (i = 0; i < N_CLASSES && len + 3 < size; i++) {
        char c = dept ? classes[i].type : classes[i].dept;
        if (dept ? (classes[i].dept != dept || !c) : classes[i].type != 0)
            continue;
        if (len)
            buf[len++] = ' ';
        buf[len++] = c;
        buf[len] = '\0';
    }
}

static char uscc_check_char(const char *up)
{
    unsigned sum = 0, w = 1;
    int i;

    for (i = 0; i < USCC_LEN - 1; i++) {
        sum += (unsigned)value_of(up[i]) * w;
        w = w * 3 % 31;
    }
    return alphabet[(31 - sum % 31) % 31];
}

/* GB 11714 check character of the eight characters at org. */
static char org_check_char(const char *org)
{
    static const unsigned weight[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    unsigned sum = 0, c;
    int i;

    for (i = 0; i < 8; i++) {
        unsigned v = org[i] <= '9' ? (unsigned)(org[i] - '0')
                                   : (unsigned)(org[i] - 'A' + 10);
        sum += v * weight[i];
    }
    c = 11 - sum % 11;
    return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

/*
 * Validate s (n bytes) as a USCC. On success writes the upper-cased code
 * to up[] and the department and type entries; on failure fills err (may
 * be NULL) and returns YIMA_EINVAL.
 */
static int check(const char *s, size_t n, char up[USCC_LEN + 1],
                 const struct uscc_class **dept, const struct uscc_class **type,
                 yima_error *err)
{
    char list[64], cb[8];
    size_t i, chars = code_char_count(s, n);
    char expect;

    if (chars != USCC_LEN)
        return code_fail(err, CODE_NOPOS, "USCC: length is %zu, expected %d",
                         chars, USCC_LEN);
    /* From here each of the 18 characters might still be multi-byte, but
     * the first one that is not in the alphabet stops the scan, so every
     * character before it is one byte and offsets equal positions. */
    for (i = 0; i < n; i++) {
        int c = upper((unsigned char)s[i]);
        if (i >= USCC_LEN || value_of(c) < 0)
            return code_fail(err, i,
                             "USCC: character '%s' at position %zu is not "
                             "allowed (allowed: 0-9 and A-Y except I O S V Z)",
                             code_show_char(s, n, i, cb), i + 1);
        up[i] = (char)c;
    }
    up[USCC_LEN] = '\0';

    for (i = 2; i < 8; i++)
        if (up[i] < '0' || up[i] > '9')
            return code_fail(err, i,
                             "USCC: region code (positions 3-8) must be 6 "
                             "digits; '%c' at position %zu is not a digit",
                             up[i], i + 1);

    *dept = find_class(up[0], 0);
    if (!*dept) {
        list_codes(0, list, sizeof list);
        return code_fail(err, 0,
                         "USCC: registration department code '%c' at "
                         "position 1 is not assigned (assigned: %s)",
                         up[0], list);
    }
    *type = find_class(up[0], up[1]);
    if (!*type) {
        list_codes(up[0], list, sizeof list);
        return code_fail(err, 1,
                         "USCC: institution type '%c' at position 2 is not "
                         "defined for department %c (%s): expected one of %s",
                         up[1], up[0], (*dept)->name, list);
    }

    expect = uscc_check_char(up);
    if (up[USCC_LEN - 1] != expect)
        return code_fail(err, USCC_LEN - 1,
                         "USCC: check character is %c, expected %c",
                         up[USCC_LEN - 1], expect);
    return 0;
}

bool code_uscc_valid(const char *s, size_t n)
{
    const struct uscc_class *dept, *type;
    char up[USCC_LEN + 1];

    assert(s || n == 0);
    if (n != USCC_LEN)
        return false;
    return check(s, n, up, &dept, &type, NULL) == 0;
}

int code_parse_uscc(const char *s, size_t n, yima_code *out, yima_error *err)
{
    const struct uscc_class *dept, *type;
    char up[USCC_LEN + 1], org_expect;
    int rc;

    assert(s && out);
    code_begin(out, YIMA_SCHEME_USCC);

    rc = check(s, n, up, &dept, &type, err);
    if (rc)
        return rc;

    code_set_urn(out, YIMA_SCHEME_USCC, up);
    code_part_add(out, "department", up, 1);
    code_part_add(out, "type", up + 1, 1);
    code_part_add(out, "region", up + 2, 6);
    code_part_add(out, "org_code", up + 8, 9);
    org_expect = org_check_char(up + 8);
    if (up[16] == org_expect) {
        code_part_add(out, "org_code_check", "valid", 5);
    } else {
        char why[32];
        int len =
            snprintf(why, sizeof why, "invalid (expected %c)", org_expect);
        code_part_add(out, "org_code_check", why, (size_t)len);
    }
    code_part_add(out, "department_name", dept->name, strlen(dept->name));
    code_part_add(out, "type_name", type->name, strlen(type->name));
    return 0;
}
