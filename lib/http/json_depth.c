/*
 * json_depth.c - refuse JSON that nests too deep before any parser sees it.
 *
 * A recursive parser given "[[[[..." a million deep runs out of stack, and
 * even a careful one spends memory per level; counting brackets outside
 * strings is linear, needs no memory, and lets the error name the place.
 */
#include <assert.h>

#include "http_int.h"

int yima_http_json_depth(const char *p, size_t n, int max, yima_error *err)
{
    size_t line = 1, line_start = 0;
    bool in_str = false, esc = false;
    int depth = 0;

    assert(p || n == 0);
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\n') {
            line++;
            line_start = i + 1;
        }
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return yima_error_set(
                    err, YIMA_EINVAL, i + 1,
                    "JSON nests deeper than %d levels at byte %zu (line %zu, "
                    "column %zu)",
                    max, i + 1, line, i - line_start + 1);
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}
